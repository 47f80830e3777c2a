//! Discord through serenity: messages in DMs, and in guild channels when the bot is
//! mentioned or a command is written with the prefix, go through the pipeline; plugin
//! commands are registered as slash commands; a typing indicator shows while the reply is
//! made; replies over 2,000 characters are split; serenity keeps the gateway connected,
//! resuming after a drop. Enabled when the token's environment variable is set.

mod handler;
pub(crate) mod settings;
mod split;
mod trigger;

use std::sync::Arc;
use std::time::Duration;

use serenity::all::{ClientBuilder, GatewayIntents, HttpBuilder, ShardManager};

pub use settings::DiscordConfig;
pub use split::{MAX_MESSAGE_CHARS, split};
pub use trigger::addressed;

use crate::bot::Bot;
use handler::Handler;

#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    #[error("discord: cannot start the client: {0}")]
    Client(#[from] serenity::Error),
}

/// The running adapter; stop it with [`Discord::shutdown`].
pub struct Discord {
    shards: Arc<ShardManager>,
    task: tokio::task::JoinHandle<()>,
}

impl Discord {
    /// Connect, when the token's environment variable is set; `None` leaves Discord off.
    pub async fn from_env(
        config: &DiscordConfig,
        bot: Arc<Bot>,
    ) -> Result<Option<Discord>, DiscordError> {
        let Some(token) = std::env::var(&config.token_env).ok().filter(|t| !t.trim().is_empty())
        else {
            return Ok(None);
        };
        let mut http = HttpBuilder::new(token.trim());
        if let Some(proxy) = &config.api_proxy {
            // serenity's rate limiter sends to discord.com whatever the proxy; the handler
            // retries 429s itself instead.
            http = http.proxy(proxy.trim_end_matches('/')).ratelimiter_disabled(true);
        }
        let intents = GatewayIntents::GUILD_MESSAGES
            | GatewayIntents::DIRECT_MESSAGES
            | GatewayIntents::MESSAGE_CONTENT;
        let handler = Handler::new(bot, config.prefix.clone());
        let mut client =
            ClientBuilder::new_with_http(http.build(), intents).event_handler(handler).await?;
        let shards = client.shard_manager.clone();
        let task = tokio::spawn(async move {
            if let Err(error) = client.start().await {
                tracing::error!("discord: the client stopped: {error}");
            }
        });
        tracing::info!("discord: connecting");
        Ok(Some(Discord { shards, task }))
    }

    /// Close the gateway connection and wait (bounded) for the client to stop.
    pub async fn shutdown(self) {
        self.shards.shutdown_all().await;
        if tokio::time::timeout(Duration::from_secs(5), self.task).await.is_err() {
            tracing::warn!("discord: the client did not stop within 5 s");
        }
    }
}
