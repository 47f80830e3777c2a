//! With Redis, a swap made on one replica reaches every replica: the replica that swapped
//! publishes what it did on a channel, and each other replica does the same from its own
//! plugins directory (shared, or filled by the same install) within moments.

use std::sync::{Arc, Weak};

use fred::prelude::{ClientLike, EventInterface, PubsubInterface};
use serde::{Deserialize, Serialize};

use super::SwapError;
use crate::bot::Bot;
use crate::plugin::PluginName;

/// The channel swaps are announced on.
const CHANNEL: &str = "dcmaid:plugins";

/// What a swap did, as replicas tell each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SwapAction {
    /// Load the plugin anew from the plugins directory.
    Reload,
    /// Put back the version before.
    Rollback,
    /// Stop serving the plugin, and keep it stopped across restarts.
    Disable,
    /// Serve a disabled plugin again, loaded anew.
    Enable,
}

#[derive(Debug, Serialize, Deserialize)]
struct Announcement {
    plugin: PluginName,
    action: SwapAction,
    /// The replica that swapped, which ignores its own announcement.
    origin: String,
}

/// This replica's name on the channel: unique per process.
pub fn origin() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!("{}-{nanos:x}", std::process::id())
}

impl Bot {
    /// Swap `plugin` as `action` says, and tell the other replicas to do the same.
    pub async fn swap_everywhere(
        &self,
        plugin: &PluginName,
        action: SwapAction,
    ) -> Result<super::Swapped, SwapError> {
        let swapped = self.swap(plugin, action).await?;
        if let Some(redis) = self.redis() {
            let announcement = Announcement {
                plugin: plugin.clone(),
                action,
                origin: self.swaps().origin.clone(),
            };
            let text = serde_json::to_string(&announcement).unwrap_or_default();
            // The swap here stands; replicas that miss it still have the files to restart on.
            if let Err(error) = redis.publish::<i64, _, _>(CHANNEL, text).await {
                tracing::warn!(plugin = %plugin, "could not announce the swap to other replicas: {error}");
            }
        }
        Ok(swapped)
    }

    async fn swap(
        &self,
        plugin: &PluginName,
        action: SwapAction,
    ) -> Result<super::Swapped, SwapError> {
        match action {
            SwapAction::Reload => self.reload_plugin(plugin).await,
            SwapAction::Rollback => self.rollback_plugin(plugin).await,
            SwapAction::Disable => self.disable_plugin(plugin).await,
            SwapAction::Enable => self.enable_plugin(plugin).await,
        }
    }
}

/// Follow the other replicas' swaps, for as long as `bot` lives. Needs `[redis] url`.
pub async fn follow(bot: &Arc<Bot>, url: &str) -> Result<(), fred::error::Error> {
    let subscriber = crate::redis::subscriber(url).await?;
    subscriber.subscribe(CHANNEL).await?;
    // Resubscribes after a reconnection.
    let _managed = subscriber.manage_subscriptions();
    let mut messages = subscriber.message_rx();
    let bot: Weak<Bot> = Arc::downgrade(bot);
    tokio::spawn(async move {
        while let Ok(message) = messages.recv().await {
            let Some(bot) = bot.upgrade() else { break };
            let Some(text) = message.value.as_str() else { continue };
            let announcement: Announcement = match serde_json::from_str(&text) {
                Ok(announcement) => announcement,
                Err(error) => {
                    tracing::warn!("ignoring a malformed swap announcement: {error}");
                    continue;
                }
            };
            if announcement.origin == bot.swaps().origin {
                continue;
            }
            match bot.swap(&announcement.plugin, announcement.action).await {
                Ok(swapped) => {
                    tracing::info!(plugin = %swapped.plugin, to = ?swapped.to, "followed another replica's swap")
                }
                Err(error) => tracing::error!("could not follow another replica's swap: {error}"),
            }
        }
        let _ = subscriber.quit().await;
    });
    Ok(())
}
