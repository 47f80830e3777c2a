//! What a swap does: the one word operators, the API and the replicas use for it.

use serde::{Deserialize, Serialize};

use crate::core::named;

/// What a swap did, as replicas tell each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SwapAction {
    /// Load the plugin anew from the plugins directory.
    Reload,
    /// Put back the version before.
    Rollback,
    /// Stop serving the plugin, and keep it stopped across restarts.
    Disable,
    /// Serve a disabled plugin again, loaded anew.
    Enable,
}

named!(SwapAction {
    Reload => "reload",
    Rollback => "rollback",
    Disable => "disable",
    Enable => "enable",
});
