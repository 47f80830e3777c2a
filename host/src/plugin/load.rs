//! Loading a plugin: manifest, component, compile (through the cache), link once, and check
//! that it really is what its manifest says, all before it serves a single message.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::exports::Exports;
use super::{CallError, Manifest, Plugin, PluginContext, Role};
use crate::capabilities::{Backends, Capability, LlmAccess, PluginConfig};
use crate::config::Config;
use crate::egress::PluginEgress;
use crate::engine::Engine;
use crate::error::FileError;

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
         the `{role}-plugin` world of dcmaid:bot@{}: {reason}",
        crate::bindings::WIT_VERSION
    )]
    WrongWorld { plugin: String, role: super::Role, reason: String },
    #[error("plugin `{plugin}`: failed its load check: {source}")]
    Check { plugin: String, source: CallError },
    #[error("plugin `{plugin}`: refused its settings: {reason}")]
    Settings { plugin: String, reason: String },
    #[error("plugin `{plugin}`: cannot open its storage: {reason}")]
    Storage { plugin: String, reason: String },
    #[error("plugin `{plugin}`: refused by [trust] policy = \"require\": {reason}")]
    Untrusted { plugin: String, reason: crate::trust::Untrusted },
    #[error(
        "plugin `{plugin}`: built against dcmaid:bot@{wit}, which this host (dcmaid:bot@{}) \
         cannot run",
        crate::bindings::WIT_VERSION
    )]
    WitVersion { plugin: String, wit: semver::Version },
}

/// The checks made before anything of a plugin runs: the WIT version it was built against,
/// and its signature under the operator's trust policy.
pub fn vet(folder: &Path, manifest: &Manifest, config: &Config) -> Result<(), LoadError> {
    let plugin = manifest.name.to_string();
    if let Some(wit) = &manifest.wit
        && !crate::bindings::runs_wit(wit)
    {
        return Err(LoadError::WitVersion { plugin, wit: wit.clone() });
    }
    crate::trust::check(folder, manifest, &config.trust)
        .map_err(|reason| LoadError::Untrusted { plugin, reason })
}

impl Plugin {
    /// Load the plugin whose manifest is at `manifest_path`.
    pub async fn load(
        manifest_path: &Path,
        config: &Config,
        engine: &Arc<Engine>,
        backends: &Backends,
    ) -> Result<Plugin, LoadError> {
        let manifest = Manifest::load(manifest_path)?;
        let plugin = manifest.name.to_string();
        let folder = manifest_path.parent().unwrap_or(Path::new("."));
        vet(folder, &manifest, config)?;
        let path = folder.join(&manifest.component);
        let bytes = std::fs::read(&path).map_err(|source| LoadError::ReadComponent {
            plugin: plugin.clone(),
            path: path.clone(),
            source,
        })?;
        // Compiling takes milliseconds to seconds of CPU: off the async threads, so that a
        // plugin loaded while the bot serves (a hot swap) does not hold up messages.
        let compiler = engine.clone();
        let compiled = tokio::task::spawn_blocking(move || compiler.compile(&bytes)).await;
        let component = compiled
            .map_err(|e| wasmtime::Error::msg(e.to_string()))
            .and_then(|compiled| compiled)
            .map_err(|e| LoadError::Compile {
                plugin: plugin.clone(),
                path: path.clone(),
                reason: format!("{e:#}"),
            })?;
        let instance_pre = engine
            .linker()
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Link { plugin: plugin.clone(), reason: format!("{e:#}") })?;
        let exports =
            Exports::find(manifest.role, &instance_pre).map_err(|e| LoadError::WrongWorld {
                plugin: plugin.clone(),
                role: manifest.role,
                reason: format!("{e:#}"),
            })?;

        let settings = config.plugin(&manifest.name);
        let grants = config.effective_grants(&manifest.name, &manifest.capabilities);
        let kv = match grants.contains(&Capability::Kv) {
            true => Some(backends.storage.plugin_kv(&manifest.name).await.map_err(|e| {
                LoadError::Storage { plugin: plugin.clone(), reason: e.to_string() }
            })?),
            false => None,
        };
        let documents = match grants.contains(&Capability::Store) {
            true => Some(
                backends
                    .storage
                    .plugin_documents(&manifest.name, backends.clock.clone())
                    .await
                    .map_err(|e| LoadError::Storage {
                        plugin: plugin.clone(),
                        reason: e.to_string(),
                    })?,
            ),
            false => None,
        };
        // A memory plugin embeds from its first call on: have the model ready by then.
        if let (Role::Memory, true, Ok(embedder)) =
            (manifest.role, grants.contains(&Capability::Llm), &backends.embedder)
        {
            embedder.warm();
        }
        let llm = match grants.contains(&Capability::Llm) {
            false => LlmAccess::NotGranted,
            true => LlmAccess::Granted {
                chat: backends.llm.clone(),
                embedder: backends.embedder.clone(),
            },
        };
        let context = PluginContext {
            name: manifest.name.clone(),
            grants,
            config: PluginConfig::merged(&manifest.config, &settings.config),
            kv,
            documents,
            llm,
            clock: backends.clock.clone(),
            metrics: backends.metrics.clone(),
            cron: backends.cron.clone(),
            fires: exports.scheduled.is_some(),
            egress: Arc::new(PluginEgress {
                plugin: plugin.clone(),
                allowlist: backends.allowlist.clone(),
                requested: manifest.http_hosts.iter().map(|h| h.as_str().to_owned()).collect(),
                limits: backends.http_limits,
                metrics: backends.metrics.clone(),
            }),
        };
        let mut loaded = Plugin {
            manifest,
            context: Arc::new(context),
            instance_pre,
            exports,
            limits: config.limits.clone(),
            commands: Vec::new(),
            tools: Vec::new(),
            metrics: backends.metrics.clone(),
        };
        loaded.check().await.map_err(|source| match source {
            CallError::Plugin { call: "settings.validate", error, .. } => {
                LoadError::Settings { plugin, reason: error.message().to_owned() }
            }
            source => LoadError::Check { plugin, source },
        })?;
        Ok(loaded)
    }

    /// Instantiate once and type-check every export the plugin has, let it check its
    /// settings, then read its commands. A component that exports the right names with the
    /// wrong types, or is set up wrong, fails here, not on a user's message.
    async fn check(&mut self) -> Result<(), CallError> {
        let exports = &self.exports;
        self.instantiate("load-check")
            .await?
            .run(async |store, instance| {
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
