//! `dcmaid:bot/llm`: the operator's language model ([`openai`]) and the embeddings
//! ([`embed`]: the API's, or all-MiniLM-L6-v2 on the CPU), for plugins granted `llm`. The
//! conversation uses the same model.

pub mod embed;
mod model;
mod openai;
mod settings;

use std::sync::Arc;

pub use embed::Embedder;
pub use model::{ModelError, turn};
pub use openai::{OpenAiClient, from_config};
pub use settings::{EmbedConfig, LlmConfig, RECENT_BY_DEFAULT};

use super::access::{Access, NotGranted};
use super::provider::{PluginInfo, Prepared, Provider, linked};
use crate::core::{Capability, Role};
use crate::wit::latest::dcmaid::bot::llm::{self as wit, Completion, Inference, LlmError};

/// The `llm` capability.
pub struct Llm;

/// The models the operator configured; each is there when configured.
#[derive(Clone)]
pub struct Models {
    pub chat: Option<Arc<OpenAiClient>>,
    /// `Err` says why there are no embeddings.
    pub embedder: Result<Arc<Embedder>, String>,
}

impl Provider for Llm {
    const GRANT: Option<Capability> = Some(Capability::Llm);
    type Shared = Models;
    type Plugin = Models;

    async fn prepare(models: &Models, info: &PluginInfo<'_>) -> Prepared<Models> {
        // A memory plugin embeds from its first call on: have the model ready by then.
        if let (Role::Memory, Ok(embedder)) = (info.role, &models.embedder) {
            embedder.warm();
        }
        Ok(models.clone())
    }

    linked!(wit);
}

impl From<NotGranted> for LlmError {
    fn from(_: NotGranted) -> Self {
        LlmError::NotGranted
    }
}

impl Access<Models> {
    /// Log a failed request with the plugin's name; the plugin gets the WIT error.
    fn reported(&self, error: ModelError) -> LlmError {
        tracing::warn!(plugin = %self.plugin(), "model request failed: {error}");
        LlmError::from(&error)
    }
}

impl wit::Host for Access<Models> {
    async fn infer(&mut self, request: Inference) -> Result<Completion, LlmError> {
        let model = self.granted()?.chat.as_ref().ok_or(LlmError::NotConfigured)?;
        model.infer(&request).await.map_err(|e| self.reported(e))
    }

    async fn embed(&mut self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, LlmError> {
        let embedder = self.granted()?.embedder.as_ref().map_err(|_| LlmError::NotConfigured)?;
        embedder.embed(&texts).await.map_err(|e| self.reported(e))
    }
}
