//! `dcmaid.toml`, the operator's configuration, assembled from the sections of the modules
//! that own them (`[server]` is the API's, `[llm]` the llm capability's, and so on). Every
//! setting has a default, so no file is needed; a file that is there must be right, and
//! errors name the file and the field.

mod files;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use crate::adapters::discord::settings::DiscordConfig;
pub use crate::adapters::telegram::settings::{TelegramConfig, TelegramMode};
pub use crate::api::settings::ServerConfig;
pub use crate::bot::ratelimit::RateLimitConfig;
pub use crate::budget::{Budgets, UserBudgets};
pub use crate::capabilities::http::HttpConfig;
pub use crate::capabilities::llm::{EmbedConfig, LlmConfig};
pub use crate::core::Limits;
pub use crate::cron::CronConfig;
pub use crate::redis::RedisConfig;
pub use crate::storage::StorageConfig;
pub use crate::trust::TrustConfig;

use crate::core::{Capability, FileError, PluginName};
use crate::plugin::{PluginEntry, PluginPolicy};

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where dcmaid keeps its state: installed plugins, the compile cache, the database.
    pub data_dir: PathBuf,
    /// The installed plugins, one folder each with a `plugin.toml`. Default: `<data_dir>/plugins`.
    pub plugins_dir: Option<PathBuf>,
    /// The persona that answers conversation; default: the only (or first, by name) persona.
    pub persona: Option<PluginName>,
    /// Who gets a command (`"/weather" = "tools"`) or a tool (`"tool weather" = "tools"`)
    /// that several plugins claim; default: the first of them by name.
    pub routes: BTreeMap<String, PluginName>,
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
    pub trust: TrustConfig,
    pub limits: Limits,
    /// What each plugin may use over time and in total; `[plugins.<name>.budgets]` changes
    /// it for one plugin.
    pub budgets: Budgets,
    /// What each user may use of the language model.
    pub user_budgets: UserBudgets,
    /// Capabilities granted to every plugin that requests them, unless its own
    /// `[plugins.<name>]` entry says `grant = [...]`.
    pub default_grants: BTreeSet<Capability>,
    /// Per-plugin settings, by plugin name.
    pub plugins: BTreeMap<PluginName, PluginEntry>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from(".dcmaid"),
            plugins_dir: None,
            persona: None,
            routes: BTreeMap::new(),
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
            trust: TrustConfig::default(),
            limits: Limits::default(),
            budgets: Budgets::default(),
            user_budgets: UserBudgets::default(),
            default_grants: Capability::ALL.iter().copied().collect(),
            plugins: BTreeMap::new(),
        }
    }
}

impl Config {
    /// Read `path` and check it. Files it names are relative to it.
    pub fn load(path: &Path) -> Result<Config, FileError> {
        let text = std::fs::read_to_string(path).map_err(|e| FileError::read(path, e))?;
        let mut config = Config::parse(&text).map_err(|e| FileError::parse(path, e))?;
        config.check().map_err(|message| FileError::invalid(path, message))?;
        let base = path.parent().unwrap_or(Path::new("."));
        for (plugin, entry) in &mut config.plugins {
            let key = format!("plugins.{plugin}.config");
            files::inline_files(&mut entry.config, base, &key)
                .map_err(|message| FileError::invalid(path, message))?;
        }
        if let Some(schedules) = &mut config.cron.schedules_file {
            *schedules = base.join(&*schedules);
        }
        if let Some(allowlist) = &mut config.http.allowlist_file {
            *allowlist = base.join(&*allowlist);
        }
        if let Some(ca_file) = &mut config.redis.ca_file {
            *ca_file = base.join(&*ca_file);
        }
        Ok(config)
    }

    pub fn parse(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }

    /// Rules serde cannot express, each section's own; the message names the field.
    fn check(&self) -> Result<(), String> {
        self.limits.check()?;
        self.budgets.check("budgets")?;
        for (plugin, entry) in &self.plugins {
            let at = format!("plugins.{plugin}.budgets");
            self.budgets.with_overrides(&entry.budgets, &at)?;
        }
        for route in self.routes.keys() {
            let command = route.strip_prefix('/').is_some_and(|c| !c.is_empty());
            let tool = route.strip_prefix("tool ").is_some_and(|t| !t.is_empty());
            if !command && !tool {
                return Err(format!(
                    "routes.\"{route}\": a route is a command (\"/weather\") or a tool \
                     (\"tool weather\")"
                ));
            }
        }
        self.rate_limit.check()?;
        self.server.check()?;
        self.storage.check()?;
        self.redis.check()?;
        self.http.check()?;
        self.discord.check()?;
        self.llm.check()?;
        self.telegram.check()
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

    /// What the operator says about plugins, for loading, swapping and installing them.
    pub fn plugin_policy(&self) -> PluginPolicy {
        PluginPolicy {
            default_grants: self.default_grants.clone(),
            entries: self.plugins.clone(),
            persona: self.persona.clone(),
            routes: self.routes.clone(),
            trust: self.trust.clone(),
            limits: self.limits.clone(),
        }
    }
}

#[cfg(test)]
mod tests;
