//! The HTTP API (poem): chat, the plugin list, a health check, metrics, and the admin
//! endpoints (jobs, hot swaps) behind the admin token.

mod admin;
pub mod jobs;
mod swaps;

pub(crate) use admin::constant_time_eq;

use std::sync::Arc;

use poem::endpoint::BoxEndpoint;
use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{Body, EndpointExt, IntoResponse, Response, Route, get, handler, post};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::bindings::Platform;
use crate::bot::Bot;

/// The routes, with `bot` attached; `telegram_webhook` is mounted at `/telegram/webhook`
/// when Telegram runs in webhook mode.
pub fn routes(
    bot: Arc<Bot>,
    telegram_webhook: Option<BoxEndpoint<'static>>,
) -> impl poem::Endpoint {
    let admin_token = bot.config().server.admin_token();
    let mut routes = Route::new()
        .at("/healthz", get(health))
        .at("/api/v1/chat", post(chat))
        .at("/api/v1/plugins", get(list_plugins))
        .at("/api/v1/plugins/:name/reload", admin::guard(swaps::reload(), admin_token.clone()))
        .at("/api/v1/plugins/:name/rollback", admin::guard(swaps::rollback(), admin_token.clone()))
        .nest("/api/v1/jobs", admin::guard(jobs::routes(), admin_token))
        .at("/metrics", get(metrics));
    if let Some(webhook) = telegram_webhook {
        routes = routes.at("/telegram/webhook", webhook);
    }
    routes.data(bot)
}

/// Longest message text accepted, in characters (Discord's limit is 2,000, Telegram's 4,096).
const MAX_TEXT_CHARS: usize = 4096;
const MAX_ID_CHARS: usize = 128;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChatRequest {
    user_id: String,
    #[serde(default)]
    user_name: Option<String>,
    text: String,
}

/// A request the API refuses: a 400 with a JSON body naming the field, when one is to blame.
pub(crate) struct BadRequest {
    field: Option<String>,
    message: String,
}

pub(crate) fn bad_request(field: Option<&str>, message: impl Into<String>) -> BadRequest {
    BadRequest { field: field.map(str::to_owned), message: message.into() }
}

impl IntoResponse for BadRequest {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.message, "field": self.field });
        (StatusCode::BAD_REQUEST, Json(body)).into_response()
    }
}

impl ChatRequest {
    fn parse(bytes: &[u8]) -> Result<ChatRequest, BadRequest> {
        let request: ChatRequest = serde_json::from_slice(bytes).map_err(|e| {
            bad_request(
                None,
                format!("the body must be a JSON object {{user_id, user_name, text}}: {e}"),
            )
        })?;
        let too_long = |field: &'static str, max: usize| {
            bad_request(Some(field), format!("`{field}` is longer than {max} characters"))
        };
        if request.user_id.trim().is_empty() {
            return Err(bad_request(Some("user_id"), "`user_id` must not be empty"));
        }
        if request.user_id.chars().count() > MAX_ID_CHARS {
            return Err(too_long("user_id", MAX_ID_CHARS));
        }
        if request.text.trim().is_empty() {
            return Err(bad_request(Some("text"), "`text` must not be empty"));
        }
        if request.text.chars().count() > MAX_TEXT_CHARS {
            return Err(too_long("text", MAX_TEXT_CHARS));
        }
        if request.user_name.as_ref().is_some_and(|name| name.chars().count() > MAX_ID_CHARS) {
            return Err(too_long("user_name", MAX_ID_CHARS));
        }
        Ok(request)
    }
}

#[handler]
async fn chat(Data(bot): Data<&Arc<Bot>>, body: Body) -> Response {
    let bytes = match body.into_bytes().await {
        Ok(bytes) => bytes,
        Err(error) => {
            return bad_request(None, format!("cannot read the body: {error}")).into_response();
        }
    };
    let request = match ChatRequest::parse(&bytes) {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(),
    };
    let name = request.user_name.as_deref().unwrap_or(&request.user_id);
    let message =
        bot.message(Platform::Web, &request.user_id, name, &request.user_id, &request.text);
    Json(bot.handle(message).await).into_response()
}

#[derive(Serialize)]
struct PluginInfo {
    name: String,
    version: String,
    role: String,
    description: String,
    commands: Vec<String>,
    requested: Vec<String>,
    granted: Vec<String>,
}

#[handler]
async fn list_plugins(Data(bot): Data<&Arc<Bot>>) -> Response {
    let loaded: Vec<PluginInfo> = bot
        .plugins()
        .loaded()
        .map(|plugin| {
            let manifest = plugin.manifest();
            PluginInfo {
                name: manifest.name.to_string(),
                version: manifest.version.to_string(),
                role: manifest.role.to_string(),
                description: manifest.description.clone(),
                commands: plugin.commands().iter().map(|spec| spec.name.clone()).collect(),
                requested: manifest.capabilities.iter().map(ToString::to_string).collect(),
                granted: plugin.grants().iter().map(ToString::to_string).collect(),
            }
        })
        .collect();
    Json(json!({ "loaded": loaded, "failed": bot.plugins().failed() })).into_response()
}

#[handler]
async fn health(Data(bot): Data<&Arc<Bot>>) -> Response {
    let plugins = bot.plugins();
    Json(json!({
        "status": "ok",
        "plugins_loaded": plugins.loaded().count(),
        "plugins_failed": plugins.failed().len(),
    }))
    .into_response()
}

#[handler]
async fn metrics(Data(bot): Data<&Arc<Bot>>) -> Response {
    Response::builder().content_type(crate::metrics::CONTENT_TYPE).body(bot.metrics().encode())
}
