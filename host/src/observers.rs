//! Events for observer plugins, delivered off the critical path. Handling a message only puts
//! an event into a bounded queue, or drops it (counted) when the queue is full; a reply never
//! waits for an observer. One task delivers the queue to every observer, in order.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{Notify, Semaphore, mpsc};

use crate::bindings::Event;
use crate::metrics::{EventFate, Metrics};
use crate::plugin::Plugin;

pub struct Observers {
    /// `None` when no observer is loaded: events are then not even built.
    queue: Option<mpsc::Sender<Event>>,
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
    /// Start delivering to `observers` through a queue of `capacity` events. Each delivery
    /// takes one of `permits`, the permits message handling takes, so observers never
    /// exhaust the instance pool.
    pub fn start(
        observers: Vec<Arc<Plugin>>,
        capacity: usize,
        permits: Arc<Semaphore>,
        metrics: Arc<Metrics>,
    ) -> Observers {
        let progress = Arc::new(Progress::default());
        if observers.is_empty() {
            return Observers { queue: None, progress, metrics };
        }
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        tokio::spawn(deliver(receiver, observers, permits, progress.clone()));
        Observers { queue: Some(sender), progress, metrics }
    }

    /// Queue the event `make` builds, if anyone listens; drop it if the queue is full.
    pub fn publish(&self, make: impl FnOnce() -> Event) {
        let Some(queue) = &self.queue else { return };
        match queue.try_send(make()) {
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
    observers: Vec<Arc<Plugin>>,
    permits: Arc<Semaphore>,
    progress: Arc<Progress>,
) {
    while let Some(event) = queue.recv().await {
        for observer in &observers {
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
