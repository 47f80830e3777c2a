//! Every capability, in one list. Adding a capability is: a folder that implements
//! [`Provider`], a line in the list at the end of this file, its WIT in `wit/`, and, if it
//! needs a grant, its name in [`Capability`]. The rest (the state each plugin and each call
//! holds, the grant check, the linker entries) follows from the list.

use std::collections::BTreeSet;

use wasmtime::component::Linker;

use super::access::Access;
use super::provider::{CallView, PluginInfo, PrepareError, Provider};
use super::{config, http, kv, llm, log, metrics, scheduler, store};
use crate::core::Capability;

/// Store data that holds a call's capabilities.
pub trait HasCapabilities {
    fn capabilities(&mut self) -> &mut CallCapabilities;
}

/// `C`'s state for `plugin`: prepared when the plugin holds `C`'s grant (or `C` needs none),
/// else the reason every call will be refused.
async fn access<C: Provider>(
    shared: &C::Shared,
    plugin: &PluginInfo<'_>,
) -> Result<Access<C::Plugin>, PrepareError> {
    let name = plugin.name.clone();
    match C::GRANT {
        Some(capability) if !plugin.granted.contains(&capability) => {
            Ok(Access::refused_to(name, capability))
        }
        _ => Ok(Access::granted_to(name, C::prepare(shared, plugin).await?)),
    }
}

macro_rules! capabilities {
    ($($(#[$doc:meta])* $field:ident: $provider:ty,)*) => {
        /// Every capability's shared state (its backend), built once when the bot starts.
        pub struct Shared {
            $($(#[$doc])* pub $field: <$provider as Provider>::Shared,)*
        }

        /// Every capability of one loaded plugin, as its grants allow.
        pub struct PluginCapabilities {
            granted: BTreeSet<Capability>,
            $($field: Access<<$provider as Provider>::Plugin>,)*
        }

        /// Every capability's state for one call.
        pub struct CallCapabilities {
            $(pub $field: Access<<$provider as Provider>::Plugin>,)*
        }

        impl PluginCapabilities {
            /// Prepare every capability for `plugin` as its grants allow.
            pub async fn prepare(
                shared: &Shared,
                plugin: &PluginInfo<'_>,
            ) -> Result<PluginCapabilities, PrepareError> {
                Ok(PluginCapabilities {
                    granted: plugin.granted.clone(),
                    $($field: access::<$provider>(&shared.$field, plugin).await?,)*
                })
            }

            /// The state of one call.
            pub fn call(&self) -> CallCapabilities {
                CallCapabilities { $($field: self.$field.clone(),)* }
            }
        }

        /// Add every capability's interfaces to `linker`.
        pub fn add_to_linker<T: CallView + HasCapabilities>(
            linker: &mut Linker<T>,
        ) -> wasmtime::Result<()> {
            $(<$provider as Provider>::add_to_linker(linker, |data: &mut T| {
                &mut data.capabilities().$field
            })?;)*
            Ok(())
        }
    };
}

impl PluginCapabilities {
    /// What the plugin requested and the operator granted.
    pub fn granted(&self) -> &BTreeSet<Capability> {
        &self.granted
    }

    /// Measure what the plugin stores (kv, store) for its quotas, if that was not done yet
    /// (a write does it first); a failure is logged and the usage stays unknown.
    pub async fn measure_usage(&self) {
        if let Ok(kv) = self.kv.granted()
            && let Err(error) = kv.measured().await
        {
            tracing::warn!(plugin = %self.kv.plugin(), "cannot measure its kv usage: {error}");
        }
        if let Ok(store) = self.store.granted()
            && let Err(error) = store.measure_usage().await
        {
            tracing::warn!(plugin = %self.store.plugin(), "cannot measure its store usage: {error}");
        }
    }
}

capabilities! {
    /// Log lines, tagged with the plugin's name.
    log: log::Log,
    /// The plugin's settings.
    config: config::Config,
    /// Each plugin's key-value table.
    kv: kv::Kv,
    /// The language model and the embeddings.
    llm: llm::Llm,
    /// The metrics plugins define for themselves.
    metrics: metrics::Metrics,
    /// The bot's jobs, where plugins keep theirs.
    scheduler: scheduler::Scheduler,
    /// Each plugin's document collections.
    store: store::Store,
    /// `wasi:http`, behind the egress policy.
    http: http::Http,
}
