//! The capabilities a plugin can request in its manifest and the operator can grant.
//! `log`, `config` and `wasi:http` (governed by the hosts a plugin requests) need no grant.

use serde::{Deserialize, Serialize};

use super::named::named;

/// A capability a plugin can request in its manifest and the operator can grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Capability {
    /// The plugin's private key-value store.
    Kv,
    /// The language model: `infer` and `embed`.
    Llm,
    /// Counters, gauges and histograms of the plugin's own on `/metrics`.
    Metrics,
    /// Jobs of the plugin's own that fire its `scheduled` export.
    Scheduler,
    /// The plugin's private document collections: vector and keyword search, relations.
    Store,
}

named!(Capability {
    Kv => "kv",
    Llm => "llm",
    Metrics => "metrics",
    Scheduler => "scheduler",
    Store => "store",
});
