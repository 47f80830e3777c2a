//! Jobs of the plugin's own: each fires [`crate::Plugin::fire`] with its name and payload.
//! The host keeps them across restarts and fires them while the bot serves (once across all
//! replicas when Redis is configured). Needs the `scheduler` capability.

use crate::PluginError;
pub use crate::bindings::base::dcmaid::bot::scheduler::{Job, SchedulerError, jobs, unschedule};

/// Add job `name` firing on `cron` (UTC), or replace the plugin's job of that name.
pub fn schedule(name: &str, cron: &str, payload: &str) -> Result<(), SchedulerError> {
    crate::bindings::base::dcmaid::bot::scheduler::schedule(&Job {
        name: name.to_owned(),
        cron: cron.to_owned(),
        timezone: None,
        payload: payload.to_owned(),
    })
}

impl From<SchedulerError> for PluginError {
    fn from(error: SchedulerError) -> Self {
        match error {
            SchedulerError::InvalidJob(reason) => PluginError::InvalidInput(reason),
            SchedulerError::Limited(limit) => PluginError::Limited(limit),
            other => PluginError::Unavailable(format!("scheduler: {other:?}")),
        }
    }
}
