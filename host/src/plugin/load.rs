//! Loading a plugin: manifest, component, compile (through the cache), link once, and check
//! that it really is what its manifest says, all before it serves a single message.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::loaded::Plugin;
use super::policy::PluginPolicy;
use crate::budget::Ledger;
use crate::capabilities::{self, PluginCapabilities, PluginInfo, PrepareError};
use crate::core::{Clock, FileError};
use crate::manifest::Manifest;
use crate::runtime::{CallError, Engine, Exports, Linked};
use crate::telemetry::Metrics;
use crate::trust::{Identity, TrustConfig, Trusted};
use crate::wit::{WitError, WitVersion};

/// Why a plugin did not load. Each names the plugin (or its manifest file).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Manifest(#[from] FileError),
    #[error("plugin `{plugin}`: cannot read its component {}: {source}", path.display())]
    ReadComponent { plugin: String, path: PathBuf, source: std::io::Error },
    #[error("plugin `{plugin}`: {} is not a valid component: {reason}", path.display())]
    Compile { plugin: String, path: PathBuf, reason: String },
    #[error("plugin `{plugin}`: imports something this host does not provide: {reason}")]
    Link { plugin: String, reason: String },
    #[error(
        "plugin `{plugin}`: its manifest says role `{role}`, but the component does not match \
         the `{role}-plugin` world of dcmaid:bot@{version}: {reason}"
    )]
    WrongWorld { plugin: String, role: crate::core::Role, version: WitVersion, reason: String },
    /// Boxed: a call's errors are large, and every load returns one.
    #[error("plugin `{plugin}`: failed its load check: {source}")]
    Check { plugin: String, source: Box<CallError> },
    #[error("plugin `{plugin}`: refused its settings: {reason}")]
    Settings { plugin: String, reason: String },
    #[error("plugin `{plugin}`: {source}")]
    Capability { plugin: String, source: PrepareError },
    #[error("plugin `{plugin}`: refused by [trust] policy = \"require\": {reason}")]
    Untrusted { plugin: String, reason: crate::trust::Untrusted },
    #[error(
        "plugin `{plugin}`: built against dcmaid:bot@{wit}, which this host cannot run: it \
         speaks {}",
        WitVersion::spoken()
    )]
    WitVersion { plugin: String, wit: semver::Version },
    #[error("plugin `{plugin}`: {} {reason}", path.display())]
    ComponentWit { plugin: String, path: PathBuf, reason: WitError },
    #[error(
        "plugin `{plugin}`: its manifest says it is built against dcmaid:bot@{declared}, but \
         its component is built against dcmaid:bot@{actual}"
    )]
    WitMismatch { plugin: String, declared: semver::Version, actual: WitVersion },
}

/// The checks made before anything of a plugin runs: the WIT version it was built against,
/// and its signature under the operator's trust policy; who it is, and why it is trusted,
/// if it is.
pub fn vet(
    folder: &Path,
    manifest: &Manifest,
    trust: &TrustConfig,
) -> Result<(Identity, Option<Trusted>), LoadError> {
    wit_declared(manifest)?;
    crate::trust::check(folder, manifest, trust)
        .map_err(|reason| LoadError::Untrusted { plugin: manifest.name.to_string(), reason })
}

/// The version of `dcmaid:bot` the manifest says, if it says one, must be one this host
/// speaks.
pub fn wit_declared(manifest: &Manifest) -> Result<(), LoadError> {
    match &manifest.wit {
        Some(wit) if WitVersion::of(wit).is_none() => {
            Err(LoadError::WitVersion { plugin: manifest.name.to_string(), wit: wit.clone() })
        }
        _ => Ok(()),
    }
}

/// The version of `dcmaid:bot` the component's `bytes` are built against, which the host
/// must speak and the manifest, if it says one, must name.
pub fn component_version(
    manifest: &Manifest,
    path: &Path,
    bytes: &[u8],
) -> Result<WitVersion, LoadError> {
    let plugin = manifest.name.to_string();
    let actual = crate::wit::version_of(bytes).map_err(|reason| match reason {
        WitError::Unreadable(reason) => {
            LoadError::Compile { plugin: plugin.clone(), path: path.to_owned(), reason }
        }
        reason => LoadError::ComponentWit { plugin: plugin.clone(), path: path.to_owned(), reason },
    })?;
    match &manifest.wit {
        Some(declared) if *declared != actual.semver() => {
            Err(LoadError::WitMismatch { plugin, declared: declared.clone(), actual })
        }
        _ => Ok(actual),
    }
}

/// What loading a plugin needs: the engine, the capabilities' backends, the operator's
/// policy, and where the time and the calls' metrics come from.
#[derive(Clone)]
pub struct Loader {
    pub engine: Arc<Engine>,
    pub capabilities: Arc<capabilities::Shared>,
    pub policy: Arc<PluginPolicy>,
    pub clock: Clock,
    pub metrics: Arc<Metrics>,
    /// Every plugin's budget, kept across its reloads.
    pub budgets: Arc<Ledger>,
}

impl Loader {
    /// Load the plugin whose manifest is at `manifest_path`.
    pub async fn load(&self, manifest_path: &Path) -> Result<Plugin, LoadError> {
        let manifest = Manifest::load(manifest_path)?;
        let plugin = manifest.name.to_string();
        let folder = manifest_path.parent().unwrap_or(Path::new("."));
        let (identity, trusted) = vet(folder, &manifest, &self.policy.trust)?;
        let path = folder.join(&manifest.component);
        let bytes = std::fs::read(&path).map_err(|source| LoadError::ReadComponent {
            plugin: plugin.clone(),
            path: path.clone(),
            source,
        })?;
        let version = component_version(&manifest, &path, &bytes)?;
        // Compiling takes milliseconds to seconds of CPU: off the async threads, so that a
        // plugin loaded while the bot serves (a hot swap) does not hold up messages.
        let compiler = self.engine.clone();
        let compiled = tokio::task::spawn_blocking(move || compiler.compile(&bytes)).await;
        let component = compiled
            .map_err(|e| wasmtime::Error::msg(e.to_string()))
            .and_then(|compiled| compiled)
            .map_err(|e| LoadError::Compile {
                plugin: plugin.clone(),
                path: path.clone(),
                reason: format!("{e:#}"),
            })?;
        let pre = self
            .engine
            .linker()
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Link { plugin: plugin.clone(), reason: format!("{e:#}") })?;
        let exports =
            Exports::find(version, manifest.role, &pre).map_err(|e| LoadError::WrongWorld {
                plugin: plugin.clone(),
                role: manifest.role,
                version,
                reason: format!("{e:#}"),
            })?;

        // Its data belongs to who it is, not to its name.
        let storage = &self.capabilities.kv;
        let database = storage.database_of(&manifest.name, &identity.key()).await.map_err(|e| {
            LoadError::Capability {
                plugin: plugin.clone(),
                source: PrepareError(format!("cannot find its database: {e}")),
            }
        })?;
        let entry = self.policy.entry(&manifest.name);
        let granted = self.policy.effective_grants(&manifest.name, &manifest.capabilities);
        let budget = self.budgets.budget(&manifest.name, &entry.budgets);
        let info = PluginInfo {
            name: &manifest.name,
            database: &database,
            role: manifest.role,
            granted: &granted,
            defaults: &manifest.config,
            overrides: &entry.config,
            http_hosts: manifest.http_hosts.iter().map(|h| h.as_str().to_owned()).collect(),
            http_grants: &entry.http_hosts,
            fires: exports.fires(),
            budget: &budget,
        };
        let capabilities = PluginCapabilities::prepare(&self.capabilities, &info)
            .await
            .map_err(|source| LoadError::Capability { plugin: plugin.clone(), source })?;
        let linked = Linked {
            plugin: manifest.name.clone(),
            pre,
            limits: self.policy.limits.clone(),
            clock: self.clock.clone(),
            metrics: self.metrics.clone(),
            budget,
        };
        let mut loaded = Plugin {
            manifest,
            capabilities,
            linked,
            exports,
            commands: Vec::new(),
            tools: Vec::new(),
            identity,
            trusted: trusted.is_some(),
        };
        loaded.check().await.map_err(|source| match source {
            CallError::Plugin { call: "settings.validate", error, .. } => {
                LoadError::Settings { plugin, reason: error.message().to_owned() }
            }
            source => LoadError::Check { plugin, source: Box::new(source) },
        })?;
        Ok(loaded)
    }
}

impl Plugin {
    /// Instantiate once and type-check every export the plugin has, let it check its
    /// settings, then read its commands. A component that exports the right names with the
    /// wrong types, or is set up wrong, fails here, not on a user's message.
    async fn check(&mut self) -> Result<(), CallError> {
        let exports = &self.exports;
        self.call("load-check", async |store, instance| {
            exports.type_check(store, instance)?;
            Ok(Ok(()))
        })
        .await?;
        self.validate_settings().await?;
        self.commands = self.list_commands().await?;
        self.tools = self.list_tools().await?;
        Ok(())
    }
}
