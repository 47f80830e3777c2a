//! `POST /api/v1/chat`: talk to the bot over HTTP, as the console's chat pane does. The
//! operator names who speaks; anyone else speaks as their session ([`super::session`]).

use std::sync::Arc;

use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::body::{Checked, JsonBody};
use super::error::{ApiError, ApiResult};
use super::session::{self, Sessions};
use super::tag::Tag;
use crate::bot::Bot;
use crate::bot::Outcome;
use crate::wit::Platform;

/// Longest message text accepted, in characters (Discord's limit is 2,000, Telegram's 4,096).
const MAX_TEXT_CHARS: usize = 4096;
const MAX_ID_CHARS: usize = 128;

/// A message to the bot.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
#[oai(deny_unknown_fields)]
pub struct ChatRequest {
    /// Who writes, for the operator (with the admin token) only; the bot knows them as
    /// `web:<user_id>`. Anyone else speaks as the session the server gave them (the
    /// `X-Dcmaid-Session` header or the `dcmaid_session` cookie; a new one when neither is
    /// sent). 1 to 128 characters, no control characters.
    #[oai(validator(
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    ))]
    #[serde(default, deserialize_with = "super::body::not_null")]
    user_id: Option<String>,
    /// The name the bot calls them by; default their user id.
    #[oai(validator(max_length = 128))]
    #[serde(default, deserialize_with = "super::body::not_null")]
    user_name: Option<String>,
    /// What they write; 1 to 4,096 characters, not all blank.
    #[oai(validator(max_length = 4096, pattern = r"\S"))]
    text: String,
}

impl Checked for ChatRequest {
    fn check(&self) -> Result<(), ApiError> {
        let too_long = |field: &'static str, max: usize| {
            ApiError::bad_request(Some(field), format!("`{field}` is longer than {max} characters"))
        };
        if let Some(user_id) = &self.user_id {
            if user_id.chars().count() > MAX_ID_CHARS {
                return Err(too_long("user_id", MAX_ID_CHARS));
            }
            if let Some(message) = super::user_id::refusal(user_id) {
                return Err(ApiError::bad_request(Some("user_id"), message));
            }
        }
        if self.text.trim().is_empty() {
            return Err(ApiError::bad_request(Some("text"), "`text` must not be empty"));
        }
        if self.text.chars().count() > MAX_TEXT_CHARS {
            return Err(too_long("text", MAX_TEXT_CHARS));
        }
        if self.user_name.as_ref().is_some_and(|name| name.chars().count() > MAX_ID_CHARS) {
            return Err(too_long("user_name", MAX_ID_CHARS));
        }
        Ok(())
    }
}

/// The bot's answer, and the session of a caller who came without one.
#[derive(ApiResponse)]
pub enum ChatResponse {
    /// The reply. A caller who sent no session gets a new one in `X-Dcmaid-Session` (and a
    /// cookie): send it back to go on as the same user.
    #[oai(status = 200)]
    Ok(
        Json<Outcome>,
        #[oai(header = "X-Dcmaid-Session")] Option<String>,
        #[oai(header = "Set-Cookie")] Option<String>,
    ),
}

pub struct ChatApi {
    pub bot: Arc<Bot>,
    pub public: bool,
    pub sessions: Arc<Sessions>,
}

#[OpenApi(tag = "Tag::Chat")]
impl ChatApi {
    /// Send the bot a message
    ///
    /// The reply comes back in the response. Open to anyone when `[server] public_chat`
    /// says so (by default, when the server listens on a loopback address); otherwise it
    /// wants the admin bearer token. With the admin token, `user_id` says who speaks;
    /// without it, the caller speaks as the session the server issued them.
    #[oai(path = "/chat", method = "post")]
    async fn chat(
        &self,
        request: &Request,
        body: JsonBody<ChatRequest>,
    ) -> ApiResult<ChatResponse> {
        let operator = super::auth::admit_chat(request, self.public)?;
        let ChatRequest { user_id, user_name, text } = body.0;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let (user_id, issued) = match (operator, user_id) {
            (true, Some(user_id)) => (user_id, None),
            (false, Some(_)) => {
                return Err(ApiError::forbidden(
                    Some("user_id"),
                    "only the operator (with the admin token) names the user; send no \
                     `user_id` to speak as your own session",
                ));
            }
            (_, None) => match session::presented(request) {
                Some(token) => {
                    let user = self.sessions.verify(&token, now).map_err(|why| {
                        let message = format!("{why}: send none to be given a new one");
                        ApiError::unauthorized_as(session::HEADER, message)
                    })?;
                    (user, None)
                }
                None => {
                    let (user, token) = self.sessions.issue(now);
                    (user, Some(token))
                }
            },
        };
        let name = user_name.as_deref().unwrap_or(&user_id);
        let message = self.bot.message(Platform::Web, &user_id, name, &user_id, &text);
        let outcome = self.bot.handle(message).await;
        let cookie = issued.as_deref().map(|token| self.sessions.cookie(token));
        Ok(ChatResponse::Ok(Json(outcome), issued, cookie))
    }
}
