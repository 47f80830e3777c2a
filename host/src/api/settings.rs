//! `[server]` in `dcmaid.toml`: where the HTTP API listens, its admin token, who may chat
//! without it, and which browsers on other origins may call it.

use std::net::SocketAddr;

use serde::Deserialize;

#[derive(Clone, Deserialize)]
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
    /// The secret public chat sessions are signed with (at least 16 bytes); prefer
    /// `session_secret_env`. Replicas behind one name share it. Neither set: a random one,
    /// so sessions last as long as the process.
    pub session_secret: Option<String>,
    /// The environment variable holding the session secret when `session_secret` is unset.
    pub session_secret_env: String,
    /// How long a public chat session lasts, in days.
    pub session_days: u32,
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
            session_secret: None,
            session_secret_env: "DCMAID_SESSION_SECRET".to_owned(),
            session_days: 30,
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

    /// The session secret, from the file or else the environment; `None` when unset or
    /// empty.
    pub fn session_secret(&self) -> Option<String> {
        let secret =
            self.session_secret.clone().or_else(|| std::env::var(&self.session_secret_env).ok());
        secret.filter(|secret| !secret.is_empty())
    }

    pub fn session_max_age(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.session_days) * 86_400)
    }

    /// Rules serde cannot express; the message names the field.
    pub fn check(&self) -> Result<(), String> {
        crate::core::check_range("server.session_days", u64::from(self.session_days), 1..=3650)?;
        match self.session_secret() {
            Some(secret) if secret.len() < 16 => Err(format!(
                "server.session_secret (or ${}) must be at least 16 bytes; it is {}",
                self.session_secret_env,
                secret.len()
            )),
            _ => Ok(()),
        }
    }

    /// Whether the chat endpoint answers without the admin token (see `public_chat`).
    pub fn chat_is_public(&self) -> bool {
        self.public_chat.unwrap_or_else(|| self.bind.ip().is_loopback())
    }
}

/// Never the tokens or the secret, which would otherwise reach a log with the configuration.
impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |set: bool| if set { "<set>" } else { "<unset>" };
        f.debug_struct("ServerConfig")
            .field("bind", &self.bind)
            .field("admin_token", &hidden(self.admin_token.is_some()))
            .field("admin_token_env", &self.admin_token_env)
            .field("public_chat", &self.public_chat)
            .field("cors_origins", &self.cors_origins)
            .field("hosts", &self.hosts)
            .field("metrics_token", &hidden(self.metrics_token.is_some()))
            .field("metrics_token_env", &self.metrics_token_env)
            .field("session_secret", &hidden(self.session_secret.is_some()))
            .field("session_secret_env", &self.session_secret_env)
            .field("session_days", &self.session_days)
            .finish()
    }
}
