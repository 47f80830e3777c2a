//! The pipeline's side of the queue of turns to remember: [`Remembering::keep`] a turn
//! before its reply goes out, [`Remembering::settle`] a user's turns before a recall.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, Semaphore};

use super::pending::{Pending, Room};
use super::shared::{BACKLOG_PER_ROOM, Shared};
use super::turn::StoredMessage;
use super::worker;
use crate::bot::live::LivePlugins;
use crate::bot::recollection::remember;
use crate::budget::Background;
use crate::capabilities::llm::Embedder;
use crate::core::{Clock, Limits, Throttle};
use crate::plugin::Plugins;
use crate::storage::{QueuedTurn, Storage, TurnQueue};
use crate::telemetry::Metrics;
use crate::wit::Message;

/// How long a recall waits for the user's queued turns before it goes ahead without them.
pub const SETTLE_WAIT: Duration = Duration::from_secs(5);

pub struct Remembering {
    shared: Arc<Shared>,
    /// The queue could not be opened at start: every turn is remembered in line.
    queue: Option<TurnQueue>,
    write_failures: Throttle,
}

impl Remembering {
    /// Open the queue in `storage` and start its worker on `background`.
    pub async fn start(
        storage: &Storage,
        plugins: LivePlugins,
        embedder: Option<Arc<Embedder>>,
        limits: &Limits,
        background: &Background,
        metrics: Arc<Metrics>,
        clock: Clock,
    ) -> Remembering {
        let shared = Arc::new(Shared {
            plugins,
            embedder,
            pending: Pending::default(),
            room: Arc::new(Semaphore::new(limits.remember_queue.max(1) as usize)),
            backlog: Arc::new(Semaphore::new(
                limits.remember_queue.max(1) as usize * BACKLOG_PER_ROOM,
            )),
            wake: Notify::new(),
            metrics,
            clock,
            worker: worker_name(),
            answering: AtomicUsize::new(0),
            settling: AtomicUsize::new(0),
        });
        let queue = match TurnQueue::open(storage).await {
            Ok(queue) => {
                background.handle().spawn(worker::work(shared.clone(), queue.clone()));
                Some(queue)
            }
            Err(error) => {
                tracing::warn!("turns are remembered before their replies: no queue ({error})");
                None
            }
        };
        Remembering { shared, queue, write_failures: Throttle::per_minute() }
    }

    /// Keep the turn of `message` answered by `reply`, to be remembered after the reply.
    pub async fn keep(&self, plugins: &Plugins, message: &Message, reply: &str) {
        if plugins.memory().is_none() {
            return;
        }
        let Some(queue) = &self.queue else {
            return remember(plugins, message, reply).await;
        };
        let shared = &self.shared;
        // The semaphore is never closed.
        let Ok(backlog) = shared.backlog.clone().acquire_owned().await else { return };
        // No room in memory: the turn waits in the store alone, for the worker (or another
        // replica's) to claim once it has caught up; the reply does not wait for it.
        let room = Room::new(backlog, shared.room.clone().try_acquire_owned().ok());
        let turn = QueuedTurn {
            key: format!("{}-{}", shared.worker, message.id),
            user_id: message.user.id.clone(),
            message: serde_json::to_value(StoredMessage::from(message)).unwrap_or_default(),
            reply: reply.to_owned(),
            queued_at_ms: shared.clock.now_ms(),
            attempts: 0,
        };
        let holder = room.in_memory().then_some(shared.worker.as_str());
        match queue.push(&turn, holder).await {
            Ok(()) => {
                let depth = shared.pending.add(turn, room);
                shared.metrics.remember().depth(depth);
                shared.wake.notify_one();
            }
            Err(error) => {
                if let Some(held_back) = self.write_failures.allow("queue") {
                    tracing::warn!(
                        "cannot queue a turn ({error}; {held_back} more in the last minute): \
                         remembering it before the reply"
                    );
                }
                remember(plugins, message, reply).await;
            }
        }
    }

    /// A message is being answered for as long as the guard lives: the worker paces itself
    /// meanwhile ([`worker`]).
    pub fn answering(&self) -> Answering {
        self.shared.answering.fetch_add(1, Ordering::Relaxed);
        Answering(self.shared.clone())
    }

    /// Wait (up to [`SETTLE_WAIT`]) until the turns of `user` queued here are remembered.
    pub async fn settle(&self, user: &str) {
        let shared = &self.shared;
        shared.settling.fetch_add(1, Ordering::Relaxed);
        let settled = tokio::time::timeout(SETTLE_WAIT, shared.pending.settled(Some(user))).await;
        shared.settling.fetch_sub(1, Ordering::Relaxed);
        if settled.is_err() {
            tracing::debug!(user, "recalling before the user's last turns are remembered");
        }
    }

    /// Wait until every turn queued here is remembered (tests, benches, shutdown).
    pub async fn flush(&self) {
        self.shared.pending.settled(None).await;
    }
}

/// A name no other process has: the replica's turns are told apart by it in the queue.
fn worker_name() -> String {
    let mut bytes = [0u8; 6];
    // Without randomness the process id and time still tell replicas apart.
    if getrandom::fill(&mut bytes).is_err() {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        let seed = now.map_or(0, |d| d.as_nanos() as u64) ^ u64::from(std::process::id());
        bytes.copy_from_slice(&seed.to_le_bytes()[..6]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Held while a message is answered ([`Remembering::answering`]).
pub struct Answering(Arc<Shared>);

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.answering.fetch_sub(1, Ordering::Relaxed);
    }
}
