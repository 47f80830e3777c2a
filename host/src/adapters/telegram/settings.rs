//! `[telegram]` in `dcmaid.toml`.

use serde::Deserialize;

use crate::core::check_range;

/// Telegram. The adapter runs when the environment variable `token_env` names holds a token.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelegramConfig {
    pub token_env: String,
    /// The Bot API's address (a local Bot API server, or a test's fake).
    pub api_url: String,
    pub mode: TelegramMode,
    /// Webhook mode: the public URL Telegram posts updates to, ending in `/telegram/webhook`.
    pub webhook_url: Option<String>,
    /// Webhook mode: the environment variable holding the secret Telegram sends back.
    pub webhook_secret_env: String,
    /// How long one `getUpdates` long poll waits for news.
    pub poll_timeout_secs: u64,
}

impl Default for TelegramConfig {
    fn default() -> Self {
        TelegramConfig {
            token_env: "TELEGRAM_BOT_TOKEN".to_owned(),
            api_url: "https://api.telegram.org".to_owned(),
            mode: TelegramMode::Polling,
            webhook_url: None,
            webhook_secret_env: "TELEGRAM_WEBHOOK_SECRET".to_owned(),
            poll_timeout_secs: 30,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TelegramMode {
    Polling,
    Webhook,
}

impl TelegramConfig {
    /// Rules serde cannot express; the message names the field.
    pub fn check(&self) -> Result<(), String> {
        check_range("telegram.poll_timeout_secs", self.poll_timeout_secs, 1..=600)
    }
}
