//! `POST /api/v1/chat`: talk to the bot over HTTP, as the console's chat pane does.

use std::sync::Arc;

use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::body::{Checked, JsonBody};
use super::error::{ApiError, ApiResult};
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
pub struct ChatRequest {
    /// Who writes; the bot knows them as `web:<user_id>`. At most 128 characters.
    user_id: String,
    /// The name the bot calls them by; default `user_id`.
    #[serde(default)]
    user_name: Option<String>,
    /// What they write; at most 4,096 characters.
    text: String,
}

impl Checked for ChatRequest {
    fn check(&self) -> Result<(), ApiError> {
        let too_long = |field: &'static str, max: usize| {
            ApiError::bad_request(Some(field), format!("`{field}` is longer than {max} characters"))
        };
        if self.user_id.trim().is_empty() {
            return Err(ApiError::bad_request(Some("user_id"), "`user_id` must not be empty"));
        }
        if self.user_id.chars().count() > MAX_ID_CHARS {
            return Err(too_long("user_id", MAX_ID_CHARS));
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

pub struct ChatApi {
    pub bot: Arc<Bot>,
    pub public: bool,
}

#[OpenApi(tag = "Tag::Chat")]
impl ChatApi {
    /// Send the bot a message
    ///
    /// The reply comes back in the response. Open to anyone when `[server] public_chat`
    /// says so (by default, when the server listens on a loopback address); otherwise it
    /// wants the admin bearer token.
    #[oai(path = "/chat", method = "post")]
    async fn chat(
        &self,
        request: &Request,
        body: JsonBody<ChatRequest>,
    ) -> ApiResult<Json<Outcome>> {
        super::auth::admit_chat(request, self.public)?;
        let ChatRequest { user_id, user_name, text } = body.0;
        let name = user_name.as_deref().unwrap_or(&user_id);
        let message = self.bot.message(Platform::Web, &user_id, name, &user_id, &text);
        Ok(Json(self.bot.handle(message).await))
    }
}
