//! `/api/v1/memories` and `/api/v1/persona`: what the bot keeps about a user, through the
//! plugins that keep it (the memory plugin's `recall` and `forget`, the persona's `traits`
//! and `inspect`). User ids are the bot's: `web:alice`, `discord:1234`, `telegram:42`.

use std::sync::Arc;

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::auth::AdminAuth;
use super::error::{ApiError, ApiResult};
use super::tag::Tag;
use crate::bot::Bot;
use crate::runtime::CallError;
use crate::wit::BigFive;

const MAX_QUERY_CHARS: usize = 1000;

/// A memory, as recalled.
#[derive(Debug, Object)]
pub struct MemoryHit {
    pub id: String,
    pub text: String,
    /// Higher is more relevant; comparable within one search only.
    pub score: f32,
}

/// The Big Five traits the persona is configured with, each 0 to 1.
#[derive(Debug, Object)]
pub struct Traits {
    pub openness: f32,
    pub conscientiousness: f32,
    pub extraversion: f32,
    pub agreeableness: f32,
    pub neuroticism: f32,
}

impl From<BigFive> for Traits {
    fn from(t: BigFive) -> Traits {
        Traits {
            openness: t.openness,
            conscientiousness: t.conscientiousness,
            extraversion: t.extraversion,
            agreeableness: t.agreeableness,
            neuroticism: t.neuroticism,
        }
    }
}

/// The persona's view of one user.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PersonaState {
    /// The persona plugin.
    pub plugin: String,
    pub traits: Option<Traits>,
    /// What the persona keeps about the user (its mood towards them, say), as it reports
    /// it; null when it keeps nothing or does not say.
    pub state: Option<serde_json::Value>,
}

#[derive(ApiResponse)]
enum Forgotten {
    /// The memory is gone.
    #[oai(status = 204)]
    NoContent,
}

fn check_user(user_id: &str) -> Result<(), ApiError> {
    match super::user_id::refusal(user_id) {
        Some(message) => Err(ApiError::bad_request(Some("user_id"), message)),
        None => Ok(()),
    }
}

/// No plugin of `role` serves now (none installed, or an operator disabled it): the request
/// conflicts with how the bot is set up, and is the operator's to change.
fn not_loaded(role: &str) -> ApiError {
    ApiError::conflict(format!("no {role} plugin is loaded (installed and enabled)"))
}

fn plugin_failed(error: CallError) -> ApiError {
    match error.user_message() {
        Some(message) => ApiError::bad_request(None, message),
        None => ApiError::bad_gateway(error.to_string()),
    }
}

pub struct MemoriesApi {
    pub bot: Arc<Bot>,
}

#[OpenApi(tag = "Tag::Memories")]
impl MemoriesApi {
    /// Search a user's memories
    ///
    /// The memory plugin's recall: best first.
    #[oai(path = "/memories", method = "get")]
    async fn search(
        &self,
        _auth: AdminAuth,
        /// The bot's user id, e.g. `web:alice`.
        #[oai(validator(
            max_length = 160,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        ))]
        user_id: Query<String>,
        /// What to look for, 1 to 1,000 characters, not all blank.
        #[oai(validator(max_length = 1000, pattern = r"\S"))]
        query: Query<String>,
        /// How many at most, 1 to 100.
        #[oai(default = "default_limit", validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<u32>,
    ) -> ApiResult<Json<Vec<MemoryHit>>> {
        check_user(&user_id)?;
        if query.trim().is_empty() || query.chars().count() > MAX_QUERY_CHARS {
            let message = format!("`query` must be 1 to {MAX_QUERY_CHARS} characters");
            return Err(ApiError::bad_request(Some("query"), message));
        }
        let plugins = self.bot.plugins();
        let memory = plugins.memory().ok_or_else(|| not_loaded("memory"))?;
        self.bot.settle_remembering(&user_id).await;
        let recalled = memory.recall(&user_id, &query, limit.0).await.map_err(plugin_failed)?;
        let hits = recalled
            .into_iter()
            .map(|r| MemoryHit { id: r.id, text: r.text, score: r.score })
            .collect();
        Ok(Json(hits))
    }

    /// Forget one of a user's memories
    #[oai(path = "/memories/:id", method = "delete")]
    async fn forget(
        &self,
        _auth: AdminAuth,
        /// The memory's id, as a search returns it.
        id: Path<String>,
        /// Whose memory it is, e.g. `web:alice`.
        #[oai(validator(
            max_length = 160,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        ))]
        user_id: Query<String>,
    ) -> ApiResult<Forgotten> {
        check_user(&user_id)?;
        let plugins = self.bot.plugins();
        let memory = plugins.memory().ok_or_else(|| not_loaded("memory"))?;
        match memory.forget(&user_id, &id).await.map_err(plugin_failed)? {
            true => Ok(Forgotten::NoContent),
            false => Err(ApiError::not_found(format!("`{}` has no memory `{}`", *user_id, *id))),
        }
    }

    /// The persona's state for a user
    ///
    /// Its configured traits, and what it keeps about the user (through the persona's
    /// optional `inspect` export).
    #[oai(path = "/persona/:user_id", method = "get")]
    async fn persona(
        &self,
        _auth: AdminAuth,
        /// The bot's user id, e.g. `web:alice`.
        #[oai(validator(
            max_length = 160,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        ))]
        user_id: Path<String>,
    ) -> ApiResult<Json<PersonaState>> {
        check_user(&user_id)?;
        let plugins = self.bot.plugins();
        let persona = plugins.persona().ok_or_else(|| not_loaded("persona"))?;
        let traits = persona.traits().await.map_err(plugin_failed)?;
        let state = match persona.user_state(&user_id).await.map_err(plugin_failed)? {
            Some(text) => Some(serde_json::from_str(&text).map_err(|e| {
                ApiError::bad_gateway(format!("the persona's state is not JSON: {e}"))
            })?),
            None => None,
        };
        Ok(Json(PersonaState {
            plugin: persona.name().to_string(),
            traits: traits.map(Traits::from),
            state,
        }))
    }
}

fn default_limit() -> u32 {
    10
}
