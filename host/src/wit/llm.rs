//! The language model's messages, in the newest version's types.

pub use super::v0_1::dcmaid::bot::llm::{
    ChatMessage, Completion, Inference, LlmError, Role, ToolCall,
};
