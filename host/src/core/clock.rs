//! The time as the bot sees it. A running bot reads the system clock; tests and persona
//! evaluations run on a [`ManualClock`] they move by hand. Plugins see the same time twice:
//! as each message's `received-at-ms` and through `wasi:clocks/wall-clock`, so a persona
//! whose moods decay with time decays on the moved clock too.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where the bot's time comes from.
#[derive(Debug, Clone, Default)]
pub struct Clock(Source);

#[derive(Debug, Clone, Default)]
enum Source {
    #[default]
    System,
    Manual(ManualClock),
}

impl Clock {
    /// The system's wall clock.
    pub fn system() -> Clock {
        Clock(Source::System)
    }

    /// Time since the Unix epoch.
    pub fn since_epoch(&self) -> Duration {
        match &self.0 {
            Source::System => {
                SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO)
            }
            Source::Manual(manual) => Duration::from_millis(manual.ms.load(Ordering::Relaxed)),
        }
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        self.since_epoch().as_millis().try_into().unwrap_or(u64::MAX)
    }
}

impl From<ManualClock> for Clock {
    fn from(manual: ManualClock) -> Clock {
        Clock(Source::Manual(manual))
    }
}

/// A clock that stands still until it is moved. Clones share the time.
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    ms: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock showing `ms` milliseconds since the Unix epoch.
    pub fn at_ms(ms: u64) -> ManualClock {
        ManualClock { ms: Arc::new(AtomicU64::new(ms)) }
    }

    /// Set the clock to `ms` milliseconds since the Unix epoch, forward or back.
    pub fn set_ms(&self, ms: u64) {
        self.ms.store(ms, Ordering::Relaxed);
    }

    /// Move the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by: u64 = by.as_millis().try_into().unwrap_or(u64::MAX);
        self.ms.fetch_add(by, Ordering::Relaxed);
    }
}

/// The plugin's view of the clock through WASI.
impl wasmtime_wasi::HostWallClock for Clock {
    fn resolution(&self) -> Duration {
        match self.0 {
            Source::System => Duration::from_nanos(1),
            Source::Manual(_) => Duration::from_millis(1),
        }
    }

    fn now(&self) -> Duration {
        self.since_epoch()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_its_clones_move_with_it() {
        let manual = ManualClock::at_ms(1_000);
        let clock = Clock::from(manual.clone());
        assert_eq!(clock.now_ms(), 1_000);
        manual.advance(Duration::from_secs(3_600));
        assert_eq!(clock.now_ms(), 3_601_000);
        assert_eq!(clock.clone().now_ms(), 3_601_000);
    }
}
