//! An amount over a sliding window of time (CPU-seconds a minute, tokens a day): the window
//! is cut into slots, and what was added in slots older than the window no longer counts.
//! Plain data: the caller gives the time and holds the lock.

use std::time::Duration;

/// An amount over the last `span` of time, in `slots` steps.
#[derive(Debug, Clone)]
pub struct Window {
    slot_ms: u64,
    /// Per slot: its number (time / `slot_ms`) and what was added in it.
    slots: Vec<(u64, u64)>,
}

impl Window {
    /// A window of `span` in `slots` slots: an amount counts for between `span - span/slots`
    /// and `span`.
    pub fn new(span: Duration, slots: usize) -> Window {
        let slots = slots.max(1);
        let span_ms = u64::try_from(span.as_millis()).unwrap_or(u64::MAX).max(slots as u64);
        Window { slot_ms: span_ms / slots as u64, slots: vec![(0, 0); slots] }
    }

    /// One minute in slots of ten seconds.
    pub fn minute() -> Window {
        Window::new(Duration::from_secs(60), 6)
    }

    /// One day in slots of an hour.
    pub fn day() -> Window {
        Window::new(Duration::from_secs(24 * 3600), 24)
    }

    fn current(&self, now_ms: u64) -> u64 {
        now_ms / self.slot_ms
    }

    /// Whether slot `number` is still inside the window at slot `now`.
    fn counts(&self, number: u64, now: u64) -> bool {
        number + (self.slots.len() as u64) > now
    }

    /// Add `amount` at `now_ms`.
    pub fn add(&mut self, now_ms: u64, amount: u64) {
        let now = self.current(now_ms);
        let len = self.slots.len() as u64;
        let slot = &mut self.slots[(now % len) as usize];
        if slot.0 != now {
            *slot = (now, 0);
        }
        slot.1 = slot.1.saturating_add(amount);
    }

    /// What was added within the window, at `now_ms`.
    pub fn total(&self, now_ms: u64) -> u64 {
        let now = self.current(now_ms);
        self.slots
            .iter()
            .filter(|(number, _)| self.counts(*number, now))
            .fold(0u64, |sum, (_, amount)| sum.saturating_add(*amount))
    }

    /// How long from `now_ms` until the total is below `allowed` again: zero when it is.
    pub fn retry_after(&self, now_ms: u64, allowed: u64) -> Duration {
        let now = self.current(now_ms);
        let mut total = self.total(now_ms);
        let mut live: Vec<(u64, u64)> =
            self.slots.iter().copied().filter(|(number, _)| self.counts(*number, now)).collect();
        live.sort_unstable();
        for (number, amount) in live {
            if total < allowed {
                break;
            }
            total -= amount;
            let leaves_ms = (number + self.slots.len() as u64) * self.slot_ms;
            if total < allowed {
                return Duration::from_millis(leaves_ms.saturating_sub(now_ms));
            }
        }
        Duration::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_count_until_their_slot_leaves_the_window() {
        let mut window = Window::minute();
        window.add(1_000, 5);
        window.add(25_000, 7);
        assert_eq!(window.total(25_000), 12);
        assert_eq!(window.total(59_999), 12);
        assert_eq!(window.total(60_000), 7, "the slot of 0-10 s has left");
        assert_eq!(window.total(80_000), 0);
        window.add(80_000, 1);
        assert_eq!(window.total(80_000), 1, "a reused slot starts from nothing");
    }

    #[test]
    fn retry_after_is_when_enough_has_left_the_window() {
        let mut window = Window::minute();
        window.add(1_000, 5);
        window.add(25_000, 7);
        assert_eq!(window.retry_after(30_000, 13), Duration::ZERO);
        assert_eq!(window.retry_after(30_000, 12), Duration::from_millis(30_000));
        assert_eq!(window.retry_after(30_000, 5), Duration::from_millis(50_000));
    }
}
