//! What every capability implements: [`Provider`]. Modelled on Spin's factors: a capability
//! has state shared by every plugin (its backend) and state per loaded plugin, built once
//! from what the plugin was granted ([`Provider::prepare`]). Each call holds the plugin's
//! state as an [`Access`] (a reference count, or why the plugin may not use it), and the
//! capability's WIT `Host` traits are implemented on that.

use std::collections::BTreeSet;

use wasmtime::component::Linker;
use wasmtime_wasi_http::WasiHttpView;

use super::access::Access;
use crate::budget::PluginBudget;
use crate::core::{Capability, PluginName, Role};

/// What a plugin brings when its capabilities are prepared.
pub struct PluginInfo<'a> {
    pub name: &'a PluginName,
    /// Its own database, which belongs to its identity (`crate::storage::Storage::database_of`).
    pub database: &'a str,
    pub role: Role,
    /// What it requested and the operator granted.
    pub granted: &'a BTreeSet<Capability>,
    /// Its manifest's `[config]`, and the operator's `[plugins.<name>.config]`.
    pub defaults: &'a toml::Table,
    pub overrides: &'a toml::Table,
    /// The hosts its manifest asks to reach, normalized; `*` for any.
    pub http_hosts: Vec<String>,
    /// The hosts the operator granted it alone, beyond the allowlist.
    pub http_grants: &'a super::http::allowlist::Allowlist,
    /// Whether it exports `scheduled` (its jobs would have nothing to fire without).
    pub fires: bool,
    /// What it may use over time and in total (its quotas, rates and budgets).
    pub budget: &'a std::sync::Arc<PluginBudget>,
}

/// Why a capability could not be set up for a plugin (its storage did not open, say).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PrepareError(pub String);

/// What [`Provider::prepare`] answers.
pub type Prepared<P> = Result<P, PrepareError>;

/// What a call's store data must offer every capability's linker entries.
pub trait CallView: WasiHttpView + Send + 'static {}

impl<T: WasiHttpView + Send + 'static> CallView for T {}

/// A host capability.
pub trait Provider: 'static {
    /// The grant a plugin needs to use it; `None`: every plugin has it.
    const GRANT: Option<Capability>;
    /// Shared by every plugin: the backend.
    type Shared: Send + Sync + 'static;
    /// What one loaded plugin holds, built from what it was granted.
    type Plugin: Send + Sync + 'static;

    /// The plugin's state. Only called when the plugin holds [`Provider::GRANT`].
    fn prepare(
        shared: &Self::Shared,
        plugin: &PluginInfo<'_>,
    ) -> impl Future<Output = Prepared<Self::Plugin>> + Send;

    /// Add the capability's interfaces to `linker`, reaching each call's state with `get`.
    fn add_to_linker<T: CallView>(
        linker: &mut Linker<T>,
        get: fn(&mut T) -> &mut Access<Self::Plugin>,
    ) -> wasmtime::Result<()>;
}

/// The usual [`Provider::add_to_linker`]: the entries of the WIT interface module `$wit`
/// (its bindings), each reaching the call's [`Access`]. For `capabilities/<name>/mod.rs`,
/// whose `super` is this folder.
macro_rules! linked {
    ($wit:ident) => {
        fn add_to_linker<T: super::provider::CallView>(
            linker: &mut wasmtime::component::Linker<T>,
            get: fn(&mut T) -> &mut super::access::Access<Self::Plugin>,
        ) -> wasmtime::Result<()> {
            type Data<P> = wasmtime::component::HasSelf<super::access::Access<P>>;
            $wit::add_to_linker::<T, Data<Self::Plugin>>(linker, get)
        }
    };
}

pub(super) use linked;
