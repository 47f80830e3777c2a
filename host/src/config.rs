//! `dcmaid.toml`, the operator's configuration. Every setting has a default, so no file is
//! needed; a file that is there must be right, and errors name the file and the field.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::capabilities::Capability;
use crate::error::FileError;
use crate::plugin::PluginName;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where dcmaid keeps its state: installed plugins, the compile cache, the database.
    pub data_dir: PathBuf,
    /// The installed plugins, one folder each with a `plugin.toml`. Default: `<data_dir>/plugins`.
    pub plugins_dir: Option<PathBuf>,
    /// The persona that answers conversation; default: the only (or first, by name) persona.
    pub persona: Option<PluginName>,
    /// Reload a plugin when its files in the plugins directory change (while developing).
    pub watch_plugins: bool,
    pub server: ServerConfig,
    pub storage: StorageConfig,
    pub llm: LlmConfig,
    pub embed: EmbedConfig,
    pub telegram: TelegramConfig,
    pub discord: DiscordConfig,
    pub cron: CronConfig,
    pub redis: RedisConfig,
    pub rate_limit: RateLimitConfig,
    pub http: HttpConfig,
    /// Which plugin publishers are trusted, and what an untrusted plugin gets.
    pub trust: crate::trust::TrustConfig,
    pub limits: Limits,
    /// Capabilities granted to every plugin that requests them, unless its own
    /// `[plugins.<name>]` entry says `grant = [...]`.
    pub default_grants: BTreeSet<Capability>,
    /// Per-plugin settings, by plugin name.
    pub plugins: BTreeMap<PluginName, PluginSettings>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from(".dcmaid"),
            plugins_dir: None,
            persona: None,
            watch_plugins: false,
            server: ServerConfig::default(),
            storage: StorageConfig::default(),
            llm: LlmConfig::default(),
            embed: EmbedConfig::default(),
            telegram: TelegramConfig::default(),
            discord: DiscordConfig::default(),
            cron: CronConfig::default(),
            redis: RedisConfig::default(),
            rate_limit: RateLimitConfig::default(),
            http: HttpConfig::default(),
            trust: crate::trust::TrustConfig::default(),
            limits: Limits::default(),
            default_grants: BTreeSet::from([
                Capability::Kv,
                Capability::Llm,
                Capability::Metrics,
                Capability::Scheduler,
                Capability::Store,
            ]),
            plugins: BTreeMap::new(),
        }
    }
}

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
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            admin_token: None,
            admin_token_env: "DCMAID_ADMIN_TOKEN".to_owned(),
            public_chat: None,
            cors_origins: Vec::new(),
        }
    }
}

impl ServerConfig {
    /// The admin token, from the file or else the environment; `None` when unset or empty.
    pub fn admin_token(&self) -> Option<String> {
        let token = self.admin_token.clone().or_else(|| std::env::var(&self.admin_token_env).ok());
        token.filter(|token| !token.trim().is_empty())
    }

    /// Whether the chat endpoint answers without the admin token (see `public_chat`).
    pub fn chat_is_public(&self) -> bool {
        self.public_chat.unwrap_or_else(|| self.bind.ip().is_loopback())
    }
}

/// Scheduled jobs.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CronConfig {
    /// The jobs, in the seed's `cron_schedules.yaml` format; relative to `dcmaid.toml`.
    /// None: no jobs.
    pub schedules_file: Option<PathBuf>,
    /// Backups `backup_database` keeps; older ones are removed.
    pub backup_retention: usize,
}

impl Default for CronConfig {
    fn default() -> Self {
        CronConfig { schedules_file: None, backup_retention: 7 }
    }
}

/// Redis, for what replicas share: with it, each cron slot fires on one replica only.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisConfig {
    /// E.g. `redis://127.0.0.1:6379`. None: this process is the only replica.
    pub url: Option<String>,
}

/// A token bucket per user and command; with `[redis]`, shared by every replica.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Calls of one command in a row.
    pub burst: u32,
    /// Calls a minute after the burst.
    pub per_minute: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig { burst: 10, per_minute: 30 }
    }
}

/// Plugins' outgoing HTTP (`wasi:http`): where it may go, how long it may take, how much
/// may come back.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// The allowlist, in the seed's `allowed_domains.txt` format; relative to `dcmaid.toml`.
    /// None: the seed's list, built in (DuckDuckGo, GitHub, OpenWeatherMap, Reddit).
    pub allowlist_file: Option<PathBuf>,
    /// A whole exchange, from connecting to the last byte of the response, in milliseconds.
    pub timeout_ms: u64,
    /// The largest response body a plugin may receive.
    pub max_response_bytes: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig { allowlist_file: None, timeout_ms: 2_000, max_response_bytes: 1 << 20 }
    }
}

/// The seed's `config/allowed_domains.txt`, the allowlist when none is configured.
const SEED_ALLOWLIST: &str = include_str!("../../config/allowed_domains.txt");

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// A SurrealDB endpoint: `mem://`, or `surrealkv://PATH`. Default: a `surrealkv` file
    /// under the data dir.
    pub url: Option<String>,
}

/// The language model: any OpenAI-compatible API. Without `base_url` there is none, and the
/// persona answers from its templates.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    /// The API's base URL, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`.
    pub base_url: Option<String>,
    pub model: String,
    /// The model for `embed`; none: embeddings are not configured.
    pub embedding_model: Option<String>,
    /// The environment variable holding the API key (the key itself never goes in a file).
    pub api_key_env: String,
    /// Per attempt, in milliseconds.
    pub timeout_ms: u64,
    /// Retries after a timeout, a refused connection, a 429 or a 5xx.
    pub max_retries: u32,
}

impl Default for LlmConfig {
    fn default() -> Self {
        LlmConfig {
            base_url: None,
            model: "gpt-4o-mini".to_owned(),
            embedding_model: None,
            api_key_env: "DCMAID_LLM_API_KEY".to_owned(),
            timeout_ms: 30_000,
            max_retries: 2,
        }
    }
}

/// Embeddings: the local model's files (used when `[llm] embedding_model` is not set) and
/// how many recent vectors are kept, whichever the source.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbedConfig {
    /// The folder of all-MiniLM-L6-v2 (config.json, tokenizer.json, model.safetensors).
    /// Default: `DCMAID_MODEL_DIR`, else `~/.cache/dcmaid/models/all-MiniLM-L6-v2`.
    pub model_dir: Option<PathBuf>,
    /// How many recently embedded texts keep their vectors, so that embedding one again
    /// costs no model run or API call (a turn's message is embedded for `recall` and again
    /// for `remember`). About 1.5 KB each at 384 dimensions.
    pub recent: usize,
}

impl Default for EmbedConfig {
    fn default() -> Self {
        EmbedConfig { model_dir: None, recent: crate::embed::RECENT_BY_DEFAULT }
    }
}

/// Telegram. The adapter runs when the environment variable `token_env` names holds a token.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelegramConfig {
    pub token_env: String,
    /// The Bot API's address (a local Bot API server, or a test's fake).
    pub api_url: String,
    pub mode: TelegramMode,
    /// Webhook mode: the public URL Telegram posts updates to, ending in `/telegram/webhook`.
    pub webhook_url: Option<String>,
    /// Webhook mode: the environment variable holding the secret Telegram sends back.
    pub webhook_secret_env: String,
    /// How long one `getUpdates` long poll waits for news.
    pub poll_timeout_secs: u64,
}

impl Default for TelegramConfig {
    fn default() -> Self {
        TelegramConfig {
            token_env: "TELEGRAM_BOT_TOKEN".to_owned(),
            api_url: "https://api.telegram.org".to_owned(),
            mode: TelegramMode::Polling,
            webhook_url: None,
            webhook_secret_env: "TELEGRAM_WEBHOOK_SECRET".to_owned(),
            poll_timeout_secs: 30,
        }
    }
}

/// Discord. The adapter runs when the environment variable `token_env` names holds a token.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiscordConfig {
    pub token_env: String,
    /// In guild channels the bot answers messages that mention it, and commands written
    /// with this prefix (`!hello Ann` runs `/hello Ann`). In DMs it answers everything.
    pub prefix: String,
    /// Send REST calls to this address instead of `https://discord.com` (an HTTP proxy for
    /// Discord's API, or a test's fake). serenity's rate limiter does not work through a
    /// proxy, so the adapter then retries `429`s itself.
    pub api_proxy: Option<String>,
}

impl Default for DiscordConfig {
    fn default() -> Self {
        DiscordConfig {
            token_env: "DISCORD_BOT_TOKEN".to_owned(),
            prefix: "!".to_owned(),
            api_proxy: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TelegramMode {
    Polling,
    Webhook,
}

/// What one plugin call may use.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Linear memory per call, in MiB.
    pub memory_mib: u32,
    /// Wall-clock time per call, in milliseconds; also the CPU (epoch) deadline.
    pub call_timeout_ms: u64,
    /// Calls running at once, across all plugins; more wait their turn.
    pub max_concurrent_calls: u32,
    /// Events waiting for the observer plugins at most; past it they are dropped (and
    /// counted) rather than delaying replies.
    pub observer_queue: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_mib: 128,
            call_timeout_ms: 5_000,
            max_concurrent_calls: 64,
            observer_queue: 4_096,
        }
    }
}

impl Limits {
    pub fn memory_bytes(&self) -> usize {
        (self.memory_mib as usize) << 20
    }

    pub fn call_timeout(&self) -> Duration {
        Duration::from_millis(self.call_timeout_ms)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PluginSettings {
    pub enabled: bool,
    /// Capabilities granted to this plugin; replaces `default_grants` when present.
    pub grant: Option<BTreeSet<Capability>>,
    /// Overrides of the manifest's `[config]`. A value written `{ file = "path" }` is the
    /// text of that file (relative to `dcmaid.toml`), read when the config loads; that is how
    /// a plugin gets a file such as the seed's `personality_config.yaml`.
    pub config: toml::Table,
}

/// `{ file = "path" }` anywhere in `table` becomes the text of `base/path`; `key` names the
/// table in errors.
fn inline_files(table: &mut toml::Table, base: &Path, key: &str) -> Result<(), String> {
    for (name, value) in table.iter_mut() {
        let toml::Value::Table(inner) = value else { continue };
        let key = format!("{key}.{name}");
        let file = match inner.get("file") {
            Some(file) if inner.len() == 1 => file.as_str().map(|file| base.join(file)),
            _ => {
                inline_files(inner, base, &key)?;
                continue;
            }
        };
        let path = file.ok_or_else(|| format!("{key}.file: expected a path, as a string"))?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{key}: cannot read {}: {e}", path.display()))?;
        *value = toml::Value::String(text);
    }
    Ok(())
}

impl Default for PluginSettings {
    fn default() -> Self {
        PluginSettings { enabled: true, grant: None, config: toml::Table::new() }
    }
}

impl Config {
    /// Read `path` and check it.
    pub fn load(path: &Path) -> Result<Config, FileError> {
        let text = std::fs::read_to_string(path).map_err(|e| FileError::read(path, e))?;
        let mut config = Config::parse(&text).map_err(|e| FileError::parse(path, e))?;
        config.check().map_err(|message| FileError::invalid(path, message))?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.read_plugin_files(base).map_err(|message| FileError::invalid(path, message))?;
        if let Some(schedules) = &mut config.cron.schedules_file {
            *schedules = base.join(&*schedules);
        }
        if let Some(allowlist) = &mut config.http.allowlist_file {
            *allowlist = base.join(&*allowlist);
        }
        Ok(config)
    }

    /// The scheduled jobs, read and checked; an error names the file, the job and the field.
    pub fn cron_jobs(&self) -> Result<Vec<crate::cron::Job>, FileError> {
        let Some(path) = &self.cron.schedules_file else { return Ok(Vec::new()) };
        let text = std::fs::read_to_string(path).map_err(|e| FileError::read(path, e))?;
        crate::cron::parse_jobs(&text).map_err(|message| FileError::invalid(path, message))
    }

    /// Replace every `{ file = "path" }` in the plugins' settings by the file's text.
    /// The operator's allowlist for plugins' outgoing HTTP.
    pub fn allowlist(&self) -> Result<crate::egress::Allowlist, FileError> {
        let Some(path) = &self.http.allowlist_file else {
            return Ok(crate::egress::Allowlist::parse(SEED_ALLOWLIST)
                .expect("the built-in allowlist parses"));
        };
        let text = std::fs::read_to_string(path).map_err(|e| FileError::read(path, e))?;
        crate::egress::Allowlist::parse(&text).map_err(|message| FileError::invalid(path, message))
    }

    fn read_plugin_files(&mut self, base: &Path) -> Result<(), String> {
        for (plugin, settings) in &mut self.plugins {
            let key = format!("plugins.{plugin}.config");
            inline_files(&mut settings.config, base, &key)?;
        }
        Ok(())
    }

    pub fn parse(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }

    /// Rules serde cannot express; the message names the field.
    fn check(&self) -> Result<(), String> {
        let limits = &self.limits;
        if !(1..=4096).contains(&limits.memory_mib) {
            return Err(format!(
                "limits.memory_mib: expected 1 to 4096, got {}",
                limits.memory_mib
            ));
        }
        if !(1..=600_000).contains(&limits.call_timeout_ms) {
            return Err(format!(
                "limits.call_timeout_ms: expected 1 to 600000, got {}",
                limits.call_timeout_ms
            ));
        }
        if !(1..=1_000_000).contains(&limits.observer_queue) {
            return Err(format!(
                "limits.observer_queue: expected 1 to 1000000, got {}",
                limits.observer_queue
            ));
        }
        if !(1..=1024).contains(&limits.max_concurrent_calls) {
            return Err(format!(
                "limits.max_concurrent_calls: expected 1 to 1024, got {}",
                limits.max_concurrent_calls
            ));
        }
        let rate = &self.rate_limit;
        if !(1..=10_000).contains(&rate.burst) || !(1..=1_000_000).contains(&rate.per_minute) {
            return Err(format!(
                "rate_limit: expected burst 1 to 10000 and per_minute 1 to 1000000, got {} and {}",
                rate.burst, rate.per_minute
            ));
        }
        let http = &self.http;
        if !(1..=600_000).contains(&http.timeout_ms) || http.max_response_bytes == 0 {
            return Err(format!(
                "http: expected timeout_ms 1 to 600000 and max_response_bytes over 0, got {} and {}",
                http.timeout_ms, http.max_response_bytes
            ));
        }
        let prefix = &self.discord.prefix;
        if prefix.is_empty() || prefix.chars().count() > 8 || prefix.contains(char::is_whitespace) {
            return Err(format!(
                "discord.prefix: expected 1 to 8 characters without spaces, got `{prefix}`"
            ));
        }
        if let Some(url) = &self.discord.api_proxy
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(format!(
                "discord.api_proxy: expected an http:// or https:// URL, got `{url}`"
            ));
        }
        let llm = &self.llm;
        if let Some(url) = &llm.base_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(format!("llm.base_url: expected an http:// or https:// URL, got `{url}`"));
        }
        if !(1..=600_000).contains(&llm.timeout_ms) {
            return Err(format!("llm.timeout_ms: expected 1 to 600000, got {}", llm.timeout_ms));
        }
        if !(1..=600).contains(&self.telegram.poll_timeout_secs) {
            return Err(format!(
                "telegram.poll_timeout_secs: expected 1 to 600, got {}",
                self.telegram.poll_timeout_secs
            ));
        }
        if llm.max_retries > 10 {
            return Err(format!("llm.max_retries: expected 0 to 10, got {}", llm.max_retries));
        }
        Ok(())
    }

    pub fn plugins_dir(&self) -> PathBuf {
        self.plugins_dir.clone().unwrap_or_else(|| self.data_dir.join("plugins"))
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.data_dir.join("cache")
    }

    pub fn storage_url(&self) -> String {
        match &self.storage.url {
            Some(url) => url.clone(),
            None => format!("surrealkv://{}", self.data_dir.join("db").display()),
        }
    }

    /// The settings for `plugin`, defaults when the operator wrote none.
    pub fn plugin(&self, plugin: &PluginName) -> PluginSettings {
        self.plugins.get(plugin).cloned().unwrap_or_default()
    }

    /// What `plugin` may use: what it requests and the operator grants.
    pub fn effective_grants(
        &self,
        plugin: &PluginName,
        requested: &BTreeSet<Capability>,
    ) -> BTreeSet<Capability> {
        let settings = self.plugins.get(plugin);
        let granted = settings.and_then(|s| s.grant.as_ref()).unwrap_or(&self.default_grants);
        requested.intersection(granted).copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_the_defaults() {
        let config = Config::parse("").unwrap();
        assert_eq!(config.server.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.plugins_dir(), PathBuf::from(".dcmaid/plugins"));
        assert_eq!(config.limits.memory_mib, 128);
    }

    #[test]
    fn plugin_settings_can_come_from_files_beside_the_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("persona.yaml"), "personality: {}\n").unwrap();
        let path = dir.path().join("dcmaid.toml");
        let settings = "[plugins.personality.config]\npersonality = { file = \"persona.yaml\" }\n";
        std::fs::write(&path, settings).unwrap();
        let config = Config::load(&path).unwrap();
        let personality = PluginName::new("personality").unwrap();
        let value = config.plugin(&personality).config["personality"].clone();
        assert_eq!(value.as_str(), Some("personality: {}\n"));

        std::fs::write(&path, settings.replace("persona.yaml", "missing.yaml")).unwrap();
        let error = Config::load(&path).unwrap_err().to_string();
        assert!(error.contains("plugins.personality.config.personality: cannot read"), "{error}");
        assert!(error.contains("missing.yaml"), "{error}");
    }

    #[test]
    fn grants_are_requested_and_granted() {
        let config = Config::parse(
            r#"
            default_grants = []
            [plugins.hello]
            grant = ["kv"]
            "#,
        )
        .unwrap();
        let requested = BTreeSet::from([Capability::Kv]);
        let hello = PluginName::new("hello").unwrap();
        let other = PluginName::new("other").unwrap();
        assert_eq!(config.effective_grants(&hello, &requested), requested);
        assert!(config.effective_grants(&other, &requested).is_empty());
    }

    #[test]
    fn errors_name_the_file_and_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dcmaid.toml");
        for (text, field) in [
            ("[limits]\nmemory_mib = \"lots\"\n", "memory_mib"),
            ("[server]\nbind = \"nowhere\"\n", "bind"),
            ("[limits]\nmemory_mib = 0\n", "limits.memory_mib"),
            ("colour = \"blue\"\n", "colour"),
            ("[plugins.\"Bad Name\"]\n", "Bad Name"),
            ("[llm]\nbase_url = \"ftp://model\"\n", "llm.base_url"),
            ("[discord]\nprefix = \"\"\n", "discord.prefix"),
            ("[discord]\nprefix = \"hey bot\"\n", "discord.prefix"),
            ("[discord]\napi_proxy = \"discord.example\"\n", "discord.api_proxy"),
            ("[rate_limit]\nburst = 0\n", "rate_limit"),
            ("[rate_limit]\nper_minute = 0\n", "rate_limit"),
            ("[server]\nadmin_tokn = \"x\"\n", "admin_tokn"),
        ] {
            std::fs::write(&path, text).unwrap();
            let message = Config::load(&path).unwrap_err().to_string();
            assert!(message.contains("dcmaid.toml"), "{message} should name the file");
            assert!(message.contains(field), "{message} should name {field}");
        }
    }
}
