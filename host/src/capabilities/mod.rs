//! The host capabilities plugins import, one folder each. Every capability implements
//! [`Provider`] (its shared backend, its state per plugin and per call, its linker entries,
//! its `Host` traits) and is named once in [`list`]; grants are checked in one place
//! ([`Access`]), so that a missing grant reads the same everywhere.
//!
//! `log`, `config` and `http` need no grant (`http` reaches only the hosts the operator's
//! allowlist and the plugin's manifest both name); the others only when the plugin's
//! manifest requests them and the operator grants them. An ungranted capability still
//! links, so one build of a plugin runs under any policy, but every call to it fails with
//! an error that names the missing grant. How to add a capability: `ARCHITECTURE.md`.

mod access;
pub mod config;
pub mod http;
pub mod kv;
mod list;
pub mod llm;
pub mod log;
pub mod metrics;
mod provider;
pub mod scheduler;
pub mod store;

pub use access::{Access, NotGranted};
pub use list::{CallCapabilities, HasCapabilities, PluginCapabilities, Shared, add_to_linker};
pub use provider::{CallView, PluginInfo, PrepareError, Prepared, Provider};
