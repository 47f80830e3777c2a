//! The OpenAI-compatible wire format: `POST {base}/chat/completions` and `POST {base}/embeddings`.

use std::time::Duration;

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::model::{Answer, ModelError, backoff};
use super::settings::LlmConfig;
use crate::wit::latest::dcmaid::bot::llm::{ChatMessage, Completion, Inference, Role, ToolCall};

/// Longest `Retry-After` the client honours; a backend asking for more is treated as down.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

pub struct OpenAiClient {
    http: reqwest::Client,
    base_url: String,
    model: String,
    embedding_model: Option<String>,
    api_key: Option<String>,
    max_retries: u32,
}

impl OpenAiClient {
    pub fn new(config: &LlmConfig) -> Result<OpenAiClient, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.timeout_ms))
            .connect_timeout(Duration::from_millis(config.timeout_ms.min(5_000)))
            // The operator's proxy variables are not for the bot's model traffic.
            .no_proxy()
            .build()?;
        let base_url = config.base_url.clone().unwrap_or_default();
        Ok(OpenAiClient {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            model: config.model.clone(),
            embedding_model: config.embedding_model.clone(),
            api_key: std::env::var(&config.api_key_env).ok().filter(|key| !key.is_empty()),
            max_retries: config.max_retries,
        })
    }

    /// One chat completion, and the tokens it took.
    pub async fn infer(&self, request: &Inference) -> Result<Answer, ModelError> {
        let mut body = json!({
            "model": self.model,
            "messages": request.messages.iter().map(wire_message).collect::<Vec<_>>(),
        });
        if !request.tools.is_empty() {
            body["tools"] = request
                .tools
                .iter()
                .map(|tool| {
                    let parameters: Value =
                        serde_json::from_str(&tool.parameters).unwrap_or_else(|_| json!({"type": "object"}));
                    json!({"type": "function", "function": {
                        "name": tool.name, "description": tool.description, "parameters": parameters,
                    }})
                })
                .collect();
        }
        if let Some(max_tokens) = request.max_tokens {
            body["max_tokens"] = max_tokens.into();
        }
        if let Some(temperature) = request.temperature {
            body["temperature"] = temperature.into();
        }
        let url = format!("{}/chat/completions", self.base_url);
        let response: ChatResponse = self.post(&url, &body).await?;
        let reported = response.usage.map(|usage| usage.total_tokens);
        let message =
            response.choices.into_iter().next().map(|choice| choice.message).ok_or_else(|| {
                ModelError::Unavailable {
                    url: url.clone(),
                    reason: "the answer has no choices".into(),
                    attempts: 1,
                }
            })?;
        let completion = match message.tool_calls {
            Some(calls) if !calls.is_empty() => Completion::ToolCalls(
                calls
                    .into_iter()
                    .map(|call| ToolCall {
                        id: call.id,
                        name: call.function.name,
                        arguments: call.function.arguments,
                    })
                    .collect(),
            ),
            _ => Completion::Text(message.content.unwrap_or_default()),
        };
        let tokens = reported.unwrap_or_else(|| estimated_tokens(request, &completion));
        Ok(Answer { completion, tokens })
    }

    /// The API's base URL, for the log.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// One embedding per text, in order.
    pub async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, ModelError> {
        let model = self.embedding_model.as_ref().ok_or(ModelError::NotConfigured("embedding"))?;
        let url = format!("{}/embeddings", self.base_url);
        let mut response: EmbeddingResponse =
            self.post(&url, &json!({"model": model, "input": texts})).await?;
        response.data.sort_by_key(|item| item.index);
        if response.data.len() != texts.len() {
            let reason =
                format!("asked for {} embeddings, got {}", texts.len(), response.data.len());
            return Err(ModelError::Unavailable { url, reason, attempts: 1 });
        }
        Ok(response.data.into_iter().map(|item| item.embedding).collect())
    }

    /// POST `body` as JSON, retrying timeouts, connection failures, 429 and 5xx.
    async fn post<T: for<'de> Deserialize<'de>>(
        &self,
        url: &str,
        body: &Value,
    ) -> Result<T, ModelError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self.http.post(url).json(body);
            if let Some(key) = &self.api_key {
                request = request.bearer_auth(key);
            }
            let (reason, retry_after) = match request.send().await {
                Err(error) => (describe(&error), None),
                Ok(response) if response.status().is_success() => {
                    return response.json::<T>().await.map_err(|error| ModelError::Unavailable {
                        url: url.to_owned(),
                        reason: format!("unreadable answer: {error}"),
                        attempts: attempt,
                    });
                }
                Ok(response) => {
                    let status = response.status();
                    let retry_after = retry_after(&response);
                    let text = response.text().await.unwrap_or_default();
                    let reason = format!("{status}: {}", error_message(&text));
                    let retryable =
                        status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
                    if !retryable {
                        return Err(ModelError::Rejected { url: url.to_owned(), reason });
                    }
                    (reason, retry_after)
                }
            };
            if attempt > self.max_retries || retry_after.is_some_and(|wait| wait > MAX_RETRY_AFTER)
            {
                return Err(ModelError::Unavailable {
                    url: url.to_owned(),
                    reason,
                    attempts: attempt,
                });
            }
            let wait = retry_after.unwrap_or_else(|| backoff(attempt));
            tracing::warn!(url, attempt, "model request failed, retrying in {wait:?}: {reason}");
            tokio::time::sleep(wait).await;
        }
    }
}

fn wire_message(message: &ChatMessage) -> Value {
    let role = match message.role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
    };
    let mut wire = json!({"role": role, "content": message.content});
    if !message.tool_calls.is_empty() {
        wire["tool_calls"] = message
            .tool_calls
            .iter()
            .map(|call| {
                json!({"id": call.id, "type": "function", "function": {
                    "name": call.name, "arguments": call.arguments,
                }})
            })
            .collect();
    }
    if let Some(id) = &message.tool_call_id {
        wire["tool_call_id"] = id.clone().into();
    }
    wire
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "cannot connect".to_owned()
    } else {
        error.to_string()
    }
}

/// `Retry-After` in seconds, as 429s carry it.
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| (0.0..=3600.0).contains(s))
        .map(Duration::from_secs_f64)
}

/// The `error.message` of an OpenAI-style error body, else the body cut short.
fn error_message(body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    match parsed.as_ref().and_then(|v| v["error"]["message"].as_str()) {
        Some(message) => message.to_owned(),
        None => body.chars().take(200).collect(),
    }
}

#[derive(Deserialize)]
struct ChatResponse {
    choices: Vec<Choice>,
    /// What the request took; some servers leave it out.
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct WireUsage {
    total_tokens: u64,
}

/// Tokens as the usual rule of thumb counts them (four characters each), for a server that
/// does not say.
fn estimated_tokens(request: &Inference, completion: &Completion) -> u64 {
    let asked: usize = request.messages.iter().map(|message| message.content.len()).sum();
    let answered = match completion {
        Completion::Text(text) => text.len(),
        Completion::ToolCalls(calls) => calls.iter().map(|call| call.arguments.len()).sum(),
    };
    ((asked + answered) / 4 + 1) as u64
}

#[derive(Deserialize)]
struct Choice {
    message: WireMessage,
}

#[derive(Deserialize)]
struct WireMessage {
    content: Option<String>,
    tool_calls: Option<Vec<WireToolCall>>,
}

#[derive(Deserialize, Serialize)]
struct WireToolCall {
    id: String,
    function: WireFunction,
}

#[derive(Deserialize, Serialize)]
struct WireFunction {
    name: String,
    arguments: String,
}

#[derive(Deserialize)]
struct EmbeddingResponse {
    data: Vec<EmbeddingItem>,
}

#[derive(Deserialize)]
struct EmbeddingItem {
    index: usize,
    embedding: Vec<f32>,
}

/// The configured model, if any.
pub fn from_config(config: &LlmConfig) -> Result<Option<OpenAiClient>, reqwest::Error> {
    match &config.base_url {
        Some(_) => OpenAiClient::new(config).map(Some),
        None => Ok(None),
    }
}
