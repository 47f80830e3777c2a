//! `[rate_limit]` in `dcmaid.toml`: a token bucket per user and command; with `[redis]`,
//! shared by every replica.

use serde::Deserialize;

use crate::core::check_range;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Calls of one command in a row.
    pub burst: u32,
    /// Calls a minute after the burst.
    pub per_minute: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig { burst: 10, per_minute: 30 }
    }
}

impl RateLimitConfig {
    /// Rules serde cannot express; the message names the field.
    pub fn check(&self) -> Result<(), String> {
        check_range("rate_limit.burst", self.burst, 1..=10_000)?;
        check_range("rate_limit.per_minute", self.per_minute, 1..=1_000_000)
    }
}
