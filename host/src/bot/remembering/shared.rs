//! What the pipeline's side of the queue ([`super::queue`]) and the worker share.

use std::sync::Arc;

use tokio::sync::{Notify, Semaphore};

use super::pending::Pending;
use crate::bot::live::LivePlugins;
use crate::capabilities::llm::Embedder;
use crate::core::Clock;
use crate::telemetry::Metrics;

/// What the pipeline and the worker share.
pub(super) struct Shared {
    pub(super) plugins: LivePlugins,
    pub(super) embedder: Option<Arc<Embedder>>,
    pub(super) pending: Pending,
    /// Room for one more queued turn per permit (`[limits] remember_queue`).
    pub(super) room: Arc<Semaphore>,
    /// Rung when a turn is queued.
    pub(super) wake: Notify,
    pub(super) metrics: Arc<Metrics>,
    pub(super) clock: Clock,
    /// This worker's name in the queue's claims: unique per process.
    pub(super) worker: String,
}
