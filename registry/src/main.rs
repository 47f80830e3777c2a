//! `dcmaid-registry`: serve a plugin registry.
//!
//!     dcmaid-registry --root ./registry-data --bind 127.0.0.1:5000
//!
//! Publishing needs the bearer token in `$DCMAID_REGISTRY_TOKEN`; without one the registry
//! is read-only. Pulling is open.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use dcmaid_registry::rate::Rate;
use dcmaid_registry::server::{Limits, Registry, routes};
use dcmaid_registry::store::Store;

#[derive(Parser)]
#[command(version, about = "A dcmaid plugin registry (OCI Distribution API)")]
struct Cli {
    /// Where blobs, manifests and tags are kept.
    #[arg(long, default_value = "registry-data")]
    root: PathBuf,
    #[arg(long, default_value = "127.0.0.1:5000")]
    bind: SocketAddr,
    /// The environment variable holding the publish token.
    #[arg(long, default_value = "DCMAID_REGISTRY_TOKEN")]
    token_env: String,
    /// The most one request's body (and one blob) may hold, in MiB.
    #[arg(long, default_value_t = 256)]
    max_body_mib: u64,
    /// Unfinished uploads untouched this long are removed, in seconds.
    #[arg(long, default_value_t = 3600)]
    upload_ttl_secs: u64,
    /// Requests a minute one client (an IPv4 address, an IPv6 /64) may keep up; 0: no limit.
    #[arg(long, default_value_t = 600)]
    rate_per_minute: u32,
    /// Requests one client may send at once before the rate applies.
    #[arg(long, default_value_t = 120)]
    rate_burst: u32,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let store =
        Store::open(&cli.root).with_context(|| format!("opening {}", cli.root.display()))?;
    let publish_token = std::env::var(&cli.token_env).ok().filter(|t| !t.trim().is_empty());
    if publish_token.is_none() {
        tracing::warn!("${} is not set: the registry is read-only", cli.token_env);
    }
    let limits = Limits {
        max_body_bytes: cli.max_body_mib << 20,
        upload_ttl: std::time::Duration::from_secs(cli.upload_ttl_secs),
        rate: Rate { per_minute: cli.rate_per_minute, burst: cli.rate_burst },
    };
    let registry = Arc::new(Registry::with_limits(store, publish_token, limits));
    // Uploads left unfinished are removed when the next starts, and once a minute here.
    let sweeper = registry.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            match sweeper.store.expire_uploads(sweeper.limits.upload_ttl) {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "removed uploads left unfinished"),
                Err(error) => tracing::warn!("cannot remove unfinished uploads: {error}"),
            }
        }
    });
    tracing::info!("serving the registry on http://{}", cli.bind);
    poem::Server::new(poem::listener::TcpListener::bind(cli.bind))
        .run(routes(registry))
        .await
        .context("serving")
}
