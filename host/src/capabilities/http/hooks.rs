//! The `wasi:http` boundary: every request a plugin sends passes [`WasiHttpHooks::
//! send_request`] here, where the policy and the plugin's network budget are applied. A
//! denied request reaches the guest as `HttpRequestDenied` (a body too large as
//! `HttpRequestBodySize`), is logged with the plugin's name (a budget's refusals once a
//! minute) and counted, and nothing leaves the machine.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::OwnedSemaphorePermit;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

use super::super::access::Access;
use super::allowlist::Allowlist;
use super::body::{Capped, discard};
use super::client::{self, Failure, HttpLimits};
use super::policy::{Denied, Egress};
use crate::budget::{LimitName, PluginBudget, Refusal};
use crate::telemetry::{HttpOutcome, Metrics};

/// One plugin's way out: what it may reach and how long it may wait.
pub struct PluginEgress {
    pub allowlist: Arc<Allowlist>,
    /// What the operator granted this plugin alone.
    pub own: Allowlist,
    /// The hosts the plugin's manifest requests, normalized.
    pub requested: Vec<String>,
    pub limits: HttpLimits,
    pub metrics: Arc<Metrics>,
    /// Its requests in flight, per call, and a body's size.
    pub budget: Arc<PluginBudget>,
}

impl PluginEgress {
    fn checker(&self) -> Egress<'_> {
        Egress { allowlist: &self.allowlist, own: &self.own, requested: &self.requested }
    }
}

/// One call's way out: the plugin's egress, and how many requests the call has sent.
pub struct CallEgress {
    access: Access<PluginEgress>,
    sent: u32,
}

impl CallEgress {
    pub fn new(access: Access<PluginEgress>) -> CallEgress {
        CallEgress { access, sent: 0 }
    }

    /// The budget's word on one more request of `body_bytes` (when declared): the permit
    /// of a request in flight, held until the exchange ends.
    fn admit(
        &mut self,
        egress: &PluginEgress,
        body_bytes: Option<u64>,
    ) -> Result<OwnedSemaphorePermit, Refusal> {
        let budget = &egress.budget;
        let limits = &budget.limits().http;
        let plugin = budget.plugin();
        if let Some(bytes) = body_bytes.filter(|bytes| *bytes > limits.max_request_bytes) {
            let what = format!("plugin `{plugin}` sent a request body of {bytes} bytes");
            let limit = LimitName::HttpMaxRequestBytes;
            return Err(budget.refused(Refusal::quota(limit, limits.max_request_bytes, &what)));
        }
        if self.sent >= limits.requests_per_call {
            let what = format!("plugin `{plugin}` sent too many requests in one call");
            let limit = LimitName::HttpRequestsPerCall;
            let allowed = u64::from(limits.requests_per_call);
            return Err(budget.refused(Refusal::quota(limit, allowed, &what)));
        }
        let permit = budget.http_in_flight().clone().try_acquire_owned().map_err(|_| {
            let what = format!("plugin `{plugin}` has too many requests waiting for an answer");
            let limit = LimitName::HttpMaxInFlight;
            budget.refused(Refusal::quota(limit, u64::from(limits.max_in_flight), &what))
        })?;
        self.sent += 1;
        Ok(permit)
    }
}

impl Access<PluginEgress> {
    /// Count `outcome` for the plugin.
    fn count(&self, egress: &PluginEgress, outcome: HttpOutcome) {
        egress.metrics.http_request(self.plugin().as_str(), outcome);
    }

    fn denied(&self, egress: &PluginEgress, url: &str, why: &Denied) -> Error {
        // The URL is the guest's text: bounded and escaped before it reaches the log.
        let url = crate::core::one_line(crate::core::truncate(url, MAX_LOGGED_URL));
        tracing::warn!(plugin = %self.plugin(), %url, "outgoing HTTP request denied: {why}");
        self.count(egress, HttpOutcome::Denied);
        why.error_code()
    }
}

/// How much of a denied URL the log keeps.
const MAX_LOGGED_URL: usize = 256;

type Sending = Box<dyn Future<Output = Result<client::Sent, Error>> + Send>;

/// A request that is not sent: its body read to the end (by the deadline) and dropped, and
/// `error` for the guest.
fn refuse(request: http::Request<WasiBody>, limits: &HttpLimits, error: Error) -> Sending {
    discard(request.into_body(), tokio::time::Instant::now() + limits.timeout);
    Box::new(async move { Err(error) })
}

/// The hooks of one call's store.
impl WasiHttpHooks for CallEgress {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Sending {
        let access = self.access.clone();
        // `http` needs no grant: every plugin's access is granted.
        let Ok(egress) = access.granted_shared() else {
            return Box::new(async { Err(Error::HttpRequestDenied) });
        };
        let url = request.uri().to_string();
        let target = match egress.checker().check_url(&url) {
            Ok(target) => target,
            Err(why) => {
                let error = access.denied(&egress, &url, &why);
                return refuse(request, &egress.limits, error);
            }
        };
        let declared = request
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
        let permit = match self.admit(&egress, declared) {
            Ok(permit) => permit,
            Err(refusal) => {
                access.count(&egress, HttpOutcome::Denied);
                let error = match refusal.limit {
                    LimitName::HttpMaxRequestBytes => Error::HttpRequestBodySize(declared),
                    _ => Error::HttpRequestDenied,
                };
                return refuse(request, &egress.limits, error);
            }
        };
        // A body that does not declare its size is cut off where it passes the cap.
        let max_body = egress.budget.limits().http.max_request_bytes;
        let tripped = Arc::new(AtomicBool::new(false));
        let request = request.map(|body| Capped::request(body, max_body, tripped.clone()));
        Box::new(async move {
            match client::send(target, request, options, egress.limits).await {
                Ok((response, exchange)) => {
                    access.count(&egress, HttpOutcome::Sent);
                    // The request counts as in flight until its exchange ends.
                    let exchange = async move {
                        let _in_flight = permit;
                        Box::into_pin(exchange).await
                    };
                    Ok((response, Box::new(exchange) as _))
                }
                Err(Failure::Denied(why)) => Err(access.denied(&egress, &url, &why)),
                Err(Failure::Http(_)) if tripped.load(Ordering::Relaxed) => {
                    let budget = &egress.budget;
                    let what =
                        format!("plugin `{}` streamed too large a request body", budget.plugin());
                    let limit = LimitName::HttpMaxRequestBytes;
                    budget.refused(Refusal::quota(limit, max_body, &what));
                    access.count(&egress, HttpOutcome::Denied);
                    Err(Error::HttpRequestBodySize(Some(max_body)))
                }
                Err(Failure::Http(error)) => {
                    tracing::info!(plugin = %access.plugin(), url, "outgoing HTTP request failed: {error}");
                    access.count(&egress, HttpOutcome::Failed);
                    Err(error)
                }
            }
        })
    }
}
