//! `[rate_limit]` in `dcmaid.toml`: a token bucket per user and command (or tool), and one
//! per user for plain conversation; with `[redis]`, shared by every replica.

use serde::Deserialize;

use crate::core::{Bucket, check_range};

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Calls of one command (or tool) in a row.
    pub burst: u32,
    /// Calls a minute after the burst.
    pub per_minute: u32,
    /// Messages to the persona (anything that is not a command) in a row, per user.
    pub chat_burst: u32,
    /// Messages to the persona a minute after the burst, per user.
    pub chat_per_minute: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        // Conversation: a quick typist's pace with room for a pasted paragraph or two, far
        // below what would let one user keep the model and the persona busy for everyone.
        RateLimitConfig { burst: 10, per_minute: 30, chat_burst: 20, chat_per_minute: 30 }
    }
}

impl RateLimitConfig {
    /// Rules serde cannot express; the message names the field.
    pub fn check(&self) -> Result<(), String> {
        check_range("rate_limit.burst", self.burst, 1..=10_000)?;
        check_range("rate_limit.per_minute", self.per_minute, 1..=1_000_000)?;
        check_range("rate_limit.chat_burst", self.chat_burst, 1..=10_000)?;
        check_range("rate_limit.chat_per_minute", self.chat_per_minute, 1..=1_000_000)
    }

    /// The bucket of each user's command or tool.
    pub fn commands(&self) -> Bucket {
        Bucket::new(self.burst, self.per_minute)
    }

    /// The bucket of each user's conversation.
    pub fn chat(&self) -> Bucket {
        Bucket::new(self.chat_burst, self.chat_per_minute)
    }
}
