//! With Redis, a swap made on one replica reaches every replica: the replica that swapped
//! publishes what it did on a channel, and each other replica does the same from its own
//! plugins directory (shared, or filled by the same install) within moments. Whoever reaches
//! Redis can publish too, so announcements are sealed with the replicas' secret
//! ([`super::seal`]), and one whose seal fails changes nothing.

use std::sync::{Arc, Weak};

use fred::prelude::{ClientLike, EventInterface, PubsubInterface};
use serde::{Deserialize, Serialize};

use super::action::SwapAction;
use super::channel::CHANNEL;
use super::outcome::{SwapError, Swapped};
use super::seal::Rejected;
use super::swaps::Swaps;
use crate::core::{Clock, PluginName};

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
        // What this replica now serves from its folder goes on the shared shelf first, so
        // that the others find it there when they hear of the swap.
        if let (Some(shelf), SwapAction::Reload | SwapAction::Enable) = (&self.shelf, action)
            && let Err(error) = crate::plugin::shelf::publish(shelf, &self.folder(plugin)).await
        {
            tracing::warn!(plugin = %plugin, "could not put the plugin on the replicas' shelf: {error}");
        }
        if let Some(fanout) = &self.fanout {
            let announcement =
                Announcement { plugin: plugin.clone(), action, origin: self.origin.clone() };
            let text = serde_json::to_string(&announcement).unwrap_or_default();
            let sealed = fanout.seal.seal(&text, wall_ms());
            // The swap here stands; replicas that miss it still have the files to restart on.
            if let Err(error) = fanout.redis.publish::<i64, _, _>(CHANNEL, sealed).await {
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

/// Follow the other replicas' swaps, for as long as `swaps` lives. Needs `[redis] url` and
/// a secret; without the secret there is nothing to follow (the start said so).
pub async fn follow(
    swaps: &Arc<Swaps>,
    target: &crate::redis::RedisTarget,
) -> Result<(), fred::error::Error> {
    if swaps.fanout.is_none() {
        return Ok(());
    }
    let subscriber = crate::redis::subscriber(target).await?;
    subscriber.subscribe(CHANNEL).await?;
    // Resubscribes after a reconnection.
    let _managed = subscriber.manage_subscriptions();
    let mut messages = subscriber.message_rx();
    let swaps: Weak<Swaps> = Arc::downgrade(swaps);
    tokio::spawn(async move {
        while let Ok(message) = messages.recv().await {
            let Some(swaps) = swaps.upgrade() else { break };
            let Some(announcement) = swaps.opened(message.value.as_str().as_deref()) else {
                continue;
            };
            if announcement.origin == swaps.origin {
                continue;
            }
            if let (Some(shelf), SwapAction::Reload | SwapAction::Enable) =
                (&swaps.shelf, announcement.action)
                && let Err(error) =
                    crate::plugin::shelf::take(shelf, &swaps.plugins_dir, &announcement.plugin)
                        .await
            {
                tracing::warn!(plugin = %announcement.plugin, "could not take the plugin from the replicas' shelf: {error}");
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

impl Swaps {
    /// The announcement in a message on the channel, if it is sealed, fresh and new; else
    /// `None`, counted, and logged once a minute.
    fn opened(&self, text: Option<&str>) -> Option<Announcement> {
        let fanout = self.fanout.as_ref()?;
        let opened = match text {
            Some(text) => fanout.seal.open(text, wall_ms()),
            None => Err(Rejected::Malformed),
        };
        let announcement = opened.and_then(|body| {
            serde_json::from_str::<Announcement>(&body).map_err(|_| Rejected::Malformed)
        });
        match announcement {
            Ok(announcement) => Some(announcement),
            Err(rejected) => {
                self.metrics.swap_announcement_rejected(rejected.as_str());
                if let Some(held_back) = fanout.rejections.allow(rejected.as_str()) {
                    tracing::warn!(
                        reason = %rejected,
                        held_back,
                        "ignoring a swap announcement on `{CHANNEL}` that is {rejected}: \
                         only replicas with the same [redis] secret can announce swaps"
                    );
                }
                None
            }
        }
    }
}

/// The wall clock's milliseconds, which every replica's seal is checked against.
fn wall_ms() -> u64 {
    Clock::system().now_ms()
}
