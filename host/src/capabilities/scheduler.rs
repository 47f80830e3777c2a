//! `dcmaid:bot/scheduler`: jobs a plugin schedules for itself, kept by the bot's
//! [`crate::cron::Cron`] as `<plugin>/<job>`; each fires the plugin's `scheduled.fire`.

use crate::bindings::dcmaid::bot::scheduler::{Host, Job, SchedulerError};
use crate::capabilities::Capability;
use crate::cron::{Command, CronError, MAX_JOBS_PER_PLUGIN};
use crate::plugin::{CallState, PluginContext};

/// The plugin's context, or why it may not schedule.
fn allowed(plugin: &PluginContext) -> Result<(), SchedulerError> {
    if !plugin.grants.contains(&Capability::Scheduler) {
        return Err(SchedulerError::NotGranted);
    }
    Ok(())
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

impl Host for CallState {
    async fn schedule(&mut self, job: Job) -> wasmtime::Result<Result<(), SchedulerError>> {
        let plugin = self.plugin_handle();
        let result = async {
            allowed(&plugin)?;
            if !plugin.fires {
                let reason = "the plugin does not export `scheduled`, which its jobs would fire";
                return Err(SchedulerError::InvalidJob(reason.into()));
            }
            let zone = job.timezone.as_deref();
            plugin
                .cron
                .put_plugin_job(&plugin.name, &job.name, &job.cron, zone, job.payload)
                .await?;
            tracing::info!(plugin = %plugin.name, job = %job.name, cron = %job.cron, "cron: plugin scheduled a job");
            Ok(())
        };
        Ok(result.await)
    }

    async fn unschedule(&mut self, name: String) -> wasmtime::Result<Result<bool, SchedulerError>> {
        let plugin = self.plugin_handle();
        let result = async {
            allowed(&plugin)?;
            Ok(plugin.cron.remove_plugin_job(&plugin.name, &name).await?)
        };
        Ok(result.await)
    }

    async fn jobs(&mut self) -> wasmtime::Result<Result<Vec<Job>, SchedulerError>> {
        let plugin = self.plugin_handle();
        let result = async {
            allowed(&plugin)?;
            let stored = plugin.cron.plugin_jobs(&plugin.name).await?;
            let jobs = stored.into_iter().filter_map(|stored| match stored.job.command {
                Command::Fire { job, payload, .. } => Some(Job {
                    name: job,
                    cron: stored.job.schedule.expression().to_owned(),
                    timezone: stored.job.schedule.zone().map(str::to_owned),
                    payload,
                }),
                _ => None,
            });
            Ok(jobs.collect())
        };
        Ok(result.await)
    }
}
