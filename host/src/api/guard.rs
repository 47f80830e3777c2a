//! Who may reach the server at all, before any route. A web page the operator visits can
//! make the browser send requests to a server on loopback (DNS rebinding: a name of the
//! attacker's that resolves to 127.0.0.1), so the `Host` header is checked: a server bound
//! to loopback answers only to loopback names (`localhost`, `127.0.0.1`, `[::1]`) and to the
//! names `[server] hosts` adds; one bound elsewhere answers to any name unless `hosts` lists
//! them. `GET /metrics` wants `[server] metrics_token` as a bearer token when one is set.

use std::net::IpAddr;

use poem::http::{StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use super::auth::constant_time_eq;
use super::error::ErrorBody;
use super::settings::ServerConfig;

/// The names a request may carry in its `Host` header; `None`: any.
#[derive(Debug, Clone)]
pub struct AllowedHosts(Option<Vec<String>>);

impl AllowedHosts {
    pub fn of(server: &ServerConfig) -> AllowedHosts {
        let named = server.hosts.iter().map(|host| host.to_ascii_lowercase());
        if server.bind.ip().is_loopback() {
            let loopback = ["localhost", "127.0.0.1", "::1"].map(str::to_owned);
            return AllowedHosts(Some(loopback.into_iter().chain(named).collect()));
        }
        AllowedHosts((!server.hosts.is_empty()).then(|| named.collect()))
    }

    /// Whether a request with this `Host` header may be answered. A request without one
    /// (HTTP/1.0, a test client) carries no name to check; browsers always send it.
    pub fn allows(&self, host: Option<&str>) -> bool {
        let (Some(allowed), Some(host)) = (&self.0, host) else { return true };
        let name = host_name(host);
        let loopback_ip = name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        let is_loopback_name = allowed.iter().any(|a| a == "localhost") && loopback_ip;
        is_loopback_name || allowed.contains(&name)
    }
}

/// The name of a `Host` header, lower-cased, without its port or an IPv6 literal's brackets.
fn host_name(host: &str) -> String {
    let host = host.trim().to_ascii_lowercase();
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_owned();
    }
    host.rsplit_once(':').map_or(host.clone(), |(name, _port)| name.to_owned())
}

fn refusal(status: StatusCode, error: &str, field: &str) -> Response {
    let body = ErrorBody { error: error.to_owned(), field: Some(field.to_owned()) };
    (status, poem::web::Json(body)).into_response()
}

/// The middleware that answers only requests whose `Host` header its names allow.
pub struct Hosts(pub AllowedHosts);

impl<E: Endpoint> Middleware<E> for Hosts {
    type Output = HostGuard<E>;

    fn transform(&self, endpoint: E) -> HostGuard<E> {
        HostGuard { endpoint, allowed: self.0.clone() }
    }
}

pub struct HostGuard<E> {
    endpoint: E,
    allowed: AllowedHosts,
}

impl<E: Endpoint> Endpoint for HostGuard<E> {
    type Output = Response;

    async fn call(&self, request: Request) -> poem::Result<Response> {
        let host = request.header(header::HOST).map(str::to_owned);
        if !self.allowed.allows(host.as_deref()) {
            tracing::debug!(host = ?host.as_deref().map(crate::core::one_line), "refused a request for another host name");
            let error = "this server does not answer to that host name: add it to [server] hosts";
            return Ok(refusal(StatusCode::MISDIRECTED_REQUEST, error, "Host"));
        }
        self.endpoint.call(request).await.map(IntoResponse::into_response)
    }
}

/// The refusal of a request for `/metrics` without the token; `None` when it may read them
/// (always, without a token configured).
pub fn metrics_refusal(request: &Request, token: Option<&str>) -> Option<Response> {
    let token = token?;
    let given = request.header(header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer "));
    if given.is_some_and(|given| constant_time_eq(given.trim().as_bytes(), token.as_bytes())) {
        return None;
    }
    let mut response = refusal(
        StatusCode::UNAUTHORIZED,
        "the metrics want the bearer token of [server] metrics_token_env",
        "Authorization",
    );
    response.headers_mut().insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("a header"));
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(bind: &str, hosts: &[&str]) -> ServerConfig {
        ServerConfig {
            bind: bind.parse().unwrap(),
            hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
            ..ServerConfig::default()
        }
    }

    #[test]
    fn a_loopback_server_answers_to_loopback_names_and_those_configured() {
        let allowed = AllowedHosts::of(&server("127.0.0.1:8080", &["bot.lan"]));
        for host in ["localhost:8080", "127.0.0.1:8080", "127.0.0.2", "[::1]:8080", "LOCALHOST"] {
            assert!(allowed.allows(Some(host)), "{host}");
        }
        assert!(allowed.allows(Some("bot.lan:8080")));
        for host in ["evil.example", "evil.example:8080", "localhost.evil.example", "10.0.0.1"] {
            assert!(!allowed.allows(Some(host)), "{host}");
        }
        assert!(allowed.allows(None));
    }

    #[test]
    fn a_server_on_the_network_answers_to_any_name_unless_told() {
        assert!(AllowedHosts::of(&server("0.0.0.0:8080", &[])).allows(Some("anything")));
        let named = AllowedHosts::of(&server("0.0.0.0:8080", &["bot.example.org"]));
        assert!(named.allows(Some("bot.example.org")));
        assert!(!named.allows(Some("other.example.org")));
    }
}
