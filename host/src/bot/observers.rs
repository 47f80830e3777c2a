//! Events for observer plugins, delivered off the critical path. Handling a message only puts
//! an event into a bounded queue, or drops it (counted) when the queue is full; a reply never
//! waits for an observer. One task, on the background runtime and in the observer lane (see
//! [`crate::budget`]), delivers the queue to every observer, in order.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{Notify, mpsc};

use super::live::LivePlugins;
use crate::budget::{Background, CallContext, Lane};
use crate::core::Throttle;
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
    /// events, on the `background` runtime.
    pub fn start(
        plugins: LivePlugins,
        capacity: usize,
        background: &Background,
        metrics: Arc<Metrics>,
    ) -> Observers {
        let progress = Arc::new(Progress::default());
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        let delivery = deliver(receiver, plugins.clone(), progress.clone());
        background.handle().spawn(CallContext::background(Lane::Observer).scope(delivery));
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

async fn deliver(mut queue: mpsc::Receiver<Event>, plugins: LivePlugins, progress: Arc<Progress>) {
    // An observer that fails on every event is logged once a minute.
    let failures = Throttle::per_minute();
    while let Some(event) = queue.recv().await {
        let plugins = plugins.current();
        for observer in plugins.observers() {
            // The failure is counted in the plugin's call metrics; the others still get it.
            if let Err(error) = observer.on_event(&event).await
                && let Some(held_back) = failures.allow(observer.name().as_str())
            {
                let more = match held_back {
                    0 => String::new(),
                    n => format!(" ({n} more failures in the last minute)"),
                };
                tracing::warn!(plugin = %observer.name(), "observer failed on an event: {error}{more}");
            }
        }
        progress.delivered.fetch_add(1, Ordering::SeqCst);
        progress.changed.notify_waiters();
    }
}
