//! `dcmaid:bot/log`: a plugin's log lines, tagged with its name.

use crate::bindings::dcmaid::bot::log::{Host, Level};
use crate::plugin::CallState;

/// Longer lines are cut here, so a plugin cannot flood the log with one call.
const MAX_LINE_BYTES: usize = 4096;

impl Host for CallState {
    fn log(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        let plugin = self.plugin().name.as_str();
        let message = truncate(&message, MAX_LINE_BYTES);
        match level {
            Level::Trace => tracing::trace!(plugin, "{message}"),
            Level::Debug => tracing::debug!(plugin, "{message}"),
            Level::Info => tracing::info!(plugin, "{message}"),
            Level::Warn => tracing::warn!(plugin, "{message}"),
            Level::Error => tracing::error!(plugin, "{message}"),
        }
        Ok(())
    }
}

/// `text` cut to at most `max` bytes on a character boundary.
pub(crate) fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
