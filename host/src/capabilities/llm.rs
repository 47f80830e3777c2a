//! `dcmaid:bot/llm`: the operator's language model, for plugins granted `llm`.

use std::sync::Arc;

use crate::bindings::dcmaid::bot::llm::{Completion, Host, Inference, LlmError};
use crate::llm::OpenAiClient;
use crate::plugin::{CallState, PluginContext};

/// What a plugin may do with the language model.
#[derive(Clone)]
pub enum LlmAccess {
    /// The plugin did not request `llm`, or the operator did not grant it.
    NotGranted,
    /// Granted, but the operator configured no model.
    NotConfigured,
    Granted(Arc<OpenAiClient>),
}

fn model(plugin: &PluginContext) -> Result<&OpenAiClient, LlmError> {
    match &plugin.llm {
        LlmAccess::Granted(client) => Ok(client),
        LlmAccess::NotConfigured => Err(LlmError::NotConfigured),
        LlmAccess::NotGranted => Err(LlmError::Unavailable(format!(
            "plugin `{}` has no `llm` grant: request it in plugin.toml and grant it in dcmaid.toml",
            plugin.name
        ))),
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
            async { model(&plugin)?.embed(&texts).await.map_err(|e| reported(&plugin, e)) };
        Ok(result.await)
    }
}
