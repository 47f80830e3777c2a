//! What came of one message: the reply and who gave it, as the chat API answers it. A
//! failing plugin becomes a polite reply (its error logged); a failing model, the
//! persona's template.

use std::sync::Arc;

use serde::Serialize;

use crate::plugin::Plugin;
use crate::runtime::CallError;
use crate::wit::{PluginError, PluginFailed};

/// What came of one message (also the chat API's answer).
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Outcome {
    pub reply: String,
    /// The plugin that answered, if one did.
    pub plugin: Option<String>,
    /// The command that ran, without the slash.
    pub command: Option<String>,
    /// Whether the answering plugin failed (the reply then is an apology).
    pub failed: bool,
    /// Whether the language model failed (the reply then is the persona's template).
    pub model_failed: bool,
    /// From receiving the message to having the reply, in microseconds.
    pub latency_us: u64,
    /// The limit that shaped the reply, if one did, as `dcmaid.toml` names it
    /// (`rate_limit.chat_per_minute`, `user_budgets.llm_tokens_per_day`, `cpu.seconds_per_minute`).
    pub limit: Option<String>,
    /// The failed plugin call behind an apology, for the observers.
    #[serde(skip)]
    #[oai(skip)]
    pub failure: Option<PluginFailed>,
}

impl Outcome {
    pub(super) fn answer(
        reply: String,
        plugin: Option<&Arc<Plugin>>,
        command: Option<String>,
    ) -> Outcome {
        Outcome {
            reply,
            plugin: plugin.map(|p| p.name().to_string()),
            command,
            failed: false,
            model_failed: false,
            latency_us: 0,
            limit: None,
            failure: None,
        }
    }

    /// The model failed: the persona's template if it gave one, else an apology.
    pub(super) fn model_failed(
        reason: String,
        template: Option<String>,
        persona: &Arc<Plugin>,
    ) -> Outcome {
        tracing::error!(plugin = %persona.name(), "language model failed; answering from the template: {reason}");
        let reply = template.unwrap_or_else(|| {
            "Sorry, I can't think straight right now. Please try again in a little while."
                .to_owned()
        });
        Outcome { model_failed: true, ..Outcome::answer(reply, Some(persona), None) }
    }

    /// The polite reply for a failed plugin call, after logging what really happened.
    pub(super) fn apology(
        error: &CallError,
        plugin: &Arc<Plugin>,
        command: Option<String>,
    ) -> Outcome {
        let limit = error.limit();
        match (error.user_message(), limit) {
            // The plugin refused the input and said why: an answer, not a failure.
            (Some(_), _) => tracing::info!(plugin = %plugin.name(), "{error}"),
            // A limit is logged, once a minute, where it is counted.
            (None, Some(_)) => tracing::debug!(plugin = %plugin.name(), "{error}"),
            (None, None) => tracing::error!(plugin = %plugin.name(), "{error}"),
        }
        let reply = match (error, error.user_message()) {
            (_, Some(message)) => message.to_owned(),
            _ if limit.is_some() => limit.map(|hit| hit.for_user()).unwrap_or_default(),
            (CallError::Plugin { error: PluginError::Unavailable(_), .. }, _) => {
                "Sorry, I can't do that right now. Please try again in a little while.".to_owned()
            }
            _ => format!(
                "Sorry, something went wrong on my side (in plugin `{}`). The operator can find \
                 the details in the log.",
                plugin.name()
            ),
        };
        let failed = error.user_message().is_none();
        let failure = failed.then(|| PluginFailed {
            plugin: plugin.name().to_string(),
            call: error.call().to_owned(),
            reason: error.to_string(),
            // Stamped when the observers are told.
            at_ms: 0,
        });
        let limit = limit.map(|hit| hit.name.to_owned());
        Outcome { failed, failure, limit, ..Outcome::answer(reply, Some(plugin), command) }
    }
}
