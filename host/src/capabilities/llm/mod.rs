//! `dcmaid:bot/llm`: the operator's language model ([`openai`]) and the embeddings
//! ([`embed`]: the API's, or a local model on the CPU), for plugins granted `llm`. The
//! conversation uses the same model.

pub mod embed;
mod model;
mod openai;
mod settings;
mod spend;

use std::sync::Arc;

pub use embed::Embedder;
pub use model::{Answer, ModelError, turn};
pub use openai::{OpenAiClient, from_config};
pub use settings::{EmbedConfig, LlmConfig, RECENT_BY_DEFAULT};
pub use spend::Spender;

use super::access::{Access, NotGranted};
use super::provider::{PluginInfo, Prepared, Provider, linked};
use crate::budget::{CallContext, LimitName, PluginBudget, Refusal, UserLedger};
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
    /// What each user has used of the model.
    pub users: Arc<UserLedger>,
}

/// The models as one plugin uses them: within its budget.
pub struct PluginModels {
    models: Models,
    budget: Arc<PluginBudget>,
}

impl Provider for Llm {
    const GRANT: Option<Capability> = Some(Capability::Llm);
    type Shared = Models;
    type Plugin = PluginModels;

    async fn prepare(models: &Models, info: &PluginInfo<'_>) -> Prepared<PluginModels> {
        // A memory plugin embeds from its first call on: have the model ready by then.
        if let (Role::Memory, Ok(embedder)) = (info.role, &models.embedder) {
            embedder.warm();
        }
        Ok(PluginModels { models: models.clone(), budget: info.budget.clone() })
    }

    linked!(wit);
}

impl From<NotGranted> for LlmError {
    fn from(_: NotGranted) -> Self {
        LlmError::NotGranted
    }
}

impl Access<PluginModels> {
    /// Log a failed request with the plugin's name (a budget's refusal is logged where it
    /// is counted); the plugin gets the WIT error.
    fn reported(&self, error: ModelError) -> LlmError {
        if !matches!(error, ModelError::Limited(_)) {
            tracing::warn!(plugin = %self.plugin(), "model request failed: {error}");
        }
        LlmError::from(&error)
    }
}

/// `texts` within one `embed` call's caps (`llm.embed_texts`, `llm.embed_bytes`).
fn check_embed(budget: &PluginBudget, texts: &[String]) -> Result<(), Refusal> {
    let caps = &budget.limits().llm;
    let plugin = budget.plugin();
    if texts.len() > caps.embed_texts as usize {
        let what = format!("plugin `{plugin}` asked to embed {} texts at once", texts.len());
        let refusal = Refusal::quota(LimitName::EmbedTexts, u64::from(caps.embed_texts), &what);
        return Err(budget.refused(refusal));
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    if bytes > caps.embed_bytes as usize {
        let what = format!("plugin `{plugin}` asked to embed {bytes} bytes of text at once");
        let refusal = Refusal::quota(LimitName::EmbedBytes, u64::from(caps.embed_bytes), &what);
        return Err(budget.refused(refusal));
    }
    Ok(())
}

impl wit::Host for Access<PluginModels> {
    async fn infer(&mut self, request: Inference) -> Result<Completion, LlmError> {
        let granted = self.granted_shared()?;
        let model = granted.models.chat.as_ref().ok_or(LlmError::NotConfigured)?;
        let user = CallContext::current().user;
        let spender = Spender {
            plugin: Some(&granted.budget),
            user: user.as_deref(),
            users: &granted.models.users,
        };
        let answer = spender.infer(model, &request).await.map_err(|e| self.reported(e))?;
        Ok(answer.completion)
    }

    async fn embed(&mut self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, LlmError> {
        let granted = self.granted_shared()?;
        let embedder = granted.models.embedder.as_ref().map_err(|_| LlmError::NotConfigured)?;
        check_embed(&granted.budget, &texts)
            .map_err(|refusal| LlmError::Limited(refusal.into()))?;
        let charged = Some(granted.budget.clone());
        embedder.embed_for(&texts, charged).await.map_err(|e| self.reported(e))
    }
}
