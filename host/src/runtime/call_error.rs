//! Why a plugin call failed. Each names the plugin and the export; the host logs it and the
//! user gets a polite reply.

use std::time::Duration;

use crate::budget::Refusal;
use crate::core::one_line;
use crate::telemetry::CallOutcome;
use crate::wit::PluginError;

/// Why a plugin call failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    // What a plugin wrote goes into the log on one line, so that it cannot forge others.
    #[error("plugin `{plugin}` returned an error from {call}: {}", one_line(&error.to_string()))]
    Plugin { plugin: String, call: &'static str, error: PluginError },
    #[error("plugin `{plugin}` trapped in {call}: {}", one_line(reason))]
    Trap { plugin: String, call: &'static str, reason: String },
    #[error("plugin `{plugin}` ran past its deadline of {limit:?} in {call}")]
    Timeout { plugin: String, call: &'static str, limit: Duration },
    #[error("plugin `{plugin}` went past its memory cap of {limit_mib} MiB in {call}")]
    MemoryCap { plugin: String, call: &'static str, limit_mib: usize },
    #[error("plugin `{plugin}` was stopped by a limit in {call}: {refusal}")]
    Limited { plugin: String, call: &'static str, refusal: Refusal },
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

    /// The limit that stopped the call: the host's (a budget), or one a capability refused
    /// the plugin with, which the plugin passed on.
    pub fn limit(&self) -> Option<LimitHit<'_>> {
        match self {
            CallError::Limited { refusal, .. } => Some(LimitHit {
                name: refusal.limit.as_str(),
                retry_after_ms: refusal.retry_after.map(|wait| wait.as_millis() as u64),
            }),
            CallError::Plugin { error: PluginError::Limited(limit), .. } => {
                Some(LimitHit { name: &limit.name, retry_after_ms: limit.retry_after_ms })
            }
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
            | CallError::Limited { call, .. }
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
            CallError::Limited { .. } => CallOutcome::Limited,
            CallError::Instantiate { .. } | CallError::NotExported { .. } => {
                CallOutcome::Unavailable
            }
        }
    }
}

/// A limit behind a failed call: its name and, for a rate, when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitHit<'a> {
    pub name: &'a str,
    pub retry_after_ms: Option<u64>,
}

impl LimitHit<'_> {
    /// What the user is told.
    pub fn for_user(&self) -> String {
        match self.retry_after_ms {
            Some(wait) => format!(
                "That ran into a limit the operator set ({}); please try again in {} s.",
                self.name,
                wait.div_ceil(1000).max(1)
            ),
            None => format!("That ran into a limit the operator set ({}).", self.name),
        }
    }
}
