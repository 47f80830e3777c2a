//! The host capabilities plugins import, one file per WIT interface.
//!
//! `log` and `config` are always available; the rest only when granted (see
//! [`crate::config::Config::effective_grants`]). An ungranted capability still links, so one
//! build of a plugin runs under any policy, but every call to it fails with an error that
//! names the missing grant.

mod config;
mod kv;
mod llm;
mod log;
mod metrics;
mod scheduler;
mod store;

use serde::{Deserialize, Serialize};

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

impl std::fmt::Display for Capability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Capability::Kv => f.write_str("kv"),
            Capability::Llm => f.write_str("llm"),
            Capability::Metrics => f.write_str("metrics"),
            Capability::Scheduler => f.write_str("scheduler"),
            Capability::Store => f.write_str("store"),
        }
    }
}

pub use config::PluginConfig;
pub use kv::{KV_MAX_KEY_BYTES, KV_MAX_VALUE_BYTES};
pub use llm::LlmAccess;

/// What the capabilities (and the bookkeeping of plugin calls) are backed by, shared by
/// every plugin.
#[derive(Clone)]
pub struct Backends {
    pub storage: crate::storage::Storage,
    /// The configured language model, if any.
    pub llm: Option<std::sync::Arc<crate::llm::OpenAiClient>>,
    /// Where `embed` gets its vectors; `Err` says why there are none.
    pub embedder: Result<std::sync::Arc<crate::embed::Embedder>, String>,
    /// Where plugin calls are counted and timed.
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
    /// The time plugins see.
    pub clock: crate::clock::Clock,
    /// The bot's jobs; plugins keep theirs here through `scheduler`.
    pub cron: std::sync::Arc<crate::cron::Cron>,
    /// The operator's allowlist for plugins' `wasi:http` requests.
    pub allowlist: std::sync::Arc<crate::egress::Allowlist>,
    pub http_limits: crate::egress::HttpLimits,
}

use wasmtime::component::{HasSelf, Linker};

use crate::bindings::dcmaid::bot;
use crate::plugin::CallState;

/// Add WASI (with nothing granted: no files, no environment, no sockets), `wasi:http`
/// behind the egress policy, and every `dcmaid:bot` capability to `linker`.
pub fn add_to_linker(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_async(linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(linker)?;
    bot::types::add_to_linker::<_, HasSelf<CallState>>(linker, |state| state)?;
    bot::log::add_to_linker::<_, HasSelf<CallState>>(linker, |state| state)?;
    bot::kv::add_to_linker::<_, HasSelf<CallState>>(linker, |state| state)?;
    bot::config::add_to_linker::<_, HasSelf<CallState>>(linker, |state| state)?;
    bot::llm::add_to_linker::<_, HasSelf<CallState>>(linker, |state| state)?;
    bot::metrics::add_to_linker::<_, HasSelf<CallState>>(linker, |state| state)?;
    bot::scheduler::add_to_linker::<_, HasSelf<CallState>>(linker, |state| state)?;
    bot::store::add_to_linker::<_, HasSelf<CallState>>(linker, |state| state)?;
    Ok(())
}

impl bot::types::Host for CallState {}
