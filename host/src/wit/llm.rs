//! The language model's messages, in the newest version's types.

pub use super::v0_2::dcmaid::bot::llm::{
    ChatMessage, Completion, Inference, LlmError, Role, ToolCall,
};
