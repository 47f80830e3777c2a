//! A lean Telegram Bot API client: `POST {api}/bot<token>/<method>` with JSON, the
//! `{"ok", "result" | "description", "parameters"}` envelope, and `retry_after` honoured.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// How often one call is retried after a 429 or a network failure.
const MAX_ATTEMPTS: u32 = 4;
/// A `retry_after` longer than this is not waited out.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The token is never part of the message: the URL is not shown.
    #[error("telegram {method}: {reason}")]
    Failed { method: &'static str, reason: String },
}

/// An update from `getUpdates` or a webhook.
#[derive(Debug, Clone, Deserialize)]
pub struct Update {
    pub update_id: i64,
    pub message: Option<IncomingMessage>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IncomingMessage {
    pub message_id: i64,
    pub from: Option<Sender>,
    pub chat: Chat,
    pub text: Option<String>,
    /// The forum topic the message is in.
    #[serde(default)]
    pub message_thread_id: Option<i64>,
    #[serde(default)]
    pub reply_to_message: Option<RepliedTo>,
    /// Mentions, among other markup, as spans of `text`.
    #[serde(default)]
    pub entities: Vec<Entity>,
}

/// The message a message replies to; only its id matters here.
#[derive(Debug, Clone, Deserialize)]
pub struct RepliedTo {
    pub message_id: i64,
}

/// A span of a message's text: a `mention` (`@username`), a `text_mention` (a user without
/// a username, who comes along), a link, a command...
#[derive(Debug, Clone, Deserialize)]
pub struct Entity {
    #[serde(rename = "type")]
    pub kind: String,
    /// In UTF-16 code units, as Telegram counts.
    pub offset: usize,
    pub length: usize,
    #[serde(default)]
    pub user: Option<Sender>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Sender {
    pub id: i64,
    pub first_name: String,
    pub username: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Chat {
    pub id: i64,
    /// `private`, `group`, `supergroup` or `channel`.
    #[serde(rename = "type", default)]
    pub kind: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BotCommand {
    pub command: String,
    pub description: String,
}

#[derive(Deserialize)]
struct Envelope<T> {
    ok: bool,
    result: Option<T>,
    description: Option<String>,
    parameters: Option<ResponseParameters>,
}

#[derive(Deserialize)]
struct ResponseParameters {
    retry_after: Option<u64>,
}

pub struct TelegramApi {
    http: reqwest::Client,
    /// `{api_url}/bot{token}`; secret, so it is never logged.
    base: String,
}

impl TelegramApi {
    pub fn new(
        api_url: &str,
        token: &str,
        poll_timeout: Duration,
    ) -> Result<TelegramApi, reqwest::Error> {
        let http = reqwest::Client::builder()
            // Long polls hold the request open for `poll_timeout`; allow that and a margin.
            .timeout(poll_timeout + Duration::from_secs(15))
            .no_proxy()
            .build()?;
        Ok(TelegramApi { http, base: format!("{}/bot{token}", api_url.trim_end_matches('/')) })
    }

    pub async fn get_updates(
        &self,
        offset: i64,
        timeout: Duration,
    ) -> Result<Vec<Update>, ApiError> {
        let body =
            json!({"offset": offset, "timeout": timeout.as_secs(), "allowed_updates": ["message"]});
        self.call("getUpdates", &body).await
    }

    pub async fn send_message(&self, chat_id: i64, markdown_v2: &str) -> Result<(), ApiError> {
        let body = json!({"chat_id": chat_id, "text": markdown_v2, "parse_mode": "MarkdownV2"});
        self.call::<Value>("sendMessage", &body).await.map(drop)
    }

    pub async fn send_typing(&self, chat_id: i64) -> Result<(), ApiError> {
        self.call::<Value>("sendChatAction", &json!({"chat_id": chat_id, "action": "typing"}))
            .await
            .map(drop)
    }

    pub async fn set_my_commands(&self, commands: &[BotCommand]) -> Result<(), ApiError> {
        self.call::<Value>("setMyCommands", &json!({"commands": commands})).await.map(drop)
    }

    pub async fn set_webhook(&self, url: &str, secret: &str) -> Result<(), ApiError> {
        let body = json!({"url": url, "secret_token": secret, "allowed_updates": ["message"]});
        self.call::<Value>("setWebhook", &body).await.map(drop)
    }

    pub async fn delete_webhook(&self) -> Result<(), ApiError> {
        self.call::<Value>("deleteWebhook", &json!({})).await.map(drop)
    }

    /// Call `method`; wait out 429s (`retry_after`) and retry network failures a few times.
    async fn call<T: DeserializeOwned>(
        &self,
        method: &'static str,
        body: &Value,
    ) -> Result<T, ApiError> {
        let failed = |reason: String| ApiError::Failed { method, reason };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = self.http.post(format!("{}/{method}", self.base)).json(body).send().await;
            let wait = match sent {
                // Strip the URL: it carries the token.
                Err(error) => {
                    let reason = error.without_url().to_string();
                    if attempt >= MAX_ATTEMPTS {
                        return Err(failed(reason));
                    }
                    tracing::warn!(method, attempt, "telegram request failed, retrying: {reason}");
                    Duration::from_millis(500 << attempt.min(5))
                }
                Ok(response) => {
                    let status = response.status();
                    let envelope: Envelope<T> = response.json().await.map_err(|e| {
                        failed(format!("{status}: unreadable answer: {}", e.without_url()))
                    })?;
                    if envelope.ok {
                        return envelope
                            .result
                            .ok_or_else(|| failed("`ok` without a `result`".into()));
                    }
                    let description = envelope.description.unwrap_or_else(|| status.to_string());
                    let retry_after =
                        envelope.parameters.and_then(|p| p.retry_after).map(Duration::from_secs);
                    match retry_after {
                        Some(wait) if attempt < MAX_ATTEMPTS && wait <= MAX_RETRY_AFTER => {
                            tracing::warn!(method, "telegram asks to wait {wait:?}: {description}");
                            wait
                        }
                        _ => return Err(failed(description)),
                    }
                }
            };
            tokio::time::sleep(wait).await;
        }
    }
}
