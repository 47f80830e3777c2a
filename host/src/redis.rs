//! The Redis connection replicas share (cron claims, rate limits), through fred: bounded
//! timeouts so that a Redis that went away is an error in two seconds rather than a hang,
//! and reconnection forever in the background, so that it is used again when it is back.
//! A password in the URL (`redis://:PASSWORD@host`) and TLS (`rediss://`, with the system's
//! roots or a CA file of the operator's) both work; the password never reaches a message.

use std::path::{Path, PathBuf};
use std::time::Duration;

use fred::clients::SubscriberClient;
use fred::prelude::{Builder, Client, ClientLike, Config, ReconnectPolicy};
use fred::types::config::TlsConnector;
use serde::Deserialize;
use tokio_rustls::rustls;

/// Redis, for what replicas share: with it, each cron slot fires on one replica only.
#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisConfig {
    /// E.g. `redis://127.0.0.1:6379`, `redis://:PASSWORD@host:6379`, or `rediss://host:6380`
    /// for TLS. None: this process is the only replica.
    pub url: Option<String>,
    /// The CA certificates (PEM) that a `rediss://` server's certificate must chain to,
    /// relative to `dcmaid.toml`; none: the system's roots.
    pub ca_file: Option<PathBuf>,
    /// The secret every replica shares to seal swap announcements; `$DCMAID_REDIS_SECRET`
    /// when unset. None: swaps are not shared.
    pub secret: Option<String>,
}

/// Where the secret comes from when the config file does not say it.
pub const SECRET_ENV: &str = "DCMAID_REDIS_SECRET";
/// The shortest secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 16;

impl RedisConfig {
    /// Where Redis is, if it is configured.
    pub fn target(&self) -> Option<RedisTarget> {
        let url = self.url.clone()?;
        Some(RedisTarget { url, ca_file: self.ca_file.clone() })
    }

    /// The replicas' shared secret, from the file or the environment.
    pub fn secret(&self) -> Option<String> {
        self.secret.clone().or_else(|| std::env::var(SECRET_ENV).ok()).filter(|s| !s.is_empty())
    }

    pub fn check(&self) -> Result<(), String> {
        let min = MIN_SECRET_BYTES;
        match self.secret() {
            Some(secret) if secret.len() < min => Err(format!(
                "redis.secret (or ${SECRET_ENV}) must be at least {min} bytes; \
                 it is {} (make one with `openssl rand -hex 32`)",
                secret.len()
            )),
            _ => Ok(()),
        }
    }
}

/// Never the secret or a password, which would otherwise reach a log with the configuration.
impl std::fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secret = self.secret.as_ref().map(|_| "<secret>");
        let url = self.target().map(|target| target.to_string());
        f.debug_struct("RedisConfig")
            .field("url", &url)
            .field("ca_file", &self.ca_file)
            .field("secret", &secret)
            .finish()
    }
}

/// A Redis to connect to: its URL, and the CA its TLS certificate chains to.
#[derive(Clone)]
pub struct RedisTarget {
    url: String,
    ca_file: Option<PathBuf>,
}

impl RedisTarget {
    pub fn new(url: &str, ca_file: Option<&Path>) -> RedisTarget {
        RedisTarget { url: url.to_owned(), ca_file: ca_file.map(Path::to_owned) }
    }
}

impl From<&str> for RedisTarget {
    fn from(url: &str) -> RedisTarget {
        RedisTarget::new(url, None)
    }
}

/// The URL without its password: `redis://:***@host:6379`.
impl std::fmt::Display for RedisTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match url::Url::parse(&self.url) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("***"));
                f.write_str(url.as_str())
            }
            Ok(_) => f.write_str(&self.url),
            Err(_) => f.write_str("<a URL that does not parse>"),
        }
    }
}
/// How long connecting to Redis, and each command, may take.
pub const TIMEOUT: Duration = Duration::from_secs(2);

/// A connected client for the Redis at `target`; fails at once when none answers there.
pub async fn connect(target: &RedisTarget) -> Result<Client, fred::error::Error> {
    let client = builder(target)?.build()?;
    client.init().await?;
    Ok(client)
}

/// A client for subscriptions (swap announcements), with the same timeouts and reconnection.
pub async fn subscriber(target: &RedisTarget) -> Result<SubscriberClient, fred::error::Error> {
    let client = builder(target)?.build_subscriber_client()?;
    client.init().await?;
    Ok(client)
}

/// TLS (rustls on ring, as the rest of the host's) that trusts the CA certificates in the
/// PEM file at `ca_file`, or else the Mozilla roots the egress client trusts.
fn trusting(ca_file: Option<&Path>) -> Result<TlsConnector, fred::error::Error> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let tls_error = |why: String| {
        let source = ca_file.map_or("the roots".to_owned(), |path| path.display().to_string());
        fred::error::Error::new(fred::error::ErrorKind::Tls, format!("{source}: {why}"))
    };
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            let certificates =
                CertificateDer::pem_file_iter(path).map_err(|e| tls_error(e.to_string()))?;
            for certificate in certificates {
                let certificate = certificate.map_err(|e| tls_error(e.to_string()))?;
                roots.add(certificate).map_err(|e| tls_error(e.to_string()))?;
            }
        }
    }
    if roots.is_empty() {
        return Err(tls_error("no certificate in it".to_owned()));
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| tls_error(e.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(TlsConnector::from(config))
}

fn builder(target: &RedisTarget) -> Result<Builder, fred::error::Error> {
    // fred reads a `rediss://` URL into rustls's default configuration, which wants the
    // process's crypto provider, and a build that has two of them (ring, aws-lc) has none
    // until one is chosen: ring, as the rest of the host's TLS. (Already chosen: no change.)
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = Config::from_url(&target.url)?;
    // The roots are ours: the operator's CA file, or the Mozilla roots.
    if let Some(tls) = &mut config.tls {
        tls.connector = trusting(target.ca_file.as_deref())?;
    }
    let mut builder = Builder::from_config(config);
    builder
        .with_connection_config(|connection| {
            connection.connection_timeout = TIMEOUT;
            connection.internal_command_timeout = TIMEOUT;
        })
        // Without it a command waits forever on a connection that died.
        .with_performance_config(|performance| {
            performance.default_command_timeout = TIMEOUT;
        })
        // A Redis that goes away later is reconnected to, forever, backing off to 5 s; the
        // first connection still fails at once (fred's `fail_fast`).
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2));
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_reaches_a_message() {
        let target = RedisTarget::from("rediss://:hunter2@redis.example:6380/1");
        assert_eq!(target.to_string(), "rediss://:***@redis.example:6380/1");
        let config = RedisConfig { url: Some("redis://me:hunter2@h".into()), ..Default::default() };
        let debug = format!("{config:?}");
        assert!(!debug.contains("hunter2") && debug.contains("me:***@h"), "{debug}");
    }
}
