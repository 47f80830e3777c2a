//! The running bot: configuration, engine, storage and plugins, shared by every adapter.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arc_swap::ArcSwap;
use tokio::sync::Semaphore;

use crate::bindings::{Message, Platform, User};
use crate::capabilities::Backends;
use crate::clock::Clock;
use crate::config::Config;
use crate::cron::Cron;
use crate::egress::HttpLimits;
use crate::embed::Embedder;
use crate::engine::Engine;
use crate::llm::OpenAiClient;
use crate::metrics::Metrics;
use crate::observers::Observers;
use crate::plugin::Plugins;
use crate::ratelimit::{Bucket, RateLimiter};
use crate::storage::{Storage, StorageError};
use crate::swap::Swaps;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot start the WebAssembly engine: {0:#}")]
    Engine(wasmtime::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("cannot set up the language model client: {0}")]
    Llm(reqwest::Error),
    #[error("redis at {url}: {source}")]
    Redis { url: String, source: fred::error::Error },
    #[error(transparent)]
    File(#[from] crate::error::FileError),
}

pub struct Bot {
    config: Config,
    engine: Arc<Engine>,
    /// The plugins now: a hot swap stores the next set; a call holds the plugin it started on.
    plugins: Arc<ArcSwap<Plugins>>,
    swaps: Swaps,
    /// Shared with the other replicas, when configured.
    redis: Option<fred::prelude::Client>,
    /// Open for the bot's whole life (its database stays locked to this process), and what
    /// plugins loaded later are given.
    backends: Backends,
    call_permits: Arc<Semaphore>,
    observers: Observers,
    rate_limiter: RateLimiter,
    messages_seen: AtomicU64,
}

impl Bot {
    /// Start from `config`: open storage, build the engine, load every plugin. Plugins that
    /// fail to load are reported and left out; the bot starts without them.
    pub async fn start(config: Config) -> Result<Bot, StartError> {
        Bot::start_with_clock(config, Clock::system()).await
    }

    /// [`Bot::start`] on `clock` instead of the system's (tests and evaluations move time).
    pub async fn start_with_clock(config: Config, clock: Clock) -> Result<Bot, StartError> {
        let data_dir = &config.data_dir;
        std::fs::create_dir_all(data_dir).map_err(|source| StartError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let engine = Engine::new(&config.limits, Some(config.cache_dir()))
            .map(Arc::new)
            .map_err(StartError::Engine)?;
        let storage = Storage::open(&config.storage_url()).await?;
        let llm = crate::llm::from_config(&config.llm).map_err(StartError::Llm)?.map(Arc::new);
        let cron = Arc::new(Cron::open(&storage).await?);
        let metrics = Arc::new(Metrics::new());
        let http_limits = HttpLimits {
            timeout: std::time::Duration::from_millis(config.http.timeout_ms),
            max_response_bytes: config.http.max_response_bytes,
        };
        let allowlist = Arc::new(config.allowlist()?);
        let embedder = Embedder::from_config(&config, llm.as_ref()).map(Arc::new);
        match &embedder {
            Ok(embedder) => tracing::info!("embeddings: {}", embedder.describe()),
            Err(why) => tracing::info!("no embeddings: {why}"),
        }
        let backends =
            Backends { storage, llm, embedder, metrics, clock, cron, allowlist, http_limits };
        let redis = match &config.redis.url {
            Some(url) => Some(
                crate::redis::connect(url)
                    .await
                    .map_err(|source| StartError::Redis { url: url.clone(), source })?,
            ),
            None => None,
        };
        let bucket = Bucket::new(config.rate_limit.burst, config.rate_limit.per_minute);
        let rate_limiter = RateLimiter::new(
            bucket,
            backends.clock.clone(),
            backends.metrics.clone(),
            redis.clone(),
        );
        let plugins = Plugins::load_dir(&config.plugins_dir(), &config, &engine, &backends).await;
        for plugin in plugins.loaded() {
            backends.metrics.plugin_loaded(plugin.name().as_str());
        }
        let call_permits = Arc::new(Semaphore::new(config.limits.max_concurrent_calls as usize));
        let plugins = Arc::new(ArcSwap::from_pointee(plugins));
        let observers = Observers::start(
            plugins.clone(),
            config.limits.observer_queue as usize,
            call_permits.clone(),
            backends.metrics.clone(),
        );
        Ok(Bot {
            backends,
            call_permits,
            observers,
            rate_limiter,
            config,
            engine,
            plugins,
            swaps: Swaps::default(),
            redis,
            messages_seen: AtomicU64::new(0),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The plugins now. Hold the value for as long as one message needs it: a hot swap
    /// replaces what later calls get, never what this one holds.
    pub fn plugins(&self) -> Arc<Plugins> {
        self.plugins.load_full()
    }

    pub(crate) fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    pub(crate) fn plugin_set(&self) -> &ArcSwap<Plugins> {
        &self.plugins
    }

    pub(crate) fn swaps(&self) -> &Swaps {
        &self.swaps
    }

    pub(crate) fn redis(&self) -> Option<&fred::prelude::Client> {
        self.redis.as_ref()
    }

    /// The configured language model, if any.
    pub fn llm(&self) -> Option<&OpenAiClient> {
        self.backends.llm.as_deref()
    }

    pub fn metrics(&self) -> &Metrics {
        &self.backends.metrics
    }

    /// The bot's scheduled jobs.
    pub fn cron(&self) -> &Cron {
        &self.backends.cron
    }

    pub fn backends(&self) -> &Backends {
        &self.backends
    }

    pub(crate) fn call_permits(&self) -> &Semaphore {
        &self.call_permits
    }

    pub(crate) fn rate_limiter(&self) -> &RateLimiter {
        &self.rate_limiter
    }

    pub(crate) fn observers(&self) -> &Observers {
        &self.observers
    }

    /// Wait until the observers have seen every event so far (tests, reports, shutdown).
    pub async fn flush_observers(&self) {
        self.observers.flush().await;
    }

    /// A message from `platform` user `platform_id`, stamped with a fresh id and the time.
    pub fn message(
        &self,
        platform: Platform,
        platform_id: &str,
        name: &str,
        channel: &str,
        text: &str,
    ) -> Message {
        let received_at_ms = self.backends.clock.now_ms();
        let sequence = self.messages_seen.fetch_add(1, Ordering::Relaxed);
        let prefix = platform_prefix(platform);
        Message {
            id: format!("{received_at_ms:x}-{sequence}"),
            user: User { id: format!("{prefix}:{platform_id}"), name: name.to_owned(), platform },
            channel: channel.to_owned(),
            text: text.to_owned(),
            received_at_ms,
        }
    }
}

/// The prefix of user ids from `platform`: `console:alice`, `discord:8035…`.
pub fn platform_prefix(platform: Platform) -> &'static str {
    match platform {
        Platform::Console => "console",
        Platform::Web => "web",
        Platform::Discord => "discord",
        Platform::Telegram => "telegram",
    }
}
