//! The token bucket: `burst` tokens at most, refilled at `per_minute`; each call takes one,
//! and a call that finds less than one token is told how long until there is one. The same
//! arithmetic runs in process and, as `bucket.lua`, inside Redis.

use std::time::Duration;

/// A bucket's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub burst: f64,
    /// Tokens added per millisecond.
    pub per_ms: f64,
}

/// A bucket's contents at a moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct State {
    pub tokens: f64,
    pub at_ms: u64,
}

/// What a call may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// Rejected; a token is there again after this long.
    Wait(Duration),
}

impl Bucket {
    /// `burst` calls in a row, then `per_minute` a minute.
    pub fn new(burst: u32, per_minute: u32) -> Bucket {
        Bucket { burst: f64::from(burst), per_ms: f64::from(per_minute) / 60_000.0 }
    }

    /// The contents at `now_ms`: refilled since `state` (a full bucket when there was none).
    pub fn refilled(&self, state: Option<State>, now_ms: u64) -> State {
        let Some(state) = state else { return State { tokens: self.burst, at_ms: now_ms } };
        // A clock that went back (another replica's) refills nothing, and takes nothing.
        let elapsed = now_ms.saturating_sub(state.at_ms) as f64;
        let tokens = (state.tokens + elapsed * self.per_ms).min(self.burst);
        State { tokens, at_ms: state.at_ms.max(now_ms) }
    }

    /// Take a token at `now_ms`: the new contents and the decision.
    pub fn take(&self, state: Option<State>, now_ms: u64) -> (State, Decision) {
        self.take_many(state, now_ms, 1.0)
    }

    /// Take `tokens` at once (bytes of a log line, say), all or none.
    pub fn take_many(&self, state: Option<State>, now_ms: u64, tokens: f64) -> (State, Decision) {
        let mut state = self.refilled(state, now_ms);
        if state.tokens >= tokens {
            state.tokens -= tokens;
            return (state, Decision::Allowed);
        }
        let wait_ms = if self.per_ms > 0.0 {
            ((tokens - state.tokens) / self.per_ms).ceil()
        } else {
            f64::MAX
        };
        (state, Decision::Wait(Duration::from_millis(wait_ms.min(u64::MAX as f64) as u64)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_refill_rate() {
        let bucket = Bucket::new(3, 60); // one a second
        let mut state = None;
        for _ in 0..3 {
            let (next, decision) = bucket.take(state, 1_000);
            assert_eq!(decision, Decision::Allowed);
            state = Some(next);
        }
        let (next, decision) = bucket.take(state, 1_000);
        assert_eq!(decision, Decision::Wait(Duration::from_secs(1)));
        let (next, decision) = bucket.take(Some(next), 1_400);
        assert_eq!(decision, Decision::Wait(Duration::from_millis(600)), "0.4 of a token by then");
        let (_, decision) = bucket.take(Some(next), 2_000);
        assert_eq!(decision, Decision::Allowed);
    }

    #[test]
    fn the_bucket_never_holds_more_than_the_burst() {
        let bucket = Bucket::new(2, 60);
        let full = bucket.refilled(Some(State { tokens: 0.0, at_ms: 0 }), 3_600_000);
        assert_eq!(full.tokens, 2.0);
    }

    #[test]
    fn a_clock_that_goes_back_refills_nothing() {
        let bucket = Bucket::new(2, 60);
        let state = bucket.refilled(Some(State { tokens: 0.5, at_ms: 5_000 }), 4_000);
        assert_eq!(state, State { tokens: 0.5, at_ms: 5_000 });
    }
}
