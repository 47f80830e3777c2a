//! The running bot: what every adapter, the API and the CLI talk to. It is put together here
//! from the configuration: storage, the capabilities' backends, the engine, the plugins,
//! and the parts that use them ([`Pipeline`], [`Swaps`], [`Jobs`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::conversation::Conversation;
use super::jobs::Jobs;
use super::live::LivePlugins;
use super::observers::Observers;
use super::outcome::Outcome;
use super::pipeline::Pipeline;
use super::ratelimit::RateLimiter;
use super::remembering::Remembering;
use super::swap::{Fanout, Swaps};
use super::toolbox::Toolbox;
use crate::budget::{Background, Ledger, UserLedger};
use crate::capabilities::http::HttpShared;
use crate::capabilities::llm::{self, Embedder, Models};
use crate::capabilities::store::StoreShared;
use crate::capabilities::{self, Shared};
use crate::config::Config;
use crate::core::{Clock, FileError};
use crate::cron::{Cron, Runner};
use crate::plugin::{Loader, Plugins};
use crate::runtime::Engine;
use crate::storage::{Storage, StorageError};
use crate::telemetry::Metrics;
use crate::wit::{Message, MessageContext, Platform, User};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot start the WebAssembly engine: {0:#}")]
    Engine(wasmtime::Error),
    #[error("cannot start the background threads: {0}")]
    Background(std::io::Error),
    /// Boxed: the database's errors are large, and the bot's start returns one.
    #[error(transparent)]
    Storage(Box<StorageError>),
    #[error("cannot set up the language model client: {0}")]
    Llm(reqwest::Error),
    #[error("redis at {url}: {source}")]
    Redis { url: String, source: fred::error::Error },
    #[error(transparent)]
    File(#[from] FileError),
}

impl From<StorageError> for StartError {
    fn from(error: StorageError) -> Self {
        StartError::Storage(Box::new(error))
    }
}

pub struct Bot {
    config: Config,
    clock: Clock,
    messages_seen: AtomicU64,
    plugins: LivePlugins,
    pipeline: Pipeline,
    swaps: Arc<Swaps>,
    jobs: Arc<Jobs>,
    /// Open for the bot's whole life (its database stays locked to this process), and what
    /// plugins loaded later are given.
    capabilities: Arc<Shared>,
    cron: Arc<Cron>,
    metrics: Arc<Metrics>,
    observers: Arc<Observers>,
    remembering: Arc<Remembering>,
    budgets: Arc<Ledger>,
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
        let metrics = Arc::new(Metrics::new());
        let storage = Storage::connect(&config.storage_url(), &config.storage).await?;
        let cron = Arc::new(Cron::open(&storage).await?);
        let users =
            Arc::new(UserLedger::new(config.user_budgets.clone(), clock.clone(), metrics.clone()));
        let capabilities =
            Arc::new(shared(&config, &storage, &cron, &metrics, &clock, users.clone())?);
        let redis = match config.redis.target() {
            Some(target) => Some(
                crate::redis::connect(&target)
                    .await
                    .map_err(|source| StartError::Redis { url: target.to_string(), source })?,
            ),
            None => None,
        };
        let engine = Engine::new(&config.limits, Some(config.cache_dir()))
            .map(Arc::new)
            .map_err(StartError::Engine)?;
        let background = Background::start().map_err(StartError::Background)?;
        let budgets = Arc::new(Ledger::new(
            config.budgets.clone(),
            &config.limits,
            metrics.clone(),
            clock.clone(),
        ));
        let loader = Loader {
            engine,
            capabilities: capabilities.clone(),
            policy: Arc::new(config.plugin_policy()),
            clock: clock.clone(),
            metrics: metrics.clone(),
            budgets: budgets.clone(),
        };
        // On a shared database, what other replicas installed comes first.
        let shelf = (!storage.is_embedded()).then(|| storage.clone());
        if let Some(shelf) = &shelf {
            match crate::plugin::shelf::take_all(shelf, &config.plugins_dir()).await {
                Ok(0) => {}
                Ok(taken) => tracing::info!(taken, "took plugins other replicas installed"),
                Err(error) => {
                    tracing::warn!("cannot take the plugins other replicas installed: {error}")
                }
            }
        }
        let plugins = Plugins::load_dir(&config.plugins_dir(), &loader).await;
        for plugin in plugins.loaded() {
            metrics.plugin_loaded(plugin.name().as_str());
        }
        let plugins = LivePlugins::new(plugins);
        let queue = config.limits.observer_queue as usize;
        let observers =
            Arc::new(Observers::start(plugins.clone(), queue, &background, metrics.clone()));
        let rate_limiter =
            Arc::new(RateLimiter::new(clock.clone(), metrics.clone(), redis.clone()));
        let commands = config.rate_limit.commands();
        let toolbox = Toolbox {
            rate_limiter: rate_limiter.clone(),
            tools: commands,
            users,
            observers: observers.clone(),
            metrics: metrics.clone(),
            clock: clock.clone(),
        };
        let remembering = Arc::new(
            Remembering::start(
                &storage,
                plugins.clone(),
                capabilities.llm.embedder.clone().ok(),
                &config.limits,
                &background,
                metrics.clone(),
                clock.clone(),
            )
            .await,
        );
        let conversation = Conversation {
            model: capabilities.llm.chat.clone(),
            toolbox,
            remembering: remembering.clone(),
        };
        let pipeline = Pipeline {
            plugins: plugins.clone(),
            conversation,
            rate_limiter,
            commands,
            chat: config.rate_limit.chat(),
            observers: observers.clone(),
            metrics: metrics.clone(),
            clock: clock.clone(),
        };
        let fanout = match (&redis, config.redis.secret()) {
            (Some(redis), Some(secret)) => Some(Fanout::new(redis.clone(), &secret)),
            (Some(_), None) => {
                tracing::warn!(
                    "swaps are not shared with the other replicas: set [redis] secret (or ${}), \
                     the same on every replica",
                    crate::redis::SECRET_ENV
                );
                None
            }
            (None, _) => None,
        };
        let swaps =
            Arc::new(Swaps::new(loader, config.plugins_dir(), plugins.clone(), fanout, shelf));
        let jobs = Arc::new(Jobs {
            data_dir: config.data_dir.clone(),
            backup_retention: config.cron.backup_retention,
            storage,
            plugins: plugins.clone(),
            background,
            metrics: metrics.clone(),
        });
        Ok(Bot {
            config,
            clock,
            messages_seen: AtomicU64::new(0),
            plugins,
            pipeline,
            swaps,
            jobs,
            capabilities,
            cron,
            metrics,
            observers,
            remembering,
            budgets,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The plugins now. Hold the value for as long as one message needs it: a hot swap
    /// replaces what later calls get, never what this one holds.
    pub fn plugins(&self) -> Arc<Plugins> {
        self.plugins.current()
    }

    /// Answer one message (see [`Pipeline::handle`]).
    pub async fn handle(&self, message: Message) -> Outcome {
        self.pipeline.handle(message).await
    }

    /// A message from `platform` user `platform_id`, stamped with a fresh id and the time.
    /// The terminal and the web chat are conversations with the bot alone (`direct`); an
    /// adapter that knows more of where a message arrived sets its `context`.
    pub fn message(
        &self,
        platform: Platform,
        platform_id: &str,
        name: &str,
        channel: &str,
        text: &str,
    ) -> Message {
        let received_at_ms = self.clock.now_ms();
        let sequence = self.messages_seen.fetch_add(1, Ordering::Relaxed);
        let prefix = platform.prefix();
        Message {
            id: format!("{received_at_ms:x}-{sequence}"),
            user: User { id: format!("{prefix}:{platform_id}"), name: name.to_owned(), platform },
            channel: channel.to_owned(),
            text: text.to_owned(),
            received_at_ms,
            context: MessageContext {
                direct: matches!(platform, Platform::Console | Platform::Web),
                ..MessageContext::unknown()
            },
        }
    }

    /// Hot swaps of this bot's plugins.
    pub fn swaps(&self) -> &Arc<Swaps> {
        &self.swaps
    }

    /// The bot's scheduled jobs.
    pub fn cron(&self) -> &Cron {
        &self.cron
    }

    /// What the scheduler runs jobs with.
    pub fn job_runner(&self) -> Runner {
        self.jobs.runner()
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The capabilities' backends (the store's documents, the embedder, ...).
    pub fn capabilities(&self) -> &Shared {
        &self.capabilities
    }

    /// Every plugin's budget and what it has used.
    pub fn budgets(&self) -> &Ledger {
        &self.budgets
    }

    /// The database behind every plugin's data.
    pub fn storage(&self) -> &Storage {
        &self.jobs.storage
    }

    /// Wait until the observers have seen every event so far (tests, reports, shutdown).
    pub async fn flush_observers(&self) {
        self.observers.flush().await;
    }

    /// Wait until every turn queued so far is remembered (tests, benches).
    pub async fn flush_remembering(&self) {
        self.remembering.flush().await;
    }

    /// Wait (a few seconds at most) until `user`'s turns queued here are remembered, before
    /// reading their memories.
    pub async fn settle_remembering(&self, user: &str) {
        self.remembering.settle(user).await;
    }

    /// Before the process ends: give the observers up to `deadline` to see every event,
    /// so that a conversation's last events are not lost, and the memory as long to take
    /// the queued turns (those it does not take stay queued for the next start).
    pub async fn finish_observers(&self, deadline: std::time::Duration) {
        if tokio::time::timeout(deadline, self.flush_observers()).await.is_err() {
            tracing::warn!("observers still busy after {deadline:?}; their last events are lost");
        }
        if tokio::time::timeout(deadline, self.flush_remembering()).await.is_err() {
            tracing::info!("turns still queued to be remembered: the next start takes them");
        }
    }
}

/// The capabilities' backends, from `config`.
fn shared(
    config: &Config,
    storage: &Storage,
    cron: &Arc<Cron>,
    metrics: &Arc<Metrics>,
    clock: &Clock,
    users: Arc<UserLedger>,
) -> Result<Shared, StartError> {
    let chat = llm::from_config(&config.llm).map_err(StartError::Llm)?.map(Arc::new);
    let embedder = Embedder::from_config(&config.llm, &config.embed, chat.as_ref()).map(Arc::new);
    match &embedder {
        Ok(embedder) => tracing::info!("embeddings: {}", embedder.describe()),
        Err(why) => tracing::info!("no embeddings: {why}"),
    }
    Ok(capabilities::Shared {
        log: (),
        config: (),
        kv: storage.clone(),
        llm: Models { chat, embedder, users },
        metrics: metrics.clone(),
        scheduler: cron.clone(),
        store: StoreShared::new(storage.clone(), clock.clone()),
        http: HttpShared {
            allowlist: Arc::new(config.http.allowlist()?),
            limits: config.http.limits(),
            metrics: metrics.clone(),
        },
    })
}
