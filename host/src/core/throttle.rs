//! Log lines that a misbehaving plugin or user could repeat without end (a limit hit, a
//! skipped job, dropped log lines) are written once per window and key, with how many were
//! left out since.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Keys remembered at most; past it the map starts over (a key then logs once more).
const MAX_KEYS: usize = 10_000;

/// Once per `every` and key.
pub struct Throttle {
    every: Duration,
    seen: Mutex<HashMap<String, Seen>>,
}

struct Seen {
    at: Instant,
    held_back: u64,
}

impl Throttle {
    pub fn new(every: Duration) -> Throttle {
        Throttle { every, seen: Mutex::default() }
    }

    /// The usual window: a minute.
    pub fn per_minute() -> Throttle {
        Throttle::new(Duration::from_secs(60))
    }

    /// Whether to write the line for `key` now: `Some(n)` with the `n` lines held back since
    /// the last one written, `None` to hold this one back.
    pub fn allow(&self, key: &str) -> Option<u64> {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = seen.get_mut(key) {
            if now.duration_since(entry.at) < self.every {
                entry.held_back += 1;
                return None;
            }
            let held_back = entry.held_back;
            *entry = Seen { at: now, held_back: 0 };
            return Some(held_back);
        }
        if seen.len() >= MAX_KEYS {
            seen.clear();
        }
        seen.insert(key.to_owned(), Seen { at: now, held_back: 0 });
        Some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_per_window_and_key_then_with_the_count_held_back() {
        let throttle = Throttle::new(Duration::from_millis(50));
        assert_eq!(throttle.allow("a"), Some(0));
        assert_eq!(throttle.allow("a"), None);
        assert_eq!(throttle.allow("a"), None);
        assert_eq!(throttle.allow("b"), Some(0), "keys are apart");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(throttle.allow("a"), Some(2));
    }
}
