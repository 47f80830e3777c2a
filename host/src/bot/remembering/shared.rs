//! What the pipeline's side of the queue ([`super::queue`]) and the worker share.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Notify, Semaphore};

use super::pending::Pending;
use crate::bot::live::LivePlugins;
use crate::capabilities::llm::Embedder;
use crate::core::Clock;
use crate::telemetry::Metrics;

/// How many turns a replica's backlog holds for each one it holds in memory.
pub(super) const BACKLOG_PER_ROOM: usize = 10;

/// What the pipeline and the worker share.
pub(super) struct Shared {
    pub(super) plugins: LivePlugins,
    pub(super) embedder: Option<Arc<Embedder>>,
    pub(super) pending: Pending,
    /// Room for one more queued turn per permit (`[limits] remember_queue`).
    pub(super) room: Arc<Semaphore>,
    /// Room for one more turn in this replica's backlog, in memory or in the store alone
    /// ([`BACKLOG_PER_ROOM`] times `remember_queue`): past it a reply waits, so that a flood
    /// cannot fill the disk with turns the model will take hours to embed.
    pub(super) backlog: Arc<Semaphore>,
    /// Rung when a turn is queued.
    pub(super) wake: Notify,
    pub(super) metrics: Arc<Metrics>,
    pub(super) clock: Clock,
    /// This worker's name in the queue's claims: unique per process.
    pub(super) worker: String,
    /// Messages being answered now ([`super::Remembering::answering`]), and of those, the
    /// ones waiting for the worker ([`super::Remembering::settle`]).
    pub(super) answering: AtomicUsize,
    pub(super) settling: AtomicUsize,
}

impl Shared {
    /// Whether the worker should rest between batches: messages are being answered, and
    /// none of them waits for it.
    pub(super) fn yields(&self) -> bool {
        self.answering.load(Ordering::Relaxed) > 0 && self.settling.load(Ordering::Relaxed) == 0
    }
}
