//! Running a job's command in the bot: `backup_database` exports the plugins' data (see
//! [`crate::backup`]), `generate_analytics_report` writes the observers' `weekly` report, and
//! a plugin's job calls the plugin's `scheduled.fire`.

use std::sync::{Arc, Weak};

use chrono::{DateTime, Utc};

use super::{Command, Job, Runner};
use crate::bot::Bot;
use crate::metrics::Status;

/// The runner that runs jobs' commands in `bot`, counting each run in its metrics. It holds
/// the bot weakly: the bot owns its scheduler, which owns the runner.
pub fn runner(bot: &Arc<Bot>) -> Runner {
    let bot: Weak<Bot> = Arc::downgrade(bot);
    Arc::new(move |job: Job, slot: DateTime<Utc>| {
        let bot = bot.clone();
        Box::pin(async move {
            let Some(bot) = bot.upgrade() else {
                return Err("the bot has stopped".to_owned());
            };
            let outcome = run(&bot, &job.command, slot).await;
            let status = if outcome.is_ok() { Status::Ok } else { Status::Error };
            bot.metrics().cron_run(&job.name, status);
            outcome
        })
    })
}

pub async fn run(bot: &Bot, command: &Command, slot: DateTime<Utc>) -> Result<(), String> {
    let data_dir = &bot.config().data_dir;
    match command {
        Command::BackupDatabase => {
            let retention = bot.config().cron.backup_retention;
            let storage = &bot.backends().storage;
            let folder = crate::backup::backup(storage, &data_dir.join("backups"), slot, retention)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(folder = %folder.display(), "backup written");
            Ok(())
        }
        Command::GenerateAnalyticsReport => {
            let plugins = bot.plugins();
            let mut written = 0;
            for observer in plugins.observers() {
                let report = match observer.report("weekly").await {
                    Ok(report) => report,
                    Err(error) => {
                        tracing::warn!(plugin = %observer.name(), "no weekly report: {error}");
                        continue;
                    }
                };
                let folder = data_dir.join("reports");
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
        Command::Fire { plugin, job, payload } => {
            let Some(loaded) = bot.plugins().get(plugin).cloned() else {
                return Err(format!("plugin `{plugin}` is not loaded"));
            };
            let _permit = bot.call_permits().acquire().await.map_err(|e| e.to_string())?;
            loaded.fire(job, payload).await.map_err(|error| error.to_string())
        }
    }
}
