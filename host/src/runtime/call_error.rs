//! Why a plugin call failed. Each names the plugin and the export; the host logs it and the
//! user gets a polite reply.

use std::time::Duration;

use crate::telemetry::CallOutcome;
use crate::wit::PluginError;

/// Why a plugin call failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("plugin `{plugin}` returned an error from {call}: {error}")]
    Plugin { plugin: String, call: &'static str, error: PluginError },
    #[error("plugin `{plugin}` trapped in {call}: {reason}")]
    Trap { plugin: String, call: &'static str, reason: String },
    #[error("plugin `{plugin}` ran past its deadline of {limit:?} in {call}")]
    Timeout { plugin: String, call: &'static str, limit: Duration },
    #[error("plugin `{plugin}` went past its memory cap of {limit_mib} MiB in {call}")]
    MemoryCap { plugin: String, call: &'static str, limit_mib: usize },
    #[error("plugin `{plugin}` could not be instantiated for {call}: {reason}")]
    Instantiate { plugin: String, call: &'static str, reason: String },
    #[error("plugin `{plugin}` does not export {call}")]
    NotExported { plugin: String, call: &'static str },
}

impl CallError {
    /// The plugin's own message for the user, when it gave one meant for them.
    pub fn user_message(&self) -> Option<&str> {
        match self {
            CallError::Plugin { error: PluginError::InvalidInput(text), .. } => Some(text),
            _ => None,
        }
    }

    /// The export that was called, e.g. `persona.shape`.
    pub fn call(&self) -> &'static str {
        match self {
            CallError::Plugin { call, .. }
            | CallError::Trap { call, .. }
            | CallError::Timeout { call, .. }
            | CallError::MemoryCap { call, .. }
            | CallError::Instantiate { call, .. }
            | CallError::NotExported { call, .. } => call,
        }
    }

    /// The metric outcome of this failure.
    pub fn outcome(&self) -> CallOutcome {
        match self {
            CallError::Plugin { .. } => CallOutcome::Error,
            CallError::Trap { .. } => CallOutcome::Trap,
            CallError::Timeout { .. } => CallOutcome::Timeout,
            CallError::MemoryCap { .. } => CallOutcome::MemoryCap,
            CallError::Instantiate { .. } | CallError::NotExported { .. } => {
                CallOutcome::Unavailable
            }
        }
    }
}
