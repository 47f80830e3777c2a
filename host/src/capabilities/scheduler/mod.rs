//! `dcmaid:bot/scheduler`: jobs a plugin schedules for itself, kept by the bot's
//! [`Cron`] as `<plugin>/<job>`; each fires the plugin's `scheduled.fire`.

use std::sync::Arc;

use super::access::{Access, NotGranted};
use super::provider::{PluginInfo, Prepared, Provider, linked};
use crate::core::Capability;
use crate::cron::{Command, Cron, CronError, MAX_JOBS_PER_PLUGIN};
use crate::wit::latest::dcmaid::bot::scheduler::{self as wit, Job, SchedulerError};

/// The `scheduler` capability.
pub struct Scheduler;

/// One plugin's way to the bot's jobs.
pub struct PluginJobs {
    cron: Arc<Cron>,
    /// Whether the plugin exports `scheduled`, which its jobs fire.
    fires: bool,
}

impl Provider for Scheduler {
    const GRANT: Option<Capability> = Some(Capability::Scheduler);
    type Shared = Arc<Cron>;
    type Plugin = PluginJobs;

    async fn prepare(cron: &Arc<Cron>, info: &PluginInfo<'_>) -> Prepared<PluginJobs> {
        Ok(PluginJobs { cron: cron.clone(), fires: info.fires })
    }

    linked!(wit);
}

impl From<NotGranted> for SchedulerError {
    fn from(_: NotGranted) -> Self {
        SchedulerError::NotGranted
    }
}

impl From<CronError> for SchedulerError {
    fn from(error: CronError) -> Self {
        match error {
            CronError::Invalid(error) => {
                SchedulerError::InvalidJob(format!("{}: {}", error.field, error.reason))
            }
            CronError::TooMany(_) => SchedulerError::TooManyJobs(MAX_JOBS_PER_PLUGIN as u32),
            other => SchedulerError::Unavailable(other.to_string()),
        }
    }
}

impl wit::Host for Access<PluginJobs> {
    async fn schedule(&mut self, job: Job) -> Result<(), SchedulerError> {
        let jobs = self.granted()?;
        if !jobs.fires {
            let reason = "the plugin does not export `scheduled`, which its jobs would fire";
            return Err(SchedulerError::InvalidJob(reason.into()));
        }
        let (plugin, zone) = (self.plugin(), job.timezone.as_deref());
        jobs.cron.put_plugin_job(plugin, &job.name, &job.cron, zone, job.payload).await?;
        tracing::info!(%plugin, job = %job.name, cron = %job.cron, "cron: plugin scheduled a job");
        Ok(())
    }

    async fn unschedule(&mut self, name: String) -> Result<bool, SchedulerError> {
        Ok(self.granted()?.cron.remove_plugin_job(self.plugin(), &name).await?)
    }

    async fn jobs(&mut self) -> Result<Vec<Job>, SchedulerError> {
        let stored = self.granted()?.cron.plugin_jobs(self.plugin()).await?;
        let listed = stored.into_iter().filter_map(|stored| match stored.job.command {
            Command::Fire { job, payload, .. } => Some(Job {
                name: job,
                cron: stored.job.schedule.expression().to_owned(),
                timezone: stored.job.schedule.zone().map(str::to_owned),
                payload,
            }),
            _ => None,
        });
        Ok(listed.collect())
    }
}
