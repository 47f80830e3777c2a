//! The `wasi:http` boundary: every request a plugin sends passes [`WasiHttpHooks::
//! send_request`] here, where the policy is applied. A denied request reaches the guest as
//! `HttpRequestDenied`, is logged with the plugin's name and counted, and nothing leaves the
//! machine.

use std::sync::Arc;

use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

use super::client::{self, Failure, HttpLimits};
use super::{Allowlist, Denied, Egress};
use crate::metrics::{HttpOutcome, Metrics};

/// One plugin's way out: what it may reach and how long it may wait.
pub struct PluginEgress {
    pub plugin: String,
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

    fn denied(&self, url: &str, why: &Denied) -> Error {
        tracing::warn!(plugin = %self.plugin, url, "outgoing HTTP request denied: {why}");
        self.metrics.http_request(&self.plugin, HttpOutcome::Denied);
        Error::HttpRequestDenied
    }
}

/// The hooks of one call's store.
pub struct EgressHooks(pub Arc<PluginEgress>);

type Sending = Box<dyn Future<Output = Result<client::Sent, Error>> + Send>;

impl WasiHttpHooks for EgressHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Sending {
        let egress = self.0.clone();
        let url = request.uri().to_string();
        let target = match egress.checker().check_url(&url) {
            Ok(target) => target,
            Err(why) => {
                let error = egress.denied(&url, &why);
                let deadline = tokio::time::Instant::now() + egress.limits.timeout;
                super::body::discard(request.into_body(), deadline);
                return Box::new(async move { Err(error) });
            }
        };
        Box::new(async move {
            match client::send(target, request, options, egress.limits).await {
                Ok(sent) => {
                    egress.metrics.http_request(&egress.plugin, HttpOutcome::Sent);
                    Ok(sent)
                }
                Err(Failure::Denied(why)) => Err(egress.denied(&url, &why)),
                Err(Failure::Http(error)) => {
                    tracing::info!(plugin = %egress.plugin, url, "outgoing HTTP request failed: {error}");
                    egress.metrics.http_request(&egress.plugin, HttpOutcome::Failed);
                    Err(error)
                }
            }
        })
    }
}
