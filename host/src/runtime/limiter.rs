//! What one call's instance may grow to: all its linear memories and tables together up to
//! the call's cap, and, with every other live instance of the same plugin, up to the
//! plugin's cap. It remembers which cap stopped a call, so that the error can say so, and
//! gives back what the instance held when the call's store is dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wasmtime::ResourceLimiter;

/// A table element (a function reference) as the host counts it.
const TABLE_ELEMENT_BYTES: usize = 8;
/// Tables hold function references; a million is far past any honest plugin.
const MAX_TABLE_ELEMENTS: usize = 1_000_000;

/// Which cap stopped a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    /// The call's own: `[limits] memory_mib`.
    Call,
    /// The plugin's, across its instances: `memory.max_mib`.
    Plugin,
}

pub struct Limiter {
    max_call_bytes: usize,
    max_plugin_bytes: usize,
    /// What this instance holds, all memories and tables.
    held: usize,
    /// What every live instance of the plugin holds.
    plugin: Arc<AtomicUsize>,
    pub exceeded: Option<Exceeded>,
}

impl Limiter {
    pub fn new(
        max_call_bytes: usize,
        max_plugin_bytes: usize,
        plugin: Arc<AtomicUsize>,
    ) -> Limiter {
        Limiter { max_call_bytes, max_plugin_bytes, held: 0, plugin, exceeded: None }
    }

    /// Grow what the instance holds from `current` to `desired` bytes of one memory or
    /// table, if both caps allow.
    fn grow(&mut self, current: usize, desired: usize) -> bool {
        let more = desired.saturating_sub(current);
        let held = self.held.saturating_add(more);
        if held > self.max_call_bytes {
            self.exceeded = Some(Exceeded::Call);
            return false;
        }
        let max = self.max_plugin_bytes;
        let taken = self.plugin.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |total| {
            total.checked_add(more).filter(|total| *total <= max)
        });
        if taken.is_err() {
            self.exceeded = Some(Exceeded::Plugin);
            return false;
        }
        self.held = held;
        true
    }
}

impl Drop for Limiter {
    fn drop(&mut self) {
        self.plugin.fetch_sub(self.held, Ordering::SeqCst);
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.grow(current, desired))
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > MAX_TABLE_ELEMENTS {
            return Ok(false);
        }
        Ok(self.grow(current * TABLE_ELEMENT_BYTES, desired * TABLE_ELEMENT_BYTES))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_memory_and_table_counts_and_the_plugin_total_is_shared() {
        let plugin = Arc::new(AtomicUsize::new(0));
        let mut first = Limiter::new(100, 150, plugin.clone());
        assert!(first.grow(0, 60));
        assert!(first.grow(0, 30), "a second memory adds to the first");
        assert!(!first.grow(30, 50), "60 + 50 is past the call's 100");
        assert_eq!(first.exceeded, Some(Exceeded::Call));
        let mut second = Limiter::new(100, 150, plugin.clone());
        assert!(!second.grow(0, 70), "90 + 70 is past the plugin's 150");
        assert_eq!(second.exceeded, Some(Exceeded::Plugin));
        drop(first);
        assert_eq!(plugin.load(Ordering::SeqCst), 0);
        assert!(second.grow(0, 70), "the first instance gave back what it held");
    }
}
