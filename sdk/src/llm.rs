//! The language model the operator configured: chat completions with tools, and embeddings.

use crate::PluginError;
pub use crate::bindings::base::dcmaid::bot::llm::{
    ChatMessage, Completion, Inference, LlmError, Role, ToolCall, embed, infer,
};

impl ChatMessage {
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        ChatMessage { role, content: content.into(), tool_calls: Vec::new(), tool_call_id: None }
    }
}

/// Ask the model one question under `system`, and get its text answer.
pub fn ask(system: &str, question: &str) -> Result<String, PluginError> {
    let request = Inference {
        messages: vec![
            ChatMessage::new(Role::System, system),
            ChatMessage::new(Role::User, question),
        ],
        tools: Vec::new(),
        max_tokens: None,
        temperature: None,
    };
    match infer(&request)? {
        Completion::Text(text) => Ok(text),
        Completion::ToolCalls(_) => {
            Err(PluginError::Internal("the model called a tool where none was offered".into()))
        }
    }
}

impl From<LlmError> for PluginError {
    fn from(error: LlmError) -> Self {
        match error {
            LlmError::NotConfigured => {
                PluginError::Unavailable("no language model is configured".into())
            }
            LlmError::Unavailable(why) => {
                PluginError::Unavailable(format!("language model: {why}"))
            }
            LlmError::Rejected(why) => {
                PluginError::InvalidInput(format!("the language model refused: {why}"))
            }
            LlmError::NotGranted => PluginError::Unavailable(
                "language model: the plugin has no `llm` grant (request it in plugin.toml)".into(),
            ),
            LlmError::Limited(limit) => PluginError::Limited(limit),
        }
    }
}
