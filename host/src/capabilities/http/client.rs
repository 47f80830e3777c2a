//! Sending a plugin's request once its URL passed: resolve the host here, check every
//! address, then connect to exactly the address that was checked (TLS still verifies the
//! host's name), so that a DNS answer that changes in between cannot redirect the
//! connection. Redirects are handed to the guest, never followed; proxy variables in the
//! environment are ignored; the whole exchange and the body's size are bounded.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::client::conn::http1::SendRequest;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{self, pki_types::ServerName};
use wasmtime_wasi::runtime::AbortOnDropJoinHandle;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

use super::body::{Capped, discard};
use super::policy::{Denied, Egress, Target};

/// How long a plugin's request may take and how much may come back.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// From resolving the host to the last byte of the body.
    pub timeout: Duration,
    pub max_response_bytes: u64,
}

/// Why a request did not get a response.
pub enum Failure {
    /// The policy refused it: nothing was sent.
    Denied(Denied),
    /// The network, the server or a limit.
    Http(Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Http(error)
    }
}

/// The response, and the connection's task, which ends with the exchange.
pub type Sent = (http::Response<WasiBody>, Box<dyn Future<Output = Result<(), Error>> + Send>);

/// Send `request` to `target`, which passed [`Egress::check_url`].
pub async fn send(
    target: Target,
    mut request: http::Request<WasiBody>,
    options: Option<RequestOptions>,
    limits: HttpLimits,
) -> Result<Sent, Failure> {
    let deadline = Instant::now() + limits.timeout;
    let (mut sender, connection) = match connect(&target, options, deadline).await {
        Ok(connected) => connected,
        Err(failure) => {
            discard(request.into_body(), deadline);
            return Err(failure);
        }
    };

    // On the wire, HTTP/1.1 names only the path; the host travels in the Host header.
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    *request.uri_mut() = http::Uri::try_from(path).map_err(|_| Error::HttpRequestUriInvalid)?;
    let first_byte_by = shorter(deadline, options.and_then(|o| o.first_byte_timeout));
    let response = timeout_at(first_byte_by, sender.send_request(request))
        .await
        .map_err(|_| Error::HttpResponseTimeout)?
        .map_err(Error::from)?;
    let declared = response
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limits.max_response_bytes) {
        return Err(Error::HttpResponseBodySize(declared).into());
    }
    let response = response
        .map(|body| Capped::response(body, limits.max_response_bytes, deadline).boxed_unsync());
    let io = async move {
        match connection.await {
            Ok(()) => Ok(()),
            Err(error) => Err(Error::from(error)),
        }
    };
    Ok((response, Box::new(io)))
}

/// Resolve, check, connect and shake hands (TLS, then HTTP/1.1).
async fn connect(
    target: &Target,
    options: Option<RequestOptions>,
    deadline: Instant,
) -> Result<(SendRequest<WasiBody>, AbortOnDropJoinHandle<Result<(), hyper::Error>>), Failure> {
    // The guest may ask for less time than the operator allows, never for more.
    let connect_by = shorter(deadline, options.and_then(|o| o.connect_timeout));
    let ip = resolve(target, connect_by).await?;
    let stream = timeout_at(connect_by, TcpStream::connect(SocketAddr::new(ip, target.port)))
        .await
        .map_err(|_| Error::ConnectionTimeout)?
        .map_err(Error::Connect)?;
    if !target.https {
        return Ok(handshake(TokioIo::new(stream), connect_by).await?);
    }
    let name = server_name(&target.host)?;
    let stream = timeout_at(connect_by, TlsConnector::from(tls_config()).connect(name, stream))
        .await
        .map_err(|_| Error::ConnectionTimeout)?
        .map_err(Error::Tls)?;
    Ok(handshake(TokioIo::new(stream), connect_by).await?)
}

/// The host's addresses, each checked; the one to connect to.
async fn resolve(target: &Target, by: Instant) -> Result<IpAddr, Failure> {
    let found = timeout_at(by, tokio::net::lookup_host((target.host.as_str(), target.port)))
        .await
        .map_err(|_| Error::DnsTimeout)?
        .map_err(|error| Error::DnsError { rcode: Some(error.to_string()), info_code: None })?;
    let addresses: Vec<IpAddr> = found.map(|address| address.ip()).collect();
    Egress::check_addresses(target, &addresses).map_err(Failure::Denied)
}

/// The HTTP/1.1 handshake; the connection's task, which the exchange's end (or the guest
/// dropping the response) aborts.
async fn handshake<S>(
    io: TokioIo<S>,
    by: Instant,
) -> Result<(SendRequest<WasiBody>, AbortOnDropJoinHandle<Result<(), hyper::Error>>), Error>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let (sender, connection) = timeout_at(by, hyper::client::conn::http1::handshake(io))
        .await
        .map_err(|_| Error::ConnectionTimeout)?
        .map_err(Error::from)?;
    Ok((sender, wasmtime_wasi::runtime::spawn(connection)))
}

fn shorter(deadline: Instant, asked: Option<Duration>) -> Instant {
    asked.map_or(deadline, |asked| deadline.min(Instant::now() + asked))
}

/// The name TLS verifies: the host the guest named, or the IP literal it named.
fn server_name(host: &str) -> Result<ServerName<'static>, Error> {
    match host.parse::<IpAddr>() {
        Ok(ip) => Ok(ServerName::IpAddress(ip.into())),
        Err(_) => ServerName::try_from(host.to_owned()).map_err(|_| Error::HttpRequestUriInvalid),
    }
}

/// The Mozilla roots (webpki-roots), not the machine's: a plugin's trust does not depend on
/// where the host runs.
fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("ring supports the default TLS versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}
