//! The one grant check. For each loaded plugin, a capability holds either its state or the
//! grant the plugin lacks; every call asks [`Access::granted`], and a missing grant reads
//! the same in every capability. The plugin's name comes along, for the log.

use std::sync::Arc;

use crate::core::{Capability, PluginName};

/// A capability as one plugin may use it.
pub struct Access<P> {
    plugin: PluginName,
    state: Result<Arc<P>, Capability>,
}

/// Why a call was refused: the plugin was not granted the capability.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "plugin `{plugin}` has no `{capability}` grant: request it in plugin.toml and grant it in \
     dcmaid.toml"
)]
pub struct NotGranted {
    pub plugin: PluginName,
    pub capability: Capability,
}

impl<P> Access<P> {
    pub fn granted_to(plugin: PluginName, state: P) -> Access<P> {
        Access { plugin, state: Ok(Arc::new(state)) }
    }

    pub fn refused_to(plugin: PluginName, lacking: Capability) -> Access<P> {
        Access { plugin, state: Err(lacking) }
    }

    /// The plugin this is for.
    pub fn plugin(&self) -> &PluginName {
        &self.plugin
    }

    /// The capability's state, or why the plugin may not use it.
    pub fn granted(&self) -> Result<&P, NotGranted> {
        self.state.as_deref().map_err(|capability| self.not_granted(*capability))
    }

    fn not_granted(&self, capability: Capability) -> NotGranted {
        NotGranted { plugin: self.plugin.clone(), capability }
    }
}

impl<P> Access<P> {
    /// [`Access::granted`], as a handle that outlives the call's borrow (for the futures
    /// of host functions that run after it returns).
    pub fn granted_shared(&self) -> Result<Arc<P>, NotGranted> {
        self.state.clone().map_err(|capability| self.not_granted(capability))
    }
}

impl<P> Clone for Access<P> {
    fn clone(&self) -> Self {
        Access { plugin: self.plugin.clone(), state: self.state.clone() }
    }
}
