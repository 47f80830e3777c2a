//! What came of a swap: the versions before and after, or why it was refused (the version
//! before, if any, then keeps serving).

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::plugin::LoadError;

/// A swap that was made.
#[derive(Debug, Clone, Serialize)]
pub struct Swapped {
    pub plugin: String,
    /// The version replaced; none when the plugin is new.
    pub from: Option<String>,
    /// The version serving now; none when the plugin was disabled.
    pub to: Option<String>,
    /// From reading the files to serving the new version.
    #[serde(serialize_with = "as_millis")]
    pub took: Duration,
}

fn as_millis<S: serde::Serializer>(took: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u128(took.as_millis())
}

/// Why a swap was not made; the old version, if any, still serves.
#[derive(Debug, thiserror::Error)]
pub enum SwapError {
    #[error("no plugin `{plugin}` is installed: {} is missing", manifest.display())]
    NotInstalled { plugin: String, manifest: PathBuf },
    #[error("plugin `{plugin}` refused; the version before keeps serving: {source}")]
    Refused { plugin: String, source: LoadError },
    #[error("the manifest in the folder of `{plugin}` names the plugin `{named}`")]
    WrongName { plugin: String, named: String },
    #[error("plugin `{plugin}` has no earlier version to roll back to")]
    NoPrevious { plugin: String },
    #[error("plugin `{plugin}` is disabled; enable it to load it again")]
    Disabled { plugin: String },
    #[error("plugin `{plugin}`: cannot change {}: {source}", path.display())]
    Files { plugin: String, path: PathBuf, source: std::io::Error },
}
