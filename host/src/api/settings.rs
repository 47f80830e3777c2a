//! `[server]` in `dcmaid.toml`: where the HTTP API listens, its admin token, who may chat
//! without it, and which browsers on other origins may call it.

use std::net::SocketAddr;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub bind: SocketAddr,
    /// The admin API's bearer token. Prefer `admin_token_env`, which keeps it out of files.
    pub admin_token: Option<String>,
    /// The environment variable holding the admin API's bearer token when `admin_token` is
    /// not set. Neither set: the admin endpoints (`/api/v1/jobs`) are off and answer 403.
    pub admin_token_env: String,
    /// Whether `POST /api/v1/chat` answers without the admin token. Unset: open when `bind`
    /// is a loopback address (a bot tried on one machine), closed otherwise, so that serving
    /// on a network never opens the chat by accident.
    pub public_chat: Option<bool>,
    /// Origins allowed to call the API from a browser (CORS), e.g.
    /// `["https://admin.example.org"]`. Empty: no CORS headers, same origin only.
    pub cors_origins: Vec<String>,
    /// The names the server answers to in the `Host` header, e.g. `["bot.example.org"]`,
    /// besides the loopback names when `bind` is loopback. Empty on another bind: any.
    pub hosts: Vec<String>,
    /// A bearer token `GET /metrics` wants; prefer `metrics_token_env`. Neither set: open.
    pub metrics_token: Option<String>,
    /// The environment variable holding the metrics token when `metrics_token` is not set.
    pub metrics_token_env: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            admin_token: None,
            admin_token_env: "DCMAID_ADMIN_TOKEN".to_owned(),
            public_chat: None,
            cors_origins: Vec::new(),
            hosts: Vec::new(),
            metrics_token: None,
            metrics_token_env: "DCMAID_METRICS_TOKEN".to_owned(),
        }
    }
}

impl ServerConfig {
    /// The admin token, from the file or else the environment; `None` when unset or empty.
    pub fn admin_token(&self) -> Option<String> {
        let token = self.admin_token.clone().or_else(|| std::env::var(&self.admin_token_env).ok());
        token.filter(|token| !token.trim().is_empty())
    }

    /// The metrics token, from the file or else the environment; `None` when unset or empty.
    pub fn metrics_token(&self) -> Option<String> {
        let token =
            self.metrics_token.clone().or_else(|| std::env::var(&self.metrics_token_env).ok());
        token.filter(|token| !token.trim().is_empty())
    }

    /// Whether the chat endpoint answers without the admin token (see `public_chat`).
    pub fn chat_is_public(&self) -> bool {
        self.public_chat.unwrap_or_else(|| self.bind.ip().is_loopback())
    }
}
