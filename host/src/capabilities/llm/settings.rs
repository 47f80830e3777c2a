//! `[llm]` and `[embed]` in `dcmaid.toml`: the language model, and where embeddings come
//! from.

use std::path::PathBuf;

use serde::Deserialize;

use crate::core::check_range;

/// The language model: any OpenAI-compatible API. Without `base_url` there is none, and the
/// persona answers from its templates.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    /// The API's base URL, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`.
    pub base_url: Option<String>,
    pub model: String,
    /// The model for `embed`; none: embeddings are not configured.
    pub embedding_model: Option<String>,
    /// The environment variable holding the API key (the key itself never goes in a file).
    pub api_key_env: String,
    /// Per attempt, in milliseconds.
    pub timeout_ms: u64,
    /// Retries after a timeout, a refused connection, a 429 or a 5xx.
    pub max_retries: u32,
}

impl Default for LlmConfig {
    fn default() -> Self {
        LlmConfig {
            base_url: None,
            model: "gpt-4o-mini".to_owned(),
            embedding_model: None,
            api_key_env: "DCMAID_LLM_API_KEY".to_owned(),
            timeout_ms: 30_000,
            max_retries: 2,
        }
    }
}

impl LlmConfig {
    /// Rules serde cannot express; the message names the field.
    pub fn check(&self) -> Result<(), String> {
        if let Some(url) = &self.base_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(format!("llm.base_url: expected an http:// or https:// URL, got `{url}`"));
        }
        check_range("llm.timeout_ms", self.timeout_ms, 1..=600_000)?;
        check_range("llm.max_retries", self.max_retries, 0..=10)
    }
}

/// How many texts keep their vectors unless `[embed] recent` says otherwise: a few hundred
/// turns of a busy bot, about 1.5 MB of 384-number vectors.
pub const RECENT_BY_DEFAULT: usize = 1024;

/// Embeddings: the local model's files (used when `[llm] embedding_model` is not set) and
/// how many recent vectors are kept, whichever the source.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbedConfig {
    /// The local model's folder (config.json, tokenizer.json, model.safetensors, and
    /// optionally sentence-transformers' `1_Pooling/config.json`). Default:
    /// `DCMAID_MODEL_DIR`, else `~/.cache/dcmaid/models/bge-small-en-v1.5`.
    pub model_dir: Option<PathBuf>,
    /// How many recently embedded texts keep their vectors, so that embedding one again
    /// costs no model run or API call (a turn's message is embedded for `recall` and again
    /// for `remember`). About 1.5 KB each at 384 dimensions.
    pub recent: usize,
}

impl Default for EmbedConfig {
    fn default() -> Self {
        EmbedConfig { model_dir: None, recent: RECENT_BY_DEFAULT }
    }
}

impl EmbedConfig {
    /// The local model's folder: `model_dir`, else `DCMAID_MODEL_DIR`, else
    /// `~/.cache/dcmaid/models/bge-small-en-v1.5`.
    pub fn model_dir(&self) -> PathBuf {
        if let Some(dir) = &self.model_dir {
            return dir.clone();
        }
        if let Some(dir) = std::env::var_os("DCMAID_MODEL_DIR") {
            return PathBuf::from(dir);
        }
        let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
        home.join(".cache/dcmaid/models/bge-small-en-v1.5")
    }
}
