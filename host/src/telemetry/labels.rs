//! The label values of the host's metrics: fixed outcome names, and label sets whose values
//! come from bounded sets only (the commands that exist, the installed plugins, the jobs).

use std::fmt::Write;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};

use crate::core::named;

/// A label value from the variant's name.
macro_rules! label_value {
    ($type:ident) => {
        impl EncodeLabelValue for $type {
            fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
                encoder.write_str(self.as_str())
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Ok,
    Error,
}

named!(Status {
    Ok => "ok",
    Error => "error",
});
label_value!(Status);

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct MessageLabels {
    /// The command without its slash, `none` for conversation, `unknown` for no such command.
    pub(super) command: String,
    pub(super) status: Status,
}

/// How a plugin call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallOutcome {
    Ok,
    /// The plugin returned an error.
    Error,
    Trap,
    Timeout,
    MemoryCap,
    /// A budget refused it (CPU, memory across instances) before or while it ran.
    Limited,
    /// It could not be instantiated or lacked the export.
    Unavailable,
}

named!(CallOutcome {
    Ok => "ok",
    Error => "error",
    Trap => "trap",
    Timeout => "timeout",
    MemoryCap => "memory_cap",
    Limited => "limited",
    Unavailable => "unavailable",
});
label_value!(CallOutcome);

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct CallLabels {
    pub(super) plugin: String,
    pub(super) call: &'static str,
    pub(super) outcome: CallOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct PluginLabels {
    pub(super) plugin: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct ModelLabels {
    pub(super) status: Status,
}

/// A cron job's run. `job` is bounded: the operator's jobs, and at most 32 per plugin.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct CronLabels {
    pub(super) job: String,
    pub(super) status: Status,
}

/// What became of an event meant for the observers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventFate {
    /// Queued for the observers.
    Queued,
    /// The queue was full: dropped, so that no reply waits for an observer.
    Dropped,
}

named!(EventFate {
    Queued => "queued",
    Dropped => "dropped",
});
label_value!(EventFate);

/// What became of a plugin's outgoing HTTP request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpOutcome {
    /// A response came back (whatever its status).
    Sent,
    /// The allowlist or the address checks refused it; nothing was sent.
    Denied,
    /// The network, the server or a limit (time, size) failed it.
    Failed,
}

named!(HttpOutcome {
    Sent => "sent",
    Denied => "denied",
    Failed => "failed",
});
label_value!(HttpOutcome);

/// What became of a hot swap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SwapOutcome {
    /// A new version serves.
    Swapped,
    /// The new version failed its checks; the old one serves.
    Refused,
    /// The version before was put back.
    RolledBack,
    /// An operator stopped the plugin.
    Disabled,
}

named!(SwapOutcome {
    Swapped => "swapped",
    Refused => "refused",
    RolledBack => "rolled_back",
    Disabled => "disabled",
});
label_value!(SwapOutcome);

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct SwapLabels {
    pub(super) plugin: String,
    pub(super) outcome: SwapOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct HttpLabels {
    pub(super) plugin: String,
    pub(super) outcome: HttpOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct EventLabels {
    pub(super) fate: EventFate,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct LimitLabels {
    pub(super) plugin: String,
    /// As `dcmaid.toml` names it: `kv.max_bytes`, `cpu.seconds_per_minute`.
    pub(super) limit: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct UserLimitLabels {
    /// Never the user: user ids do not become labels.
    pub(super) limit: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct ReasonLabels {
    /// From a fixed set, e.g. `forged`.
    pub(super) reason: &'static str,
}
