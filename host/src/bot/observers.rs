//! Events for observer plugins, delivered off the critical path. Handling a message only puts
//! an event into a bounded queue, or drops it (counted) when the queue is full; a reply never
//! waits for an observer. One task delivers the queue to every observer, in order.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{Notify, Semaphore, mpsc};

use super::live::LivePlugins;
use crate::telemetry::{EventFate, Metrics};
use crate::wit::Event;

pub struct Observers {
    queue: mpsc::Sender<Event>,
    /// The plugins now, whose observers get each event as it is delivered (a hot swap
    /// changes who listens).
    plugins: LivePlugins,
    progress: Arc<Progress>,
    metrics: Arc<Metrics>,
}

/// How far delivery has come, so that [`Observers::flush`] can wait for it.
#[derive(Default)]
struct Progress {
    queued: AtomicU64,
    delivered: AtomicU64,
    changed: Notify,
}

impl Observers {
    /// Start delivering to the observers among `plugins` through a queue of `capacity`
    /// events. Each delivery takes one of `permits`, the permits message handling takes, so
    /// observers never exhaust the instance pool.
    pub fn start(
        plugins: LivePlugins,
        capacity: usize,
        permits: Arc<Semaphore>,
        metrics: Arc<Metrics>,
    ) -> Observers {
        let progress = Arc::new(Progress::default());
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        tokio::spawn(deliver(receiver, plugins.clone(), permits, progress.clone()));
        Observers { queue: sender, plugins, progress, metrics }
    }

    /// Queue the event `make` builds, if anyone listens; drop it if the queue is full.
    pub fn publish(&self, make: impl FnOnce() -> Event) {
        if !self.plugins.peek().has_observers() {
            return;
        }
        match self.queue.try_send(make()) {
            Ok(()) => {
                self.progress.queued.fetch_add(1, Ordering::SeqCst);
                self.metrics.observer_event(EventFate::Queued);
            }
            Err(_) => self.metrics.observer_event(EventFate::Dropped),
        }
    }

    /// Wait until every event queued so far has been delivered.
    pub async fn flush(&self) {
        let target = self.progress.queued.load(Ordering::SeqCst);
        loop {
            let changed = self.progress.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.progress.delivered.load(Ordering::SeqCst) >= target {
                return;
            }
            changed.await;
        }
    }
}

async fn deliver(
    mut queue: mpsc::Receiver<Event>,
    plugins: LivePlugins,
    permits: Arc<Semaphore>,
    progress: Arc<Progress>,
) {
    while let Some(event) = queue.recv().await {
        let plugins = plugins.current();
        for observer in plugins.observers() {
            let _permit = permits.acquire().await;
            // The failure is counted in the plugin's call metrics; the others still get it.
            if let Err(error) = observer.on_event(&event).await {
                tracing::warn!(plugin = %observer.name(), "observer failed on an event: {error}");
            }
        }
        progress.delivered.fetch_add(1, Ordering::SeqCst);
        progress.changed.notify_waiters();
    }
}
