//! The worker: claims queued turns in batches, embeds their texts in one run of the model,
//! hands each to the memory plugin (one user's turns in order, different users side by
//! side, in the memory lane and on each user's budgets) and removes what was remembered.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::join_all;

use super::shared::Shared;
use super::turn::StoredMessage;
use crate::budget::{CallContext, Lane};
use crate::core::Throttle;
use crate::plugin::Plugin;
use crate::storage::{QueuedTurn, StorageError, TurnQueue};
use crate::telemetry::TurnFate;

/// Turns claimed at once: a BERT model embeds 16 to 32 texts in a batch for far less per text
/// than one at a time.
pub const BATCH: usize = 32;
/// Tries a turn gets before it is given up.
pub const MAX_ATTEMPTS: u32 = 5;
/// How often an idle worker looks for turns it was not woken for (another replica's that
/// died, or an earlier process's).
const IDLE_POLL: Duration = Duration::from_secs(1);
/// The pause after a batch with failures, so that a failing plugin is not called in a loop.
const FAILURE_PAUSE: Duration = Duration::from_secs(1);

pub(super) async fn work(shared: Arc<Shared>, queue: TurnQueue) {
    let failures = Throttle::per_minute();
    loop {
        let plugins = shared.plugins.current();
        let Some(memory) = plugins.memory().cloned() else {
            idle(&shared).await;
            continue;
        };
        let turns = match next_turns(&shared, &queue).await {
            Ok(turns) => turns,
            Err(error) => {
                if let Some(held_back) = failures.allow("claim") {
                    tracing::warn!(
                        "cannot read the queue of turns to remember ({error}; {held_back} more in the last minute)"
                    );
                }
                tokio::time::sleep(FAILURE_PAUSE).await;
                continue;
            }
        };
        if turns.is_empty() {
            idle(&shared).await;
            continue;
        }
        let started = Instant::now();
        embed_ahead(&shared, &memory, &turns).await;
        let mut by_user: BTreeMap<&str, Vec<&QueuedTurn>> = BTreeMap::new();
        for turn in &turns {
            by_user.entry(turn.user_id.as_str()).or_default().push(turn);
        }
        let remembered = join_all(by_user.into_iter().map(|(user, turns)| {
            CallContext::remembering(user).scope(remember_in_order(&memory, turns, &failures))
        }))
        .await;
        let (done, failed): (Vec<_>, Vec<_>) =
            remembered.into_iter().flatten().partition(|(_, ok)| *ok);
        let done: Vec<&QueuedTurn> = done.into_iter().map(|(turn, _)| turn).collect();
        let keys: Vec<String> = done.iter().map(|turn| turn.key.clone()).collect();
        if let Err(error) = queue.remove(&keys).await
            && let Some(held_back) = failures.allow("remove")
        {
            // They stay claimed, and are remembered again once the claim expires.
            tracing::warn!(
                "cannot remove remembered turns from the queue ({error}; {held_back} more in the last minute)"
            );
        }
        let now = shared.clock.now_ms();
        for turn in done {
            let waited = Duration::from_millis(now.saturating_sub(turn.queued_at_ms));
            shared.metrics.remember().turn(TurnFate::Remembered, Some(waited));
            shared.metrics.remember().depth(shared.pending.done(&turn.key));
        }
        for (turn, _) in &failed {
            give_back(&shared, &queue, turn, &failures).await;
        }
        if !failed.is_empty() {
            tokio::time::sleep(FAILURE_PAUSE).await;
        } else if shared.yields() {
            // At most half the time while conversation goes on: even at the lowest priority,
            // the model's work slows the replies down through the cores' shared caches.
            tokio::time::sleep(started.elapsed()).await;
        }
    }
}

/// The next batch: the turns queued here, as they were queued (no query); when there are
/// none, the ones in the store that no live worker holds (an earlier process's, a dead
/// replica's, or failed ones given back).
async fn next_turns(shared: &Shared, queue: &TurnQueue) -> Result<Vec<QueuedTurn>, StorageError> {
    let own = shared.pending.take(BATCH);
    if !own.is_empty() {
        return Ok(own);
    }
    queue.claim(&shared.worker, shared.clock.now_ms(), BATCH).await
}

/// Wait to be woken by a queued turn, or for [`IDLE_POLL`].
async fn idle(shared: &Shared) {
    let _ = tokio::time::timeout(IDLE_POLL, shared.wake.notified()).await;
}

/// Embed the texts of `turns` in one run, charged to the memory plugin, so that its own
/// `embed` of each finds the vector among the recent ones. A failure here is the plugin's
/// to meet and report when it embeds.
async fn embed_ahead(shared: &Shared, memory: &Arc<Plugin>, turns: &[QueuedTurn]) {
    let Some(embedder) = &shared.embedder else { return };
    let texts: Vec<String> = turns
        .iter()
        .filter_map(|turn| turn.message.get("text")?.as_str())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
        .collect();
    if !texts.is_empty() {
        let charge = Some(memory.budget().clone());
        let embedded = embedder.embed_for(&texts, charge);
        let _ = CallContext::background(Lane::Memory).scope(embedded).await;
    }
}

/// Remember one user's `turns` in order; each with whether it was remembered.
async fn remember_in_order<'t>(
    memory: &Arc<Plugin>,
    turns: Vec<&'t QueuedTurn>,
    failures: &Throttle,
) -> Vec<(&'t QueuedTurn, bool)> {
    let mut results = Vec::with_capacity(turns.len());
    for turn in turns {
        let stored: Option<StoredMessage> = serde_json::from_value(turn.message.clone()).ok();
        let Some(message) = stored.and_then(StoredMessage::message) else {
            // Nothing a later try could change: counted as failed until given up.
            results.push((turn, false));
            continue;
        };
        let ok = match memory.remember(&message, &turn.reply).await {
            Ok(()) => true,
            Err(error) => {
                if let Some(held_back) = failures.allow("remember") {
                    tracing::warn!(plugin = %memory.name(), "a turn was not remembered, and will be tried again: {error} ({held_back} more in the last minute)");
                }
                false
            }
        };
        results.push((turn, ok));
    }
    results
}

/// Turn `turn` failed: back to the queue for a later try, or given up after
/// [`MAX_ATTEMPTS`].
async fn give_back(shared: &Shared, queue: &TurnQueue, turn: &QueuedTurn, failures: &Throttle) {
    let give_up = turn.attempts + 1 >= MAX_ATTEMPTS;
    let kept = match give_up {
        true => queue.remove(std::slice::from_ref(&turn.key)).await,
        false => queue.release(&turn.key).await,
    };
    if let Err(error) = kept
        && let Some(held_back) = failures.allow("give back")
    {
        tracing::warn!(
            "cannot put a failed turn back in the queue ({error}; {held_back} more in the last minute)"
        );
    }
    if give_up {
        tracing::warn!(user = %turn.user_id, "a turn failed to be remembered {MAX_ATTEMPTS} times and is given up");
    }
    let fate = if give_up { TurnFate::GivenUp } else { TurnFate::Retried };
    shared.metrics.remember().turn(fate, None);
    // Done here either way: a recall does not wait for a turn that keeps failing.
    shared.metrics.remember().depth(shared.pending.done(&turn.key));
}
