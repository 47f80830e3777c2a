//! The language model behind the `llm` capability and the conversation: any
//! OpenAI-compatible API, with a timeout per attempt and bounded retries with backoff.

use std::time::Duration;

use crate::budget::Refusal;
use crate::wit::latest::dcmaid::bot::llm::{ChatMessage, Completion, Inference, LlmError, Role};

/// A completion, and the tokens it took (as the server counted them, or estimated).
#[derive(Debug, Clone)]
pub struct Answer {
    pub completion: Completion,
    pub tokens: u64,
}

/// Why a model request failed, for logs; plugins see the [`LlmError`] it maps to.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("no {0} model is configured")]
    NotConfigured(&'static str),
    #[error("{url}: {reason} (after {attempts} attempt(s))")]
    Unavailable { url: String, reason: String, attempts: u32 },
    #[error("{url} rejected the request: {reason}")]
    Rejected { url: String, reason: String },
    /// A budget (the plugin's, or the user's) refused the request; nothing was sent.
    #[error(transparent)]
    Limited(Refusal),
}

impl From<&ModelError> for LlmError {
    fn from(error: &ModelError) -> Self {
        match error {
            ModelError::NotConfigured(_) => LlmError::NotConfigured,
            ModelError::Unavailable { .. } => LlmError::Unavailable(error.to_string()),
            ModelError::Rejected { .. } => LlmError::Rejected(error.to_string()),
            ModelError::Limited(refusal) => LlmError::Limited(refusal.clone().into()),
        }
    }
}

/// How long to wait before retry number `retry` (1-based): 250 ms doubling, at most 4 s.
pub(super) fn backoff(retry: u32) -> Duration {
    Duration::from_millis(250u64.saturating_mul(1 << (retry - 1).min(4)))
        .min(Duration::from_secs(4))
}

/// A system prompt and the user's message: the simplest conversation turn.
pub fn turn(system_prompt: &str, text: &str) -> Inference {
    let message = |role, content: &str| ChatMessage {
        role,
        content: content.to_owned(),
        tool_calls: Vec::new(),
        tool_call_id: None,
    };
    Inference {
        messages: vec![message(Role::System, system_prompt), message(Role::User, text)],
        tools: Vec::new(),
        max_tokens: None,
        temperature: None,
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_millis(500));
        assert_eq!(backoff(3), Duration::from_secs(1));
        assert_eq!(backoff(30), Duration::from_secs(4));
    }
}
