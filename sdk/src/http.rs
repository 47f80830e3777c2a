//! Outgoing HTTP through `wasi:http`, blocking, for plugins whose calls are synchronous.
//!
//! The host decides where a request may go: the plugin's manifest lists the hosts it wants
//! (`http_hosts = ["api.github.com"]`), the operator's allowlist grants them, and anything
//! else fails with [`HttpError::Denied`] before a byte is sent. Redirects come back as
//! responses; the host never follows them. Responses are capped in size and time by the
//! operator (`[http]`).
//!
//! ```ignore
//! let response = dcmaid_sdk::http::get("https://api.github.com/repos/rust-lang/rust")?;
//! let repo: serde_json::Value = response.json()?;
//! ```

use wstd::http::{Body, Client, ErrorCode, Request};

pub use wstd::http::Method;

use crate::PluginError;

/// A response: status, headers and the whole body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, HttpError> {
        serde_json::from_slice(&self.body).map_err(|e| HttpError::Invalid(e.to_string()))
    }

    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let found = self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name));
        found.map(|(_, value)| value.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a request got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The host refused it: the operator's allowlist or the plugin's manifest does not
    /// grant the host, or not on that port.
    Denied,
    /// The URL cannot be fetched as written: not http or https, a user name in it, or not a
    /// URL at all.
    BadUrl(String),
    /// The name resolves to a loopback, private or link-local address, which plugins may not
    /// reach.
    PrivateAddress,
    /// The name does not resolve.
    NotFound,
    /// It took longer than the operator allows.
    Timeout,
    /// The response was larger than the operator allows.
    TooLarge,
    /// The request could not be built, or the response could not be read as asked.
    Invalid(String),
    /// The network or the server failed.
    Failed(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::Denied => f.write_str("the host's allowlist denied the request"),
            HttpError::BadUrl(why) => write!(f, "the URL cannot be fetched: {why}"),
            HttpError::PrivateAddress => {
                f.write_str("the name resolves to a private or local address")
            }
            HttpError::NotFound => f.write_str("the name does not resolve"),
            HttpError::Timeout => f.write_str("the request took too long"),
            HttpError::TooLarge => f.write_str("the response was too large"),
            HttpError::Invalid(why) => write!(f, "invalid request or response: {why}"),
            HttpError::Failed(why) => write!(f, "the request failed: {why}"),
        }
    }
}

impl std::error::Error for HttpError {}

impl From<HttpError> for PluginError {
    fn from(error: HttpError) -> Self {
        match error {
            HttpError::Invalid(_) => PluginError::Internal(error.to_string()),
            HttpError::BadUrl(_) | HttpError::PrivateAddress | HttpError::NotFound => {
                PluginError::InvalidInput(error.to_string())
            }
            _ => PluginError::Unavailable(error.to_string()),
        }
    }
}

/// `GET url`.
pub fn get(url: &str) -> Result<Response, HttpError> {
    send(Method::GET, url, &[], Vec::new())
}

/// Send a request with `headers` and `body` (empty for none).
pub fn send(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<Response, HttpError> {
    // As a browser reads it: `https://bücher.example/Köln` is
    // `https://xn--bcher-kva.example/K%C3%B6ln`, the form the host's allowlist is written in.
    let parsed = url::Url::parse(url.trim()).map_err(|e| HttpError::BadUrl(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(HttpError::BadUrl("only http and https URLs can be fetched".to_owned()));
    }
    let mut request = Request::builder().method(method).uri(parsed.as_str());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Body::from(body)).map_err(|e| HttpError::BadUrl(e.to_string()))?;
    wstd::runtime::block_on(async move {
        let response = Client::new().send(request).await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
            })
            .collect();
        let mut body = response.into_body();
        let body = body.contents().await.map_err(classify)?.to_vec();
        Ok(Response { status, headers, body })
    })
}

fn classify(error: wstd::http::Error) -> HttpError {
    match error.downcast_ref::<ErrorCode>() {
        Some(ErrorCode::HttpRequestDenied) => HttpError::Denied,
        Some(ErrorCode::HttpRequestUriInvalid) => {
            HttpError::BadUrl("not an http or https URL the host accepts".to_owned())
        }
        Some(ErrorCode::DestinationIpProhibited) => HttpError::PrivateAddress,
        Some(ErrorCode::DestinationNotFound | ErrorCode::DnsError(_)) => HttpError::NotFound,
        Some(
            ErrorCode::ConnectionTimeout
            | ErrorCode::ConnectionReadTimeout
            | ErrorCode::HttpResponseTimeout
            | ErrorCode::DnsTimeout,
        ) => HttpError::Timeout,
        Some(ErrorCode::HttpResponseBodySize(_)) => HttpError::TooLarge,
        Some(code) => HttpError::Failed(format!("{code:?}")),
        // A body that fails mid-stream arrives as the host's text, not a code.
        None => {
            let text = format!("{error:#}");
            let first_line = text.lines().next().unwrap_or_default().to_owned();
            let lower = first_line.to_lowercase();
            if lower.contains("body size") {
                HttpError::TooLarge
            } else if lower.contains("timeout") || lower.contains("timed out") {
                HttpError::Timeout
            } else {
                HttpError::Failed(first_line)
            }
        }
    }
}
