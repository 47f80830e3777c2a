//! The `wasi:http` boundary: every request a plugin sends passes [`WasiHttpHooks::
//! send_request`] here, where the policy is applied. A denied request reaches the guest as
//! `HttpRequestDenied`, is logged with the plugin's name and counted, and nothing leaves the
//! machine.

use std::sync::Arc;

use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

use super::super::access::Access;
use super::allowlist::Allowlist;
use super::body::discard;
use super::client::{self, Failure, HttpLimits};
use super::policy::{Denied, Egress};
use crate::telemetry::{HttpOutcome, Metrics};

/// One plugin's way out: what it may reach and how long it may wait.
pub struct PluginEgress {
    pub allowlist: Arc<Allowlist>,
    /// The hosts the plugin's manifest requests, normalized.
    pub requested: Vec<String>,
    pub limits: HttpLimits,
    pub metrics: Arc<Metrics>,
}

impl PluginEgress {
    fn checker(&self) -> Egress<'_> {
        Egress { allowlist: &self.allowlist, requested: &self.requested }
    }
}

impl Access<PluginEgress> {
    /// Count `outcome` for the plugin.
    fn count(&self, egress: &PluginEgress, outcome: HttpOutcome) {
        egress.metrics.http_request(self.plugin().as_str(), outcome);
    }

    fn denied(&self, egress: &PluginEgress, url: &str, why: &Denied) -> Error {
        tracing::warn!(plugin = %self.plugin(), url, "outgoing HTTP request denied: {why}");
        self.count(egress, HttpOutcome::Denied);
        Error::HttpRequestDenied
    }
}

type Sending = Box<dyn Future<Output = Result<client::Sent, Error>> + Send>;

/// The hooks of one call's store.
impl WasiHttpHooks for Access<PluginEgress> {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Sending {
        let access = self.clone();
        // `http` needs no grant: every plugin's access is granted.
        let Ok(egress) = access.granted_shared() else {
            return Box::new(async { Err(Error::HttpRequestDenied) });
        };
        let url = request.uri().to_string();
        let target = match egress.checker().check_url(&url) {
            Ok(target) => target,
            Err(why) => {
                let error = access.denied(&egress, &url, &why);
                let deadline = tokio::time::Instant::now() + egress.limits.timeout;
                discard(request.into_body(), deadline);
                return Box::new(async move { Err(error) });
            }
        };
        Box::new(async move {
            match client::send(target, request, options, egress.limits).await {
                Ok(sent) => {
                    access.count(&egress, HttpOutcome::Sent);
                    Ok(sent)
                }
                Err(Failure::Denied(why)) => Err(access.denied(&egress, &url, &why)),
                Err(Failure::Http(error)) => {
                    tracing::info!(plugin = %access.plugin(), url, "outgoing HTTP request failed: {error}");
                    access.count(&egress, HttpOutcome::Failed);
                    Err(error)
                }
            }
        })
    }
}
