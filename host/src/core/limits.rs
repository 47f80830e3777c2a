//! What one plugin call may use, and how many calls run at once in each lane (`[limits]`
//! in `dcmaid.toml`). What a plugin may use over time is its budget (`[budgets]`).

use std::time::Duration;

use serde::Deserialize;

use super::range::check_range;

/// What one plugin call may use.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Linear memory per call, in MiB.
    pub memory_mib: u32,
    /// Wall-clock time per call, in milliseconds; also the CPU (epoch) deadline.
    pub call_timeout_ms: u64,
    /// Calls for messages running at once, across all plugins; more wait their turn.
    pub max_concurrent_calls: u32,
    /// Calls for scheduled jobs running at once, across all plugins.
    pub background_calls: u32,
    /// Calls for observed events and reports running at once, across all plugins.
    pub observer_calls: u32,
    /// Events waiting for the observer plugins at most; past it they are dropped (and
    /// counted) rather than delaying replies.
    pub observer_queue: u32,
    /// Calls remembering answered turns running at once, across all plugins.
    pub remember_calls: u32,
    /// Turns queued to be remembered that this replica holds in memory, at most; past it a
    /// turn waits in the store alone, to be read back; past ten times it a reply waits for
    /// room (turns are never dropped).
    pub remember_queue: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_mib: 128,
            call_timeout_ms: 5_000,
            max_concurrent_calls: 64,
            background_calls: 8,
            observer_calls: 2,
            observer_queue: 4_096,
            remember_calls: 2,
            remember_queue: 10_000,
        }
    }
}

impl Limits {
    pub fn memory_bytes(&self) -> usize {
        (self.memory_mib as usize) << 20
    }

    /// Calls of every lane at once: what the engine's instance pool holds.
    pub fn total_calls(&self) -> u32 {
        self.max_concurrent_calls
            + self.background_calls
            + self.observer_calls
            + self.remember_calls
    }

    pub fn call_timeout(&self) -> Duration {
        Duration::from_millis(self.call_timeout_ms)
    }

    /// Rules serde cannot express; the message names the field.
    pub fn check(&self) -> Result<(), String> {
        check_range("limits.memory_mib", self.memory_mib, 1..=4096)?;
        check_range("limits.call_timeout_ms", self.call_timeout_ms, 1..=600_000)?;
        check_range("limits.observer_queue", self.observer_queue, 1..=1_000_000)?;
        check_range("limits.background_calls", self.background_calls, 1..=1024)?;
        check_range("limits.observer_calls", self.observer_calls, 1..=1024)?;
        check_range("limits.remember_calls", self.remember_calls, 1..=1024)?;
        check_range("limits.remember_queue", self.remember_queue, 1..=1_000_000)?;
        check_range("limits.max_concurrent_calls", self.max_concurrent_calls, 1..=1024)
    }
}
