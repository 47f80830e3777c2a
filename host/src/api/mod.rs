//! The HTTP API, documented with OpenAPI (`GET /api/openapi.json`, Swagger UI at
//! `/api/docs`), the web console (`/console/`), a health check and the Prometheus metrics.
//!
//! Under `/api/v1`: the chat, and the admin endpoints behind the admin token: plugins,
//! jobs, memories, persona state, the metrics summary and the log tail. Every refusal is a
//! JSON `{error, field}` ([`error`]).

mod activity;
mod allow;
mod auth;
mod body;
mod chat;
mod console;
mod error;
mod guard;
mod install_requests;
pub mod jobs;
mod memories;
mod plugins;
pub mod session;
pub(crate) mod settings;
mod strict;
mod tag;
mod upload;
mod user_id;

pub(crate) use auth::constant_time_eq;
pub use error::ErrorBody;
pub use settings::ServerConfig;

use std::sync::Arc;

use poem::endpoint::BoxEndpoint;
use poem::middleware::Cors;
use poem::web::{Data, Json};
use poem::{EndpointExt, IntoEndpoint, IntoResponse, Response, Route, get, handler};
use poem_openapi::OpenApiService;
use serde_json::json;

use crate::bot::Bot;

/// Where the API's operations live; the OpenAPI document names this as its server.
pub const API_PREFIX: &str = "/api/v1";

type Apis = (
    chat::ChatApi,
    plugins::PluginsApi,
    jobs::JobsApi,
    memories::MemoriesApi,
    activity::ActivityApi,
);

/// The documented API for `bot`.
fn service(bot: &Arc<Bot>, sessions: Arc<session::Sessions>) -> OpenApiService<Apis, ()> {
    let apis = (
        chat::ChatApi { bot: bot.clone(), public: bot.config().server.chat_is_public(), sessions },
        plugins::PluginsApi { bot: bot.clone() },
        jobs::JobsApi { bot: bot.clone() },
        memories::MemoriesApi { bot: bot.clone() },
        activity::ActivityApi { bot: bot.clone() },
    );
    OpenApiService::new(apis, "dcmaid", env!("CARGO_PKG_VERSION"))
        .description(
            "The dcmaid bot's HTTP API: chat with the bot, and manage it (plugins, jobs, \
             memories, persona state, metrics, logs). The admin operations want \
             `Authorization: Bearer <token>`, the token from `[server] admin_token` or the \
             environment variable `[server] admin_token_env` names. Every error is a JSON \
             object `{error, field}`.",
        )
        .server(API_PREFIX)
}

/// The OpenAPI document of the API, as `GET /api/openapi.json` serves it.
pub fn openapi_json(bot: &Arc<Bot>) -> String {
    let service = service(bot, Arc::new(session::Sessions::new(None, std::time::Duration::ZERO)));
    strict::closed_request_bodies(&service.spec())
}

/// The routes, with `bot` attached; `telegram_webhook` is mounted at `/telegram/webhook`
/// when Telegram runs in webhook mode.
pub fn routes(
    bot: Arc<Bot>,
    telegram_webhook: Option<BoxEndpoint<'static>>,
) -> impl poem::Endpoint {
    let server = &bot.config().server;
    let token = auth::AdminToken(server.admin_token().map(Arc::from));
    let admin_on = token.0.is_some();
    let cors_origins = server.cors_origins.clone();
    let hosts = guard::AllowedHosts::of(server);
    let metrics_token = MetricsToken(server.metrics_token().map(Arc::from));
    let sessions =
        session::Sessions::new(server.session_secret().as_deref(), server.session_max_age());
    let service = service(&bot, Arc::new(sessions));
    let spec = strict::closed_request_bodies(&service.spec());
    let methods = Arc::new(allow::Methods::of_spec(&spec));
    let mut routes = Route::new()
        .at("/healthz", get(health))
        .at("/metrics", get(metrics))
        .nest("/api/docs", service.swagger_ui())
        .at("/api/openapi.json", openapi_endpoint(spec))
        .nest(
            API_PREFIX,
            allow::with_allow(
                error::json_errors(service.into_endpoint(), admin_on),
                API_PREFIX,
                methods,
            ),
        )
        .nest("/console", console::routes())
        .at("/", get(console::to_console));
    if let Some(webhook) = telegram_webhook {
        routes = routes.at("/telegram/webhook", webhook);
    }
    let routes = routes.data(bot).data(token).data(metrics_token);
    // No CORS unless configured: the console is served from the API's own origin.
    let cors = (!cors_origins.is_empty()).then(|| {
        Cors::new()
            .allow_origins(cors_origins)
            .allow_headers(["authorization", "content-type", "x-dcmaid-session"])
            .expose_headers(["x-dcmaid-session"])
            .allow_methods(["GET", "POST", "DELETE"])
    });
    routes.with_if(cors.is_some(), cors.unwrap_or_else(Cors::new)).with(guard::Hosts(hosts))
}

/// The token `GET /metrics` wants, if any.
#[derive(Clone)]
struct MetricsToken(Option<Arc<str>>);

/// Whether the bot can answer: `ok`, or `degraded` (503) while its storage does not answer
/// (a SurrealDB server that went away; calls that need it fail until it is back).
#[handler]
async fn health(Data(bot): Data<&Arc<Bot>>) -> Response {
    let plugins = bot.plugins();
    let storage_up = bot.storage().answers().await;
    let body = Json(json!({
        "status": if storage_up { "ok" } else { "degraded" },
        "storage": if storage_up { "ok" } else { "down" },
        "plugins_loaded": plugins.loaded().count(),
        "plugins_failed": plugins.failed().len(),
    }));
    let status = match storage_up {
        true => poem::http::StatusCode::OK,
        false => poem::http::StatusCode::SERVICE_UNAVAILABLE,
    };
    body.with_status(status).into_response()
}

#[handler]
async fn metrics(
    request: &poem::Request,
    Data(bot): Data<&Arc<Bot>>,
    Data(token): Data<&MetricsToken>,
) -> Response {
    if let Some(refusal) = guard::metrics_refusal(request, token.0.as_deref()) {
        return refusal;
    }
    Response::builder().content_type(crate::telemetry::CONTENT_TYPE).body(bot.metrics().encode())
}

/// `GET /api/openapi.json`: the document as the server behaves ([`strict`]).
fn openapi_endpoint(spec: String) -> impl poem::Endpoint {
    let spec: Arc<str> = spec.into();
    poem::endpoint::make_sync(move |_| {
        Response::builder().content_type("application/json").body(spec.to_string())
    })
}
