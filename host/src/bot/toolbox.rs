//! Function calling: the tool plugins' tools are offered to the language model, and each
//! call it asks for runs in the plugin that offers the tool, limited per user and tool like
//! commands. Whatever a call comes to (a result, the plugin's error, a refusal) goes back to
//! the model as the tool's answer, so the model can explain it; observers hear of every call.

use std::sync::Arc;
use std::time::Instant;

use super::observers::Observers;
use super::ratelimit::{Decision, RateLimiter};
use crate::budget::{Refusal, UserLedger};
use crate::capabilities::llm::{ModelError, OpenAiClient, Spender};
use crate::core::{Bucket, Clock};
use crate::plugin::Plugins;
use crate::runtime::CallError;
use crate::telemetry::{Metrics, Status};
use crate::wit::llm::{ChatMessage, Completion, Inference, Role, ToolCall};
use crate::wit::{Event, ToolCalled};

/// Rounds of tool calls the model may ask for before it must answer.
const MAX_TOOL_ROUNDS: usize = 4;

pub struct Toolbox {
    pub(super) rate_limiter: Arc<RateLimiter>,
    /// Each user's bucket for each tool.
    pub(super) tools: Bucket,
    /// Each user's share of the model.
    pub(super) users: Arc<UserLedger>,
    pub(super) observers: Arc<Observers>,
    pub(super) metrics: Arc<Metrics>,
    pub(super) clock: Clock,
}

/// Why the model gave no answer.
pub enum Unanswered {
    /// The user's budget for the model is spent.
    Spent(Refusal),
    /// The model failed, or answered wrong; the text says how.
    Failed(String),
}

impl Toolbox {
    /// Ask `model` for the answer to `request`, running the tools of `plugins` it calls for
    /// `user_id`, within the user's budget.
    pub async fn infer(
        &self,
        plugins: &Plugins,
        model: &OpenAiClient,
        mut request: Inference,
        user_id: &str,
    ) -> Result<String, Unanswered> {
        request.tools = plugins.tool_specs();
        let spender = Spender { plugin: None, user: Some(user_id), users: &self.users };
        for _ in 0..MAX_TOOL_ROUNDS {
            let answer = spender.infer(model, &request).await;
            if let Err(ModelError::Limited(refusal)) = answer {
                return Err(Unanswered::Spent(refusal));
            }
            self.metrics.model_request(if answer.is_ok() { Status::Ok } else { Status::Error });
            let calls = match answer.map(|answer| answer.completion) {
                Ok(Completion::Text(text)) => return Ok(text),
                Ok(Completion::ToolCalls(calls)) => calls,
                Err(error) => return Err(Unanswered::Failed(error.to_string())),
            };
            if request.tools.is_empty() {
                let names: Vec<&str> = calls.iter().map(|call| call.name.as_str()).collect();
                let reason = format!("unexpected tool calls {names:?}: no tools were offered");
                return Err(Unanswered::Failed(reason));
            }
            request.messages.push(ChatMessage {
                role: Role::Assistant,
                content: String::new(),
                tool_calls: calls.clone(),
                tool_call_id: None,
            });
            for call in calls {
                let answer = self.call_tool(plugins, &call, user_id).await;
                request.messages.push(ChatMessage {
                    role: Role::Tool,
                    content: answer,
                    tool_calls: Vec::new(),
                    tool_call_id: Some(call.id),
                });
            }
        }
        Err(Unanswered::Failed(format!(
            "the model still called tools after {MAX_TOOL_ROUNDS} rounds"
        )))
    }

    /// Run one tool call; the text the model gets back.
    async fn call_tool(&self, plugins: &Plugins, call: &ToolCall, user_id: &str) -> String {
        let Some(owner) = plugins.tool_owner(&call.name) else {
            return format!("error: there is no tool called `{}`", call.name);
        };
        let bucket = format!("{user_id}/tool:{}", call.name);
        if let Decision::Wait(wait) = self.rate_limiter.take(self.tools, &bucket).await {
            self.metrics.rate_limited(owner.name().as_str());
            let seconds = wait.as_millis().div_ceil(1000).max(1);
            return format!(
                "error: the user is calling {} too often; it can be used again in {seconds} s",
                call.name
            );
        }
        let started = Instant::now();
        let result = owner.call_tool(&call.name, &call.arguments, user_id).await;
        let latency_us = started.elapsed().as_micros().try_into().unwrap_or(u64::MAX);
        let at_ms = self.clock.now_ms();
        self.observers.publish(|| {
            Event::ToolCalled(ToolCalled {
                user_id: user_id.to_owned(),
                tool: call.name.clone(),
                plugin: owner.name().to_string(),
                ok: result.is_ok(),
                latency_us,
                at_ms,
            })
        });
        match result.map(|answer| owner.tool_result(answer)) {
            Ok(Ok(answer)) => answer,
            Ok(Err(refusal)) => format!("error: the tool's result was refused: {refusal}"),
            Err(error) => {
                if error.limit().is_none() {
                    tracing::warn!(plugin = %owner.name(), tool = %call.name, "tool call failed: {error}");
                }
                match &error {
                    CallError::Plugin { error, .. } => format!("error: {}", error.message()),
                    _ => format!("error: the tool `{}` failed", call.name),
                }
            }
        }
    }
}
