//! The last half hour of messages, minute by minute, for the admin dashboard.
//!
//! Prometheus keeps totals since start, which a scraper turns into rates; an operator who
//! opens the console wants "now" without one: messages per minute, the 95th-percentile
//! latency and the errors of the last few minutes. Each minute keeps its counts and a bounded
//! sample of latencies, so memory stays flat however busy the bot is.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde::Serialize;

/// Minutes kept, and the length of the dashboard's chart.
pub const MINUTES_KEPT: usize = 30;
/// The window the summary's rates and percentile cover.
pub const SUMMARY_WINDOW: Duration = Duration::from_secs(5 * 60);
/// Latencies sampled per minute at most; past it, a reservoir keeps a fair sample.
const SAMPLES_PER_MINUTE: usize = 4096;

struct Minute {
    /// Minutes since the window's origin.
    index: u64,
    messages: u64,
    errors: u64,
    latencies_us: Vec<u64>,
}

impl Minute {
    fn new(index: u64) -> Minute {
        Minute { index, messages: 0, errors: 0, latencies_us: Vec::new() }
    }

    fn add(&mut self, latency_us: u64, failed: bool) {
        self.messages += 1;
        self.errors += u64::from(failed);
        if self.latencies_us.len() < SAMPLES_PER_MINUTE {
            self.latencies_us.push(latency_us);
        } else {
            // Reservoir sampling (algorithm R) with a multiplicative hash for the draw: each
            // message of the minute has the same chance to be in the sample.
            let slot = self.messages.wrapping_mul(0x9E37_79B9_7F4A_7C15) % self.messages;
            if let Some(kept) = self.latencies_us.get_mut(slot as usize) {
                *kept = latency_us;
            }
        }
    }
}

/// Messages per minute for the last [`MINUTES_KEPT`] minutes.
pub struct Recent {
    origin: Instant,
    minutes: VecDeque<Minute>,
}

/// What the dashboard shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub window_secs: u64,
    pub messages: u64,
    pub messages_per_minute: f64,
    /// None when no message came in the window.
    pub p95_latency_ms: Option<f64>,
    pub errors: u64,
    /// Messages in each of the last [`MINUTES_KEPT`] minutes, oldest first, this one last.
    pub per_minute: Vec<u64>,
}

impl Default for Recent {
    fn default() -> Self {
        Recent::new(Instant::now())
    }
}

impl Recent {
    pub fn new(origin: Instant) -> Recent {
        Recent { origin, minutes: VecDeque::with_capacity(MINUTES_KEPT + 1) }
    }

    fn minute_of(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.origin).as_secs() / 60
    }

    /// A message handled at `at`, which took `took`.
    pub fn record(&mut self, at: Instant, took: Duration, failed: bool) {
        let index = self.minute_of(at);
        if self.minutes.back().is_none_or(|last| last.index < index) {
            self.minutes.push_back(Minute::new(index));
        }
        self.forget_before(index);
        // Messages finish out of order by a little; one that belongs to a minute already
        // closed still counts there.
        if let Some(minute) = self.minutes.iter_mut().rev().find(|m| m.index <= index) {
            let latency_us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
            minute.add(latency_us, failed);
        }
    }

    fn forget_before(&mut self, now: u64) {
        while self.minutes.front().is_some_and(|m| m.index + (MINUTES_KEPT as u64) <= now) {
            self.minutes.pop_front();
        }
    }

    /// The summary as of `now`.
    pub fn summary(&self, now: Instant) -> Summary {
        let current = self.minute_of(now);
        let window_minutes = SUMMARY_WINDOW.as_secs() / 60;
        let in_window = |m: &&Minute| m.index + window_minutes > current;
        let window: Vec<&Minute> = self.minutes.iter().filter(in_window).collect();
        let messages: u64 = window.iter().map(|m| m.messages).sum();
        let errors = window.iter().map(|m| m.errors).sum();
        let mut latencies: Vec<u64> =
            window.iter().flat_map(|m| m.latencies_us.iter().copied()).collect();
        let per_minute = (0..MINUTES_KEPT as u64)
            .rev()
            .map(|ago| {
                let index = current.checked_sub(ago);
                let minute = self.minutes.iter().find(|m| Some(m.index) == index);
                minute.map_or(0, |m| m.messages)
            })
            .collect();
        Summary {
            window_secs: SUMMARY_WINDOW.as_secs(),
            messages,
            messages_per_minute: messages as f64 / window_minutes as f64,
            p95_latency_ms: percentile(&mut latencies, 0.95).map(|us| us as f64 / 1000.0),
            errors,
            per_minute,
        }
    }
}

/// The `quantile` of `values` (nearest rank), or None when there are none.
fn percentile(values: &mut [u64], quantile: f64) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    let rank = ((quantile * values.len() as f64).ceil() as usize).clamp(1, values.len());
    let (_, value, _) = values.select_nth_unstable(rank - 1);
    Some(*value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn counts_the_window_and_charts_every_minute() {
        let origin = Instant::now();
        let mut recent = Recent::new(origin);
        // 10 messages a minute for 40 minutes, one in ten failed, latency 1..=10 ms.
        for minute in 0..40u32 {
            for n in 1..=10u64 {
                let at = origin + MINUTE * minute + Duration::from_secs(n);
                recent.record(at, Duration::from_millis(n), n == 10);
            }
        }
        let summary = recent.summary(origin + MINUTE * 39 + Duration::from_secs(30));
        assert_eq!(summary.messages, 50);
        assert_eq!(summary.messages_per_minute, 10.0);
        assert_eq!(summary.errors, 5);
        assert_eq!(summary.p95_latency_ms, Some(10.0));
        assert_eq!(summary.per_minute, vec![10; MINUTES_KEPT]);
    }

    #[test]
    fn a_quiet_bot_has_no_percentile_and_old_minutes_fall_off_the_chart() {
        let origin = Instant::now();
        let mut recent = Recent::new(origin);
        recent.record(origin, Duration::from_millis(3), false);
        let later = recent.summary(origin + MINUTE * 10);
        assert_eq!((later.messages, later.p95_latency_ms), (0, None));
        assert_eq!(later.per_minute.iter().sum::<u64>(), 1);
        assert_eq!(later.per_minute[MINUTES_KEPT - 11], 1);
        let much_later = recent.summary(origin + MINUTE * 45);
        assert_eq!(much_later.per_minute, vec![0; MINUTES_KEPT]);
    }

    #[test]
    fn a_busy_minute_keeps_a_bounded_sample() {
        let origin = Instant::now();
        let mut recent = Recent::new(origin);
        for n in 0..(SAMPLES_PER_MINUTE as u64 * 3) {
            recent.record(origin, Duration::from_micros(n % 100), false);
        }
        assert_eq!(recent.minutes[0].latencies_us.len(), SAMPLES_PER_MINUTE);
        let summary = recent.summary(origin);
        assert_eq!(summary.messages, SAMPLES_PER_MINUTE as u64 * 3);
        let p95 = summary.p95_latency_ms.unwrap();
        assert!((0.090..=0.099).contains(&p95), "{p95}");
    }
}
