//! The Redis connection replicas share (cron claims, rate limits), through fred: bounded
//! timeouts so that a Redis that went away is an error in two seconds rather than a hang,
//! and reconnection forever in the background, so that it is used again when it is back.

use std::time::Duration;

use fred::clients::SubscriberClient;
use fred::prelude::{Builder, Client, ClientLike, Config, ReconnectPolicy};
use serde::Deserialize;

/// Redis, for what replicas share: with it, each cron slot fires on one replica only.
#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisConfig {
    /// E.g. `redis://127.0.0.1:6379`. None: this process is the only replica.
    pub url: Option<String>,
    /// The secret every replica shares to seal swap announcements; `$DCMAID_REDIS_SECRET`
    /// when unset. None: swaps are not shared.
    pub secret: Option<String>,
}

/// Where the secret comes from when the config file does not say it.
pub const SECRET_ENV: &str = "DCMAID_REDIS_SECRET";
/// The shortest secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 16;

impl RedisConfig {
    /// The replicas' shared secret, from the file or the environment.
    pub fn secret(&self) -> Option<String> {
        self.secret.clone().or_else(|| std::env::var(SECRET_ENV).ok()).filter(|s| !s.is_empty())
    }

    pub fn check(&self) -> Result<(), String> {
        let min = MIN_SECRET_BYTES;
        match self.secret() {
            Some(secret) if secret.len() < min => Err(format!(
                "redis.secret (or ${SECRET_ENV}) must be at least {min} bytes; \
                 it is {} (make one with `openssl rand -hex 32`)",
                secret.len()
            )),
            _ => Ok(()),
        }
    }
}

/// Never the secret, which would otherwise reach a log with the configuration.
impl std::fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secret = self.secret.as_ref().map(|_| "<secret>");
        f.debug_struct("RedisConfig").field("url", &self.url).field("secret", &secret).finish()
    }
}
/// How long connecting to Redis, and each command, may take.
pub const TIMEOUT: Duration = Duration::from_secs(2);

/// A connected client for the Redis at `url`; fails at once when none answers there.
pub async fn connect(url: &str) -> Result<Client, fred::error::Error> {
    let client = builder(url)?.build()?;
    client.init().await?;
    Ok(client)
}

/// A client for subscriptions (swap announcements), with the same timeouts and reconnection.
pub async fn subscriber(url: &str) -> Result<SubscriberClient, fred::error::Error> {
    let client = builder(url)?.build_subscriber_client()?;
    client.init().await?;
    Ok(client)
}

fn builder(url: &str) -> Result<Builder, fred::error::Error> {
    let mut builder = Builder::from_config(Config::from_url(url)?);
    builder
        .with_connection_config(|connection| {
            connection.connection_timeout = TIMEOUT;
            connection.internal_command_timeout = TIMEOUT;
        })
        // Without it a command waits forever on a connection that died.
        .with_performance_config(|performance| {
            performance.default_command_timeout = TIMEOUT;
        })
        // A Redis that goes away later is reconnected to, forever, backing off to 5 s; the
        // first connection still fails at once (fred's `fail_fast`).
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2));
    Ok(builder)
}
