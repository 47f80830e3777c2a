//! Running a job's command in the bot: `backup_database` exports the plugins' data (see
//! [`crate::backup`]), `generate_analytics_report` writes the observers' `weekly` report, and
//! a plugin's job calls the plugin's `scheduled.fire`. Jobs run on the background runtime,
//! in the job lane (see [`crate::budget`]): no message waits for them.

use std::path::PathBuf;
use std::sync::{Arc, Weak};

use chrono::{DateTime, Utc};

use super::live::LivePlugins;
use crate::budget::{Background, CallContext, Lane};
use crate::cron::{Command, Job, Runner};
use crate::plugin::Output;
use crate::storage::Storage;
use crate::telemetry::{Metrics, Status};

/// What jobs' commands need.
pub struct Jobs {
    pub(super) data_dir: PathBuf,
    pub(super) backup_retention: usize,
    pub(super) storage: Storage,
    pub(super) plugins: LivePlugins,
    pub(super) background: Arc<Background>,
    pub(super) metrics: Arc<Metrics>,
}

impl Jobs {
    /// The runner the scheduler fires jobs with, counting each run in the metrics. It holds
    /// the jobs weakly: the plugins they reach hold the scheduler, which holds the runner.
    pub fn runner(self: &Arc<Self>) -> Runner {
        let jobs: Weak<Jobs> = Arc::downgrade(self);
        Arc::new(move |job: Job, slot: DateTime<Utc>| {
            let jobs = jobs.clone();
            Box::pin(async move {
                let Some(jobs) = jobs.upgrade() else {
                    return Err("the bot has stopped".to_owned());
                };
                let background = jobs.background.clone();
                let run = async move {
                    let outcome = jobs.run(&job.command, slot).await;
                    let status = if outcome.is_ok() { Status::Ok } else { Status::Error };
                    jobs.metrics.cron_run(&job.name, status);
                    outcome
                };
                let ran = background.run(CallContext::background(Lane::Job).scope(run)).await;
                ran.unwrap_or_else(|| Err("the run was cut short (the bot is stopping)".to_owned()))
            })
        })
    }

    pub async fn run(&self, command: &Command, slot: DateTime<Utc>) -> Result<(), String> {
        match command {
            Command::BackupDatabase => {
                let backups = self.data_dir.join("backups");
                let folder =
                    crate::backup::backup(&self.storage, &backups, slot, self.backup_retention)
                        .await
                        .map_err(|e| e.to_string())?;
                tracing::info!(folder = %folder.display(), "backup written");
                Ok(())
            }
            Command::GenerateAnalyticsReport => self.write_reports(slot).await,
            Command::Fire { plugin, job, payload } => {
                let Some(loaded) = self.plugins.current().get(plugin).cloned() else {
                    return Err(format!("plugin `{plugin}` is not loaded"));
                };
                loaded.fire(job, payload).await.map_err(|error| error.to_string())
            }
        }
    }

    /// Each observer's `weekly` report, into `<data_dir>/reports`.
    async fn write_reports(&self, slot: DateTime<Utc>) -> Result<(), String> {
        let plugins = self.plugins.current();
        let mut written = 0;
        for observer in plugins.observers() {
            let report = match observer.report("weekly").await {
                Ok(report) => observer.capped(report, Output::Report),
                Err(error) => {
                    tracing::warn!(plugin = %observer.name(), "no weekly report: {error}");
                    continue;
                }
            };
            let folder = self.data_dir.join("reports");
            let name = format!("{}-weekly-{}.md", observer.name(), slot.format("%Y-%m-%d"));
            std::fs::create_dir_all(&folder)
                .and_then(|()| std::fs::write(folder.join(&name), report))
                .map_err(|e| format!("cannot write {}: {e}", folder.join(&name).display()))?;
            written += 1;
        }
        match written {
            0 => Err("no observer plugin wrote a weekly report".to_owned()),
            _ => Ok(()),
        }
    }
}
