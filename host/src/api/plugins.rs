//! `/api/v1/plugins`: what is installed, and changing it while the bot talks: review and
//! install from a registry or an upload, hot swap, roll back, enable, disable.

use std::sync::Arc;

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::auth::AdminAuth;
use super::body::JsonBody;
use super::error::{ApiError, ApiResult};
use super::install_requests::{InstallRequest, ReviewRequest};
use super::tag::Tag;
use super::upload::PluginUpload;
use crate::bot::Bot;
use crate::bot::swap::{SwapAction, SwapError, Swapped};
use crate::budget::BudgetReport;
use crate::core::PluginName;
use crate::install::{self, InstallError, Installed, Review};
use crate::plugin::{Conflict, Plugin};

/// A loaded plugin.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PluginView {
    pub name: String,
    pub version: String,
    /// persona, memory, tool or observer.
    pub role: String,
    pub description: String,
    /// Who it is: its name and publisher (`` `memory` built here ``, `` `hello` signed by
    /// ed25519:3d4017c3… ``, `` `dice` unsigned ``).
    pub identity: String,
    /// The commands it owns, without the slash.
    pub commands: Vec<String>,
    /// The capabilities its manifest requests.
    pub requested: Vec<String>,
    /// The capabilities the config grants it.
    pub granted: Vec<String>,
    /// The hosts its HTTP requests may reach.
    pub http_hosts: Vec<String>,
    /// The registry reference it was installed from, if it was.
    pub origin: Option<String>,
    /// Whether a version replaced by a swap is kept to roll back to.
    pub can_roll_back: bool,
    /// The version of `dcmaid:bot` its component is built against.
    pub wit: String,
    /// What it uses of its budgets, and which limits stopped it how often.
    pub budget: BudgetReport,
}

/// A plugin that did not load, and why.
#[derive(Debug, Object)]
pub struct FailedView {
    pub manifest: String,
    pub error: String,
}

/// Every installed plugin.
#[derive(Debug, Object)]
pub struct PluginList {
    pub loaded: Vec<PluginView>,
    pub failed: Vec<FailedView>,
    /// Installed but not loaded: disabled by an operator or in the config.
    pub disabled: Vec<String>,
    /// Commands, tools or the persona that several loaded plugins claim, and who has each.
    pub conflicts: Vec<Conflict>,
}

/// A swap that was made.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SwapView {
    pub plugin: String,
    /// The version replaced; none when the plugin was not loaded.
    pub from: Option<String>,
    /// The version serving now; none when the plugin was disabled.
    pub to: Option<String>,
    /// From reading the files to serving the new version, in milliseconds.
    pub took: u64,
}

impl From<Swapped> for SwapView {
    fn from(swapped: Swapped) -> SwapView {
        SwapView {
            plugin: swapped.plugin,
            from: swapped.from,
            to: swapped.to,
            took: u64::try_from(swapped.took.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// An install, and the swap that put it in service.
#[derive(Debug, Object)]
pub struct InstallView {
    pub installed: Installed,
    pub swapped: SwapView,
}

fn plugin_name(name: &str) -> Result<PluginName, ApiError> {
    PluginName::new(name).map_err(|reason| ApiError::bad_request(Some("name"), reason))
}

fn swap_refused(error: SwapError) -> ApiError {
    match &error {
        SwapError::NotInstalled { .. } | SwapError::NoPrevious { .. } => {
            ApiError::not_found(error.to_string())
        }
        SwapError::Refused { .. } | SwapError::WrongName { .. } | SwapError::Disabled { .. } => {
            ApiError::unprocessable(error.to_string())
        }
        SwapError::Files { .. } => ApiError::internal(error.to_string()),
    }
}

fn install_refused(error: InstallError) -> ApiError {
    match &error {
        InstallError::Registry(_) | InstallError::NoMatch { .. } => {
            ApiError::bad_gateway(error.to_string())
        }
        InstallError::Package(_) => ApiError::unprocessable_at("manifest", error.to_string()),
        InstallError::Refused(_)
        | InstallError::NotGranted { .. }
        | InstallError::Untrusted { .. } => ApiError::unprocessable(error.to_string()),
        InstallError::Downgrade { .. } | InstallError::Impostor { .. } => {
            ApiError::conflict(error.to_string())
        }
        InstallError::Write { .. } => ApiError::internal(error.to_string()),
    }
}

pub struct PluginsApi {
    pub bot: Arc<Bot>,
}

impl PluginsApi {
    fn view(&self, plugin: &Plugin) -> PluginView {
        let manifest = plugin.manifest();
        PluginView {
            name: manifest.name.to_string(),
            version: manifest.version.to_string(),
            role: manifest.role.to_string(),
            description: manifest.description.clone(),
            identity: plugin.identity().to_string(),
            commands: plugin.commands().iter().map(|spec| spec.name.clone()).collect(),
            requested: manifest.capabilities.iter().map(ToString::to_string).collect(),
            granted: plugin.grants().iter().map(ToString::to_string).collect(),
            http_hosts: manifest.http_hosts.iter().map(|h| h.as_str().to_owned()).collect(),
            origin: install::origin(self.bot.config(), manifest.name.as_str()),
            can_roll_back: self.bot.swaps().can_roll_back(plugin.name()),
            wit: plugin.wit_version().to_string(),
            budget: plugin.budget().report(),
        }
    }

    async fn swap(&self, name: &str, action: SwapAction) -> ApiResult<Json<SwapView>> {
        let plugin = plugin_name(name)?;
        let swapped =
            self.bot.swaps().swap_everywhere(&plugin, action).await.map_err(swap_refused)?;
        Ok(Json(swapped.into()))
    }

    /// Put an installed plugin in service: a swap if it was loaded, an addition if not.
    async fn serve(&self, installed: Installed) -> ApiResult<Json<InstallView>> {
        let plugin = plugin_name(&installed.name)?;
        // A plugin installed anew is enabled anew.
        let swapped = self
            .bot
            .swaps()
            .swap_everywhere(&plugin, SwapAction::Enable)
            .await
            .map_err(swap_refused)?;
        Ok(Json(InstallView { installed, swapped: swapped.into() }))
    }
}

#[OpenApi(prefix_path = "/plugins", tag = "Tag::Plugins")]
impl PluginsApi {
    /// List the plugins
    ///
    /// Those loaded, with what they requested and were granted; those that failed to load,
    /// with the reason; those disabled.
    #[oai(path = "/", method = "get")]
    async fn list(&self, _auth: AdminAuth) -> ApiResult<Json<PluginList>> {
        let plugins = self.bot.plugins();
        for plugin in plugins.loaded() {
            plugin.measure_usage().await;
        }
        Ok(Json(PluginList {
            loaded: plugins.loaded().map(|plugin| self.view(plugin)).collect(),
            failed: plugins
                .failed()
                .iter()
                .map(|failed| FailedView {
                    manifest: failed.manifest.display().to_string(),
                    error: failed.error.clone(),
                })
                .collect(),
            disabled: plugins.disabled().map(str::to_owned).collect(),
            conflicts: plugins.conflicts().to_vec(),
        }))
    }

    /// One loaded plugin
    #[oai(path = "/:name", method = "get")]
    async fn get(
        &self,
        _auth: AdminAuth,
        #[oai(validator(pattern = r"^[a-z][a-z0-9_-]{0,63}$"))] name: Path<String>,
    ) -> ApiResult<Json<PluginView>> {
        let plugin = plugin_name(&name)?;
        let plugins = self.bot.plugins();
        let loaded = plugins
            .get(&plugin)
            .ok_or_else(|| ApiError::not_found(format!("no plugin `{plugin}` is loaded")))?;
        loaded.measure_usage().await;
        Ok(Json(self.view(loaded)))
    }

    /// Review a plugin in a registry
    ///
    /// What it requests (capabilities, hosts) against what the config grants, and whether
    /// this host would refuse it (signature, WIT version). Nothing is installed.
    #[oai(path = "/review", method = "post")]
    async fn review(
        &self,
        _auth: AdminAuth,
        body: JsonBody<ReviewRequest>,
    ) -> ApiResult<Json<Review>> {
        let ReviewRequest { reference, allow_unsigned, replace } = body.0;
        let allow = install::Allow { unsigned: allow_unsigned, replace, ..Default::default() };
        let review = install::review(self.bot.config(), &reference, allow).await;
        Ok(Json(review.map_err(install_refused)?))
    }

    /// Install a plugin from a registry
    ///
    /// Pulled, checked as at load, put in the plugins directory (the folder it replaces is
    /// kept) and swapped in. Refused if it requests capabilities the config does not grant,
    /// unless `without_ungranted`.
    #[oai(path = "/install", method = "post")]
    async fn install(
        &self,
        _auth: AdminAuth,
        body: JsonBody<InstallRequest>,
    ) -> ApiResult<Json<InstallView>> {
        let InstallRequest { reference, without_ungranted, downgrade, replace, allow_unsigned } =
            body.0;
        let allow = install::Allow {
            ungranted: without_ungranted,
            downgrade,
            replace,
            unsigned: allow_unsigned,
        };
        let installed = install::install(self.bot.config(), &reference, allow).await;
        self.serve(installed.map_err(install_refused)?).await
    }

    /// Review an uploaded plugin
    ///
    /// As the registry review, for a plugin's files. Nothing is installed.
    #[oai(path = "/upload/review", method = "post")]
    async fn review_upload(
        &self,
        _auth: AdminAuth,
        upload: PluginUpload,
    ) -> ApiResult<Json<Review>> {
        let (package, allow) = upload.into_package().await?;
        let review = install::review_package(self.bot.config(), &package, allow);
        Ok(Json(review.map_err(install_refused)?))
    }

    /// Install an uploaded plugin
    ///
    /// As the registry install, for a plugin's files.
    #[oai(path = "/upload", method = "post")]
    async fn upload(&self, _auth: AdminAuth, upload: PluginUpload) -> ApiResult<Json<InstallView>> {
        let (package, allow) = upload.into_package().await?;
        let config = self.bot.config();
        let installed = install::install_package(config, &package, "upload", allow);
        self.serve(installed.map_err(install_refused)?).await
    }

    /// Hot-swap a plugin
    ///
    /// Load it anew from its folder and swap it in while the bot talks; if the new version
    /// fails its checks, the old one keeps serving.
    #[oai(path = "/:name/reload", method = "post")]
    async fn reload(
        &self,
        _auth: AdminAuth,
        #[oai(validator(pattern = r"^[a-z][a-z0-9_-]{0,63}$"))] name: Path<String>,
    ) -> ApiResult<Json<SwapView>> {
        self.swap(&name, SwapAction::Reload).await
    }

    /// Roll a plugin back
    ///
    /// Put back the version its last swap (or disable) replaced.
    #[oai(path = "/:name/rollback", method = "post")]
    async fn rollback(
        &self,
        _auth: AdminAuth,
        #[oai(validator(pattern = r"^[a-z][a-z0-9_-]{0,63}$"))] name: Path<String>,
    ) -> ApiResult<Json<SwapView>> {
        self.swap(&name, SwapAction::Rollback).await
    }

    /// Enable a plugin
    ///
    /// Load a disabled plugin anew and serve it.
    #[oai(path = "/:name/enable", method = "post")]
    async fn enable(
        &self,
        _auth: AdminAuth,
        #[oai(validator(pattern = r"^[a-z][a-z0-9_-]{0,63}$"))] name: Path<String>,
    ) -> ApiResult<Json<SwapView>> {
        self.swap(&name, SwapAction::Enable).await
    }

    /// Disable a plugin
    ///
    /// Stop serving it, after a restart too; its files stay, to enable it again.
    #[oai(path = "/:name/disable", method = "post")]
    async fn disable(
        &self,
        _auth: AdminAuth,
        #[oai(validator(pattern = r"^[a-z][a-z0-9_-]{0,63}$"))] name: Path<String>,
    ) -> ApiResult<Json<SwapView>> {
        self.swap(&name, SwapAction::Disable).await
    }
}
