//! Plugins: their manifests, the operator's policy for them, loading them into pre-linked
//! components, calling their exports, the set that serves, and the shelf replicas share.

mod args;
mod calls;
mod catalog;
mod conflicts;
mod load;
mod loaded;
mod output;
mod policy;
pub mod shelf;

pub use crate::manifest::Manifest;
pub use catalog::{BUILT_IN_COMMANDS, DISABLED_MARKER, FailedPlugin, Plugins, is_disabled};
pub use conflicts::Conflict;
pub use load::{LoadError, Loader, component_version, vet, wit_declared};
pub use loaded::Plugin;
pub use output::Output;
pub use policy::{PluginEntry, PluginPolicy};

pub use crate::wit::latest::exports::dcmaid::bot::memory::Recalled;
