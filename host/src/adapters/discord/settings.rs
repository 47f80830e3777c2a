//! `[discord]` in `dcmaid.toml`.

use serde::Deserialize;

/// Discord. The adapter runs when the environment variable `token_env` names holds a token.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiscordConfig {
    pub token_env: String,
    /// In guild channels the bot answers messages that mention it, and commands written
    /// with this prefix (`!hello Ann` runs `/hello Ann`). In DMs it answers everything.
    pub prefix: String,
    /// Send REST calls to this address instead of `https://discord.com` (an HTTP proxy for
    /// Discord's API, or a test's fake). serenity's rate limiter does not work through a
    /// proxy, so the adapter then retries `429`s itself.
    pub api_proxy: Option<String>,
}

impl Default for DiscordConfig {
    fn default() -> Self {
        DiscordConfig {
            token_env: "DISCORD_BOT_TOKEN".to_owned(),
            prefix: "!".to_owned(),
            api_proxy: None,
        }
    }
}

impl DiscordConfig {
    /// Rules serde cannot express; the message names the field.
    pub fn check(&self) -> Result<(), String> {
        let prefix = &self.prefix;
        if prefix.is_empty() || prefix.chars().count() > 8 || prefix.contains(char::is_whitespace) {
            return Err(format!(
                "discord.prefix: expected 1 to 8 characters without spaces, got `{prefix}`"
            ));
        }
        if let Some(url) = &self.api_proxy
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(format!(
                "discord.api_proxy: expected an http:// or https:// URL, got `{url}`"
            ));
        }
        Ok(())
    }
}
