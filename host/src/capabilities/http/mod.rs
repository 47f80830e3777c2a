//! `wasi:http`, behind the egress policy. A request passes when its URL is HTTPS (or plain
//! HTTP to a host and port the operator granted exactly), carries no userinfo, names a host
//! that is both on the operator's allowlist and among the hosts the plugin's manifest
//! requests, on the granted port; and when every address the host resolves to is public
//! ([`address`]), unless the operator granted that IP literal itself. The address that was
//! checked is the one to connect to, so a DNS answer that changes in between (DNS rebinding)
//! cannot redirect the connection ([`client`]). The checks: [`policy`]; the boundary where
//! they are applied: [`hooks`].

pub mod address;
pub mod allowlist;
mod body;
mod client;
mod hooks;
pub mod policy;
mod settings;

use std::sync::Arc;

use wasmtime::component::Linker;

pub use allowlist::{Allowlist, Grant};
pub use client::HttpLimits;
pub use hooks::{CallEgress, PluginEgress};
pub use policy::{Denied, Egress, Target};
pub use settings::HttpConfig;

use super::access::Access;
use super::provider::{CallView, PluginInfo, Prepared, Provider};
use crate::core::Capability;
use crate::telemetry::Metrics;

/// The `http` capability: every plugin has it, and reaches what its manifest asks for and
/// the operator's allowlist allows.
pub struct Http;

/// What every plugin's requests are checked against.
pub struct HttpShared {
    pub allowlist: Arc<Allowlist>,
    pub limits: HttpLimits,
    pub metrics: Arc<Metrics>,
}

impl Provider for Http {
    const GRANT: Option<Capability> = None;
    type Shared = HttpShared;
    type Plugin = PluginEgress;

    async fn prepare(shared: &HttpShared, plugin: &PluginInfo<'_>) -> Prepared<PluginEgress> {
        Ok(PluginEgress {
            allowlist: shared.allowlist.clone(),
            own: plugin.http_grants.clone(),
            requested: plugin.http_hosts.clone(),
            limits: shared.limits,
            metrics: shared.metrics.clone(),
            budget: plugin.budget.clone(),
        })
    }

    /// `wasi:http`'s interfaces reach the call's state through [`CallView`]'s
    /// `WasiHttpView`, whose hooks are the call's [`PluginEgress`].
    fn add_to_linker<T: CallView>(
        linker: &mut Linker<T>,
        _: fn(&mut T) -> &mut Access<PluginEgress>,
    ) -> wasmtime::Result<()> {
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(linker)
    }
}
