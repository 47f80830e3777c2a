//! What `dcmaid jobs` and `dcmaid plugin list` do, wherever the bot is: the running bot,
//! through its admin API (the embedded database belongs to the process that serves), or,
//! when no bot answers on `[server] bind`, a bot started here for the command.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use serde::de::DeserializeOwned;

use dcmaid_host::api::jobs::NewJob;
use dcmaid_host::budget::BudgetReport;
use dcmaid_host::cron::{JobSpec, JobView};
use dcmaid_host::plugin::{Conflict, Plugin};
use dcmaid_host::{Bot, Config};

/// The plugins as `dcmaid plugin list` shows them (the API's `PluginList`, in part).
#[derive(serde::Deserialize)]
pub struct PluginTable {
    pub loaded: Vec<PluginRow>,
    pub failed: Vec<FailedRow>,
    pub conflicts: Vec<Conflict>,
}

#[derive(serde::Deserialize)]
pub struct PluginRow {
    pub name: String,
    pub version: String,
    pub role: String,
    pub wit: String,
    /// Without the slash.
    pub commands: Vec<String>,
    pub granted: Vec<String>,
    /// Who it is (its name and publisher).
    pub identity: String,
    pub budget: BudgetReport,
}

#[derive(serde::Deserialize)]
pub struct FailedRow {
    pub manifest: String,
    pub error: String,
}

impl PluginRow {
    fn of(plugin: &Plugin) -> PluginRow {
        let manifest = plugin.manifest();
        PluginRow {
            name: manifest.name.to_string(),
            version: manifest.version.to_string(),
            role: manifest.role.to_string(),
            wit: plugin.wit_version().to_string(),
            commands: plugin.commands().iter().map(|spec| spec.name.clone()).collect(),
            granted: plugin.grants().iter().map(ToString::to_string).collect(),
            identity: plugin.identity().to_string(),
            budget: plugin.budget().report(),
        }
    }
}

pub enum Operator {
    /// The bot serving on this machine, through its admin API.
    Remote { base: String, token: Option<String>, http: reqwest::Client },
    /// A bot started for this command, the schedules file's jobs loaded.
    Local(Arc<Bot>),
}

impl Operator {
    /// The running bot's API when one answers on `[server] bind`, else a bot started here.
    pub async fn connect(config: Config) -> anyhow::Result<Operator> {
        let mut address = config.server.bind;
        if address.ip().is_unspecified() {
            address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        let base = format!("http://{address}/api/v1");
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
        let health = async {
            let response = http.get(format!("http://{address}/healthz")).send().await.ok()?;
            response.json::<serde_json::Value>().await.ok()
        };
        let health = tokio::time::timeout(Duration::from_secs(2), health).await.ok().flatten();
        // A dcmaid's health check, not whatever else may listen there.
        if health.is_some_and(|health| health.get("plugins_loaded").is_some()) {
            return Ok(Operator::Remote { base, token: config.server.admin_token(), http });
        }
        let file_jobs = config.cron.jobs()?;
        let bot = Arc::new(Bot::start(config).await?);
        bot.cron().load_file(&file_jobs).await?;
        Ok(Operator::Local(bot))
    }

    pub async fn list(&self) -> anyhow::Result<Vec<JobView>> {
        match self {
            Operator::Local(bot) => Ok(bot.cron().list().await?),
            Operator::Remote { .. } => self.call(reqwest::Method::GET, "/jobs", None).await,
        }
    }

    /// The loaded plugins with their budgets, and those that failed to load.
    pub async fn plugins(&self) -> anyhow::Result<PluginTable> {
        match self {
            Operator::Remote { .. } => self.call(reqwest::Method::GET, "/plugins", None).await,
            Operator::Local(bot) => {
                let plugins = bot.plugins();
                let mut loaded = Vec::new();
                for plugin in plugins.loaded() {
                    plugin.measure_usage().await;
                    loaded.push(PluginRow::of(plugin));
                }
                let failed = plugins
                    .failed()
                    .iter()
                    .map(|failed| FailedRow {
                        manifest: failed.manifest.display().to_string(),
                        error: failed.error.clone(),
                    })
                    .collect();
                Ok(PluginTable { loaded, failed, conflicts: plugins.conflicts().to_vec() })
            }
        }
    }

    pub async fn add(&self, new: NewJob) -> anyhow::Result<JobView> {
        match self {
            Operator::Local(bot) => {
                let (name, spec): (String, JobSpec) = new.into_spec();
                Ok(bot.cron().add(&name, spec).await?)
            }
            Operator::Remote { .. } => {
                let body = serde_json::to_value(&new)?;
                self.call(reqwest::Method::POST, "/jobs", Some(body)).await
            }
        }
    }

    pub async fn set_enabled(&self, name: &str, enabled: bool) -> anyhow::Result<JobView> {
        match self {
            Operator::Local(bot) => Ok(bot.cron().set_enabled(name, enabled).await?),
            Operator::Remote { .. } => {
                let action = if enabled { "enable" } else { "disable" };
                self.call(reqwest::Method::POST, &format!("/jobs/{name}/{action}"), None).await
            }
        }
    }

    pub async fn remove(&self, name: &str) -> anyhow::Result<()> {
        match self {
            Operator::Local(bot) => Ok(bot.cron().remove(name).await?),
            Operator::Remote { .. } => {
                self.send(reqwest::Method::DELETE, &format!("/jobs/{name}"), None).await.map(drop)
            }
        }
    }

    /// Run `name` now; the inner result is the job's own outcome.
    pub async fn run(&self, name: &str) -> anyhow::Result<Result<(), String>> {
        match self {
            Operator::Local(bot) => {
                let runner = bot.job_runner();
                Ok(bot.cron().run_now(name, &runner).await?)
            }
            Operator::Remote { .. } => {
                let ran: serde_json::Value =
                    self.call(reqwest::Method::POST, &format!("/jobs/{name}/run"), None).await?;
                match ran["status"].as_str() {
                    Some("ok") => Ok(Ok(())),
                    _ => Ok(Err(ran["error"].as_str().unwrap_or("failed").to_owned())),
                }
            }
        }
    }

    /// Where the jobs are, for the user to know which bot they changed.
    pub fn describe(&self) -> String {
        match self {
            Operator::Remote { base, .. } => format!("the running bot ({base})"),
            Operator::Local(bot) => format!("the store in {}", bot.config().data_dir.display()),
        }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> anyhow::Result<T> {
        let response = self.send(method, path, body).await?;
        response.json().await.context("reading the bot's answer")
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> anyhow::Result<reqwest::Response> {
        let Operator::Remote { base, token, http } = self else {
            anyhow::bail!("not connected to a running bot");
        };
        let mut request = http.request(method, format!("{base}{path}"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.with_context(|| format!("calling {base}{path}"))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        let error = body["error"].as_str().unwrap_or("no reason given");
        anyhow::bail!("the running bot refused ({status}): {error}")
    }
}
