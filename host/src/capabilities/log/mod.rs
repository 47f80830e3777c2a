//! `dcmaid:bot/log`: a plugin's log lines, tagged with its name. A line is one line: its
//! newlines and control characters are escaped, so a plugin cannot forge a line of the
//! host's or another plugin's; it is cut at `log.max_line_bytes`; and past the plugin's log
//! rate (`log.lines_per_second`, `log.bytes_per_second`, with a burst) lines are dropped,
//! counted, and reported once a minute.

use std::sync::Arc;

use super::access::Access;
use super::provider::{PluginInfo, Prepared, Provider, linked};
use crate::budget::PluginBudget;
use crate::core::{Capability, cut_marked, one_line};
use crate::wit::latest::dcmaid::bot::log::{self as wit, Level};

/// The `log` capability; every plugin has it.
pub struct Log;

impl Provider for Log {
    const GRANT: Option<Capability> = None;
    type Shared = ();
    type Plugin = Arc<PluginBudget>;

    async fn prepare(_: &(), info: &PluginInfo<'_>) -> Prepared<Arc<PluginBudget>> {
        Ok(info.budget.clone())
    }

    linked!(wit);
}

impl wit::Host for Access<Arc<PluginBudget>> {
    fn log(&mut self, level: Level, message: String) {
        let Ok(budget) = self.granted() else { return };
        let max = budget.limits().log.max_line_bytes as usize;
        let line = one_line(&message);
        let cut = cut_marked(&line, max);
        let message = cut.as_deref().unwrap_or(&line);
        if !budget.log_line(message.len()) {
            return;
        }
        let plugin = self.plugin().as_str();
        match level {
            Level::Trace => tracing::trace!(plugin, "{message}"),
            Level::Debug => tracing::debug!(plugin, "{message}"),
            Level::Info => tracing::info!(plugin, "{message}"),
            Level::Warn => tracing::warn!(plugin, "{message}"),
            Level::Error => tracing::error!(plugin, "{message}"),
        }
    }
}
