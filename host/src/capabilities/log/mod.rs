//! `dcmaid:bot/log`: a plugin's log lines, tagged with its name.

use super::access::Access;
use super::provider::{PluginInfo, Prepared, Provider, linked};
use crate::core::{Capability, truncate};
use crate::wit::latest::dcmaid::bot::log::{self as wit, Level};

/// Longer lines are cut here, so a plugin cannot flood the log with one call.
const MAX_LINE_BYTES: usize = 4096;

/// The `log` capability; every plugin has it. What it needs of a plugin is its name, which
/// every [`Access`] carries.
pub struct Log;

impl Provider for Log {
    const GRANT: Option<Capability> = None;
    type Shared = ();
    type Plugin = ();

    async fn prepare(_: &(), _: &PluginInfo<'_>) -> Prepared<()> {
        Ok(())
    }

    linked!(wit);
}

impl wit::Host for Access<()> {
    fn log(&mut self, level: Level, message: String) {
        let plugin = self.plugin().as_str();
        let message = truncate(&message, MAX_LINE_BYTES);
        match level {
            Level::Trace => tracing::trace!(plugin, "{message}"),
            Level::Debug => tracing::debug!(plugin, "{message}"),
            Level::Info => tracing::info!(plugin, "{message}"),
            Level::Warn => tracing::warn!(plugin, "{message}"),
            Level::Error => tracing::error!(plugin, "{message}"),
        }
    }
}
