//! `dcmaid:bot/llm`: the operator's language model, for plugins granted `llm`.

use std::sync::Arc;

use crate::bindings::dcmaid::bot::llm::{Completion, Host, Inference, LlmError};
use crate::embed::Embedder;
use crate::llm::OpenAiClient;
use crate::plugin::{CallState, PluginContext};

/// What a plugin may do with the language model.
#[derive(Clone)]
pub enum LlmAccess {
    /// The plugin did not request `llm`, or the operator did not grant it.
    NotGranted,
    /// Granted; each half is there when the operator configured it.
    Granted {
        chat: Option<Arc<OpenAiClient>>,
        /// `Err` says why there are no embeddings.
        embedder: Result<Arc<Embedder>, String>,
    },
}

fn not_granted(plugin: &PluginContext) -> LlmError {
    LlmError::Unavailable(format!(
        "plugin `{}` has no `llm` grant: request it in plugin.toml and grant it in dcmaid.toml",
        plugin.name
    ))
}

fn model(plugin: &PluginContext) -> Result<&OpenAiClient, LlmError> {
    match &plugin.llm {
        LlmAccess::Granted { chat: Some(client), .. } => Ok(client),
        LlmAccess::Granted { chat: None, .. } => Err(LlmError::NotConfigured),
        LlmAccess::NotGranted => Err(not_granted(plugin)),
    }
}

fn embedder(plugin: &PluginContext) -> Result<&Embedder, LlmError> {
    match &plugin.llm {
        LlmAccess::Granted { embedder: Ok(embedder), .. } => Ok(embedder),
        LlmAccess::Granted { embedder: Err(_), .. } => Err(LlmError::NotConfigured),
        LlmAccess::NotGranted => Err(not_granted(plugin)),
    }
}

/// Log a failed request with the plugin's name; the plugin gets the WIT error.
fn reported(plugin: &PluginContext, error: crate::llm::ModelError) -> LlmError {
    tracing::warn!(plugin = %plugin.name, "model request failed: {error}");
    LlmError::from(&error)
}

impl Host for CallState {
    async fn infer(
        &mut self,
        request: Inference,
    ) -> wasmtime::Result<Result<Completion, LlmError>> {
        let plugin = self.plugin_handle();
        let result =
            async { model(&plugin)?.infer(&request).await.map_err(|e| reported(&plugin, e)) };
        Ok(result.await)
    }

    async fn embed(
        &mut self,
        texts: Vec<String>,
    ) -> wasmtime::Result<Result<Vec<Vec<f32>>, LlmError>> {
        let plugin = self.plugin_handle();
        let result =
            async { embedder(&plugin)?.embed(&texts).await.map_err(|e| reported(&plugin, e)) };
        Ok(result.await)
    }
}
