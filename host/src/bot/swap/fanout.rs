//! With Redis, a swap made on one replica reaches every replica: the replica that swapped
//! publishes what it did on a channel, and each other replica does the same from its own
//! plugins directory (shared, or filled by the same install) within moments.

use std::sync::{Arc, Weak};

use fred::prelude::{ClientLike, EventInterface, PubsubInterface};
use serde::{Deserialize, Serialize};

use super::action::SwapAction;
use super::outcome::{SwapError, Swapped};
use super::swaps::Swaps;
use crate::core::PluginName;

/// The channel swaps are announced on.
const CHANNEL: &str = "dcmaid:plugins";

#[derive(Debug, Serialize, Deserialize)]
struct Announcement {
    plugin: PluginName,
    action: SwapAction,
    /// The replica that swapped, which ignores its own announcement.
    origin: String,
}

impl Swaps {
    /// Swap `plugin` as `action` says, and tell the other replicas to do the same.
    pub async fn swap_everywhere(
        &self,
        plugin: &PluginName,
        action: SwapAction,
    ) -> Result<Swapped, SwapError> {
        let swapped = self.swap(plugin, action).await?;
        if let Some(redis) = &self.redis {
            let announcement =
                Announcement { plugin: plugin.clone(), action, origin: self.origin.clone() };
            let text = serde_json::to_string(&announcement).unwrap_or_default();
            // The swap here stands; replicas that miss it still have the files to restart on.
            if let Err(error) = redis.publish::<i64, _, _>(CHANNEL, text).await {
                tracing::warn!(plugin = %plugin, "could not announce the swap to other replicas: {error}");
            }
        }
        Ok(swapped)
    }

    async fn swap(&self, plugin: &PluginName, action: SwapAction) -> Result<Swapped, SwapError> {
        match action {
            SwapAction::Reload => self.reload_plugin(plugin).await,
            SwapAction::Rollback => self.rollback_plugin(plugin).await,
            SwapAction::Disable => self.disable_plugin(plugin).await,
            SwapAction::Enable => self.enable_plugin(plugin).await,
        }
    }
}

/// Follow the other replicas' swaps, for as long as `swaps` lives. Needs `[redis] url`.
pub async fn follow(swaps: &Arc<Swaps>, url: &str) -> Result<(), fred::error::Error> {
    let subscriber = crate::redis::subscriber(url).await?;
    subscriber.subscribe(CHANNEL).await?;
    // Resubscribes after a reconnection.
    let _managed = subscriber.manage_subscriptions();
    let mut messages = subscriber.message_rx();
    let swaps: Weak<Swaps> = Arc::downgrade(swaps);
    tokio::spawn(async move {
        while let Ok(message) = messages.recv().await {
            let Some(swaps) = swaps.upgrade() else { break };
            let Some(text) = message.value.as_str() else { continue };
            let announcement: Announcement = match serde_json::from_str(&text) {
                Ok(announcement) => announcement,
                Err(error) => {
                    tracing::warn!("ignoring a malformed swap announcement: {error}");
                    continue;
                }
            };
            if announcement.origin == swaps.origin {
                continue;
            }
            match swaps.swap(&announcement.plugin, announcement.action).await {
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
