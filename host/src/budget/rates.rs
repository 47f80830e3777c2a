//! Requests and tokens of the language model over a sliding minute and day: for each plugin,
//! and for each user. A request is counted when it starts (so that many at once cannot all
//! pass), its tokens when the answer says how many it took.

use super::limit::{LimitName, Refusal};
use crate::core::Window;

/// What a budget allows: requests and tokens a minute and a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub requests_per_minute: u64,
    pub requests_per_day: u64,
    pub tokens_per_minute: u64,
    pub tokens_per_day: u64,
}

/// The names these limits go by: a plugin's, or a user's.
#[derive(Debug, Clone, Copy)]
pub struct RateNames {
    pub requests_per_minute: LimitName,
    pub requests_per_day: LimitName,
    pub tokens_per_minute: LimitName,
    pub tokens_per_day: LimitName,
}

pub const PLUGIN_RATES: RateNames = RateNames {
    requests_per_minute: LimitName::LlmRequestsPerMinute,
    requests_per_day: LimitName::LlmRequestsPerDay,
    tokens_per_minute: LimitName::LlmTokensPerMinute,
    tokens_per_day: LimitName::LlmTokensPerDay,
};

pub const USER_RATES: RateNames = RateNames {
    requests_per_minute: LimitName::UserLlmRequestsPerMinute,
    requests_per_day: LimitName::UserLlmRequestsPerDay,
    tokens_per_minute: LimitName::UserLlmTokensPerMinute,
    tokens_per_day: LimitName::UserLlmTokensPerDay,
};

/// What was used, over the sliding minute and day.
#[derive(Debug, Clone)]
pub struct Rates {
    requests_minute: Window,
    requests_day: Window,
    tokens_minute: Window,
    tokens_day: Window,
}

/// Use beside the limits, for the operator.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, poem_openapi::Object,
)]
pub struct RatesView {
    pub requests_last_minute: u64,
    pub requests_per_minute: u64,
    pub requests_last_day: u64,
    pub requests_per_day: u64,
    pub tokens_last_minute: u64,
    pub tokens_per_minute: u64,
    pub tokens_last_day: u64,
    pub tokens_per_day: u64,
}

impl Default for Rates {
    fn default() -> Self {
        Rates {
            requests_minute: Window::minute(),
            requests_day: Window::day(),
            tokens_minute: Window::minute(),
            tokens_day: Window::day(),
        }
    }
}

impl Rates {
    /// Start a request at `now_ms` if every limit still has room; `what` says whose.
    pub fn begin(
        &mut self,
        limits: &RateLimits,
        names: &RateNames,
        now_ms: u64,
        what: &str,
    ) -> Result<(), Refusal> {
        self.check(limits, names, now_ms, what)?;
        self.requests_minute.add(now_ms, 1);
        self.requests_day.add(now_ms, 1);
        Ok(())
    }

    /// Whether every limit still has room for a request at `now_ms`.
    pub fn check(
        &self,
        limits: &RateLimits,
        names: &RateNames,
        now_ms: u64,
        what: &str,
    ) -> Result<(), Refusal> {
        let checks = [
            (&self.requests_minute, limits.requests_per_minute, names.requests_per_minute),
            (&self.requests_day, limits.requests_per_day, names.requests_per_day),
            (&self.tokens_minute, limits.tokens_per_minute, names.tokens_per_minute),
            (&self.tokens_day, limits.tokens_per_day, names.tokens_per_day),
        ];
        for (window, allowed, limit) in checks {
            if window.total(now_ms) >= allowed {
                let wait = window.retry_after(now_ms, allowed);
                return Err(Refusal::rate(limit, allowed, wait, what));
            }
        }
        Ok(())
    }

    /// A request took `tokens`.
    pub fn spent(&mut self, now_ms: u64, tokens: u64) {
        self.tokens_minute.add(now_ms, tokens);
        self.tokens_day.add(now_ms, tokens);
    }

    /// Whether anything still counts at `now_ms` (an idle user's entry can be forgotten).
    pub fn is_idle(&self, now_ms: u64) -> bool {
        self.requests_day.total(now_ms) == 0 && self.tokens_day.total(now_ms) == 0
    }

    pub fn view(&self, limits: &RateLimits, now_ms: u64) -> RatesView {
        RatesView {
            requests_last_minute: self.requests_minute.total(now_ms),
            requests_per_minute: limits.requests_per_minute,
            requests_last_day: self.requests_day.total(now_ms),
            requests_per_day: limits.requests_per_day,
            tokens_last_minute: self.tokens_minute.total(now_ms),
            tokens_per_minute: limits.tokens_per_minute,
            tokens_last_day: self.tokens_day.total(now_ms),
            tokens_per_day: limits.tokens_per_day,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: RateLimits = RateLimits {
        requests_per_minute: 2,
        requests_per_day: 100,
        tokens_per_minute: 1_000,
        tokens_per_day: 1_500,
    };

    #[test]
    fn requests_then_tokens_run_out_and_say_which_limit() {
        let mut rates = Rates::default();
        rates.begin(&LIMITS, &PLUGIN_RATES, 0, "x").unwrap();
        rates.begin(&LIMITS, &PLUGIN_RATES, 0, "x").unwrap();
        let refused = rates.begin(&LIMITS, &PLUGIN_RATES, 1_000, "x").unwrap_err();
        assert_eq!(refused.limit, LimitName::LlmRequestsPerMinute);
        assert!(refused.retry_after.is_some());
        rates.spent(61_000, 1_600);
        let refused = rates.begin(&LIMITS, &PLUGIN_RATES, 61_000, "x").unwrap_err();
        assert_eq!(refused.limit, LimitName::LlmTokensPerMinute);
        let refused = rates.begin(&LIMITS, &PLUGIN_RATES, 200_000, "x").unwrap_err();
        assert_eq!(refused.limit, LimitName::LlmTokensPerDay, "a minute later, the day is spent");
    }
}
