//! Telegram through the Bot API: long polling or a webhook, commands published with
//! `setMyCommands`, replies escaped for MarkdownV2 and split at 4,096 characters, and
//! `429 retry_after` honoured. Enabled when the token's environment variable is set.

mod api;
mod format;
pub(crate) mod settings;

use std::sync::Arc;
use std::time::Duration;

use poem::endpoint::BoxEndpoint;
use poem::http::StatusCode;
use poem::web::Json;
use poem::{EndpointExt, IntoResponse, Request, Response, handler, post};

pub use api::{ApiError, BotCommand, TelegramApi, Update};
pub use format::{MAX_MESSAGE_CHARS, escape_markdown_v2, split_escaped};
pub use settings::{TelegramConfig, TelegramMode};

use crate::bot::Bot;
use crate::wit::{MessageContext, Platform};

/// The header Telegram sends the webhook secret in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

pub struct Telegram {
    api: TelegramApi,
    bot: Arc<Bot>,
    poll_timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    #[error("telegram: webhook mode needs `telegram.webhook_url` and the secret in ${0}")]
    WebhookIncomplete(String),
    #[error("telegram: cannot build the HTTP client: {0}")]
    Client(reqwest::Error),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl Telegram {
    /// The adapter, when the token's environment variable is set; `None` leaves it off.
    pub fn from_env(
        config: &TelegramConfig,
        bot: Arc<Bot>,
    ) -> Result<Option<Telegram>, TelegramError> {
        let Some(token) = std::env::var(&config.token_env).ok().filter(|t| !t.trim().is_empty())
        else {
            return Ok(None);
        };
        let poll_timeout = Duration::from_secs(config.poll_timeout_secs);
        let api = TelegramApi::new(&config.api_url, token.trim(), poll_timeout)
            .map_err(TelegramError::Client)?;
        Ok(Some(Telegram { api, bot, poll_timeout }))
    }

    /// Publish the bot's commands in Telegram's command menu. Names Telegram does not accept
    /// (it allows `a-z`, `0-9` and `_`, at most 32) are left out.
    pub async fn publish_commands(&self) -> Result<(), ApiError> {
        let mut commands =
            vec![BotCommand { command: "help".into(), description: "List the commands".into() }];
        for (name, owner) in self.bot.plugins().commands() {
            let valid = (1..=32).contains(&name.len())
                && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid {
                tracing::info!("command /{name} is not a valid Telegram command; not published");
                continue;
            }
            let description =
                owner.command_description(name).map_or_else(|| format!("/{name}"), str::to_owned);
            commands.push(BotCommand { command: name.to_owned(), description });
        }
        self.api.set_my_commands(&commands).await
    }

    /// Start in the configured mode. Polling runs until the task is dropped; webhook mode
    /// registers the webhook and returns the endpoint to mount at `/telegram/webhook`.
    pub async fn start(
        self,
        config: &TelegramConfig,
    ) -> Result<Option<BoxEndpoint<'static>>, TelegramError> {
        if let Err(error) = self.publish_commands().await {
            tracing::warn!("{error}");
        }
        match config.mode {
            TelegramMode::Polling => {
                // A webhook left over from an earlier run would make getUpdates fail.
                self.api.delete_webhook().await?;
                tokio::spawn(self.poll());
                Ok(None)
            }
            TelegramMode::Webhook => {
                let secret =
                    std::env::var(&config.webhook_secret_env).ok().filter(|s| !s.is_empty());
                let (Some(url), Some(secret)) = (config.webhook_url.as_deref(), secret) else {
                    return Err(TelegramError::WebhookIncomplete(
                        config.webhook_secret_env.clone(),
                    ));
                };
                self.api.set_webhook(url, &secret).await?;
                Ok(Some(webhook(Arc::new(self), secret)))
            }
        }
    }

    /// Long-poll for updates and answer them, one at a time and in order.
    async fn poll(self) {
        tracing::info!("telegram: long polling");
        let mut offset = 0;
        let mut failures = 0u32;
        loop {
            match self.api.get_updates(offset, self.poll_timeout).await {
                Ok(updates) => {
                    failures = 0;
                    for update in updates {
                        offset = offset.max(update.update_id + 1);
                        self.answer(update).await;
                    }
                }
                Err(error) => {
                    failures += 1;
                    let wait = Duration::from_secs(1 << failures.min(5));
                    tracing::warn!("{error}; polling again in {wait:?}");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Answer one update: a text message goes through the pipeline, the reply goes back to
    /// its chat. Anything else (edits, stickers, joins) is ignored.
    pub async fn answer(&self, update: Update) {
        let Some(message) = update.message else { return };
        let (Some(text), Some(sender)) = (message.text, message.from) else { return };
        let chat = message.chat.id;
        if let Err(error) = self.api.send_typing(chat).await {
            tracing::debug!("{error}");
        }
        let name = sender.username.clone().unwrap_or_else(|| sender.first_name.clone());
        let mut incoming = self.bot.message(
            Platform::Telegram,
            &sender.id.to_string(),
            &name,
            &chat.to_string(),
            &text,
        );
        incoming.context = MessageContext {
            direct: message.chat.kind == "private",
            server_id: None,
            thread_id: message.message_thread_id.map(|thread| thread.to_string()),
            reply_to: message.reply_to_message.map(|replied| replied.message_id.to_string()),
            mentions: mentions(&text, &message.entities),
            platform_message_id: Some(message.message_id.to_string()),
        };
        let outcome = self.bot.handle(incoming).await;
        for piece in split_escaped(&outcome.reply, MAX_MESSAGE_CHARS) {
            if let Err(error) = self.api.send_message(chat, &piece).await {
                tracing::error!(chat, "reply not delivered: {error}");
                break;
            }
        }
    }
}

/// `POST /telegram/webhook`: checks the secret, acknowledges at once, answers in the
/// background (Telegram resends updates that are not acknowledged quickly).
fn webhook(telegram: Arc<Telegram>, secret: String) -> BoxEndpoint<'static> {
    post(receive).data(Arc::new(WebhookState { telegram, secret })).map_to_response().boxed()
}

struct WebhookState {
    telegram: Arc<Telegram>,
    secret: String,
}

#[handler]
async fn receive(
    request: &Request,
    poem::web::Data(state): poem::web::Data<&Arc<WebhookState>>,
    body: poem::Body,
) -> Response {
    let given = request.header(SECRET_HEADER).unwrap_or_default();
    if !crate::api::constant_time_eq(given.as_bytes(), state.secret.as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({"error": "wrong secret token"})),
        )
            .into_response();
    }
    let update: Update = match body.into_json().await {
        Ok(update) => update,
        Err(error) => {
            let body = serde_json::json!({"error": format!("not a Telegram update: {error}")});
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    };
    let telegram = state.telegram.clone();
    tokio::spawn(async move { telegram.answer(update).await });
    StatusCode::OK.into_response()
}

/// The users `text` mentions: `telegram:<id>` for a mention Telegram names the user of,
/// `telegram:@name` for a mention by username (Telegram gives no id for those).
fn mentions(text: &str, entities: &[api::Entity]) -> Vec<String> {
    let utf16: Vec<u16> = text.encode_utf16().collect();
    entities
        .iter()
        .filter_map(|entity| match (entity.kind.as_str(), &entity.user) {
            ("text_mention", Some(user)) => Some(format!("telegram:{}", user.id)),
            ("mention", _) => {
                let span = utf16.get(entity.offset..entity.offset + entity.length)?;
                Some(format!("telegram:{}", String::from_utf16_lossy(span)))
            }
            _ => None,
        })
        .collect()
}
