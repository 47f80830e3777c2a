//! The plugins that serve now. A hot swap stores the next set in one atomic step; a message
//! holds the set it began with until it is answered, so it never sees half a swap.

use std::sync::Arc;

use arc_swap::{ArcSwap, Guard};

use crate::plugin::Plugins;

#[derive(Clone)]
pub struct LivePlugins(Arc<ArcSwap<Plugins>>);

impl LivePlugins {
    pub fn new(plugins: Plugins) -> LivePlugins {
        LivePlugins(Arc::new(ArcSwap::from_pointee(plugins)))
    }

    /// The set now, to hold for as long as one message or job needs it.
    pub fn current(&self) -> Arc<Plugins> {
        self.0.load_full()
    }

    /// A glance at the set now, cheaper than [`LivePlugins::current`]; not to be held.
    pub fn peek(&self) -> Guard<Arc<Plugins>> {
        self.0.load()
    }

    /// Serve `plugins` from now on.
    pub fn replace(&self, plugins: Plugins) {
        self.0.store(Arc::new(plugins));
    }
}
