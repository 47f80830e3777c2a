//! Hot swaps in this process: load a plugin's new version exactly as at start, and store the
//! next plugin set in one step; keep the version replaced, to roll back to.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use super::super::live::LivePlugins;
use super::channel::Fanout;
use super::outcome::{SwapError, Swapped};
use crate::core::PluginName;
use crate::plugin::{DISABLED_MARKER, Loader, Plugin, is_disabled};
use crate::telemetry::{Metrics, SwapOutcome};

/// Swaps: how to load a plugin, where the plugins are, the set that serves; one swap at a
/// time, and the version each swap replaced.
pub struct Swaps {
    loader: Loader,
    pub(super) plugins_dir: PathBuf,
    live: LivePlugins,
    pub(super) metrics: Arc<Metrics>,
    /// Shared with the other replicas, when configured: swaps are announced there.
    pub(super) fanout: Option<Fanout>,
    one_at_a_time: tokio::sync::Mutex<()>,
    previous: Mutex<BTreeMap<PluginName, Arc<Plugin>>>,
    /// This replica's name when it announces swaps.
    pub(super) origin: String,
    /// The database the replicas share, when they share one: a plugin swapped in here goes
    /// on its shelf (`crate::plugin::shelf`), where the others take it from.
    pub(super) shelf: Option<crate::storage::Storage>,
}

impl Swaps {
    pub fn new(
        loader: Loader,
        plugins_dir: PathBuf,
        live: LivePlugins,
        fanout: Option<Fanout>,
        shelf: Option<crate::storage::Storage>,
    ) -> Swaps {
        Swaps {
            metrics: loader.metrics.clone(),
            loader,
            plugins_dir,
            live,
            fanout,
            one_at_a_time: tokio::sync::Mutex::default(),
            previous: Mutex::default(),
            origin: origin(),
            shelf,
        }
    }

    /// The folder of `plugin` in the plugins directory.
    pub(super) fn folder(&self, plugin: &PluginName) -> PathBuf {
        self.plugins_dir.join(plugin.as_str())
    }

    /// Load `plugin` anew from its folder in the plugins directory and swap it in (or add it,
    /// when it is new).
    pub async fn reload_plugin(&self, plugin: &PluginName) -> Result<Swapped, SwapError> {
        let _one = self.one_at_a_time.lock().await;
        let started = Instant::now();
        let manifest = self.folder(plugin).join("plugin.toml");
        if !manifest.is_file() {
            return Err(SwapError::NotInstalled { plugin: plugin.to_string(), manifest });
        }
        if is_disabled(&self.folder(plugin)) {
            return Err(SwapError::Disabled { plugin: plugin.to_string() });
        }
        let loaded = self.loader.load(&manifest).await;
        let loaded = match loaded {
            Ok(loaded) if loaded.name() != plugin => {
                let named = loaded.name().to_string();
                return Err(self
                    .refused(plugin, SwapError::WrongName { plugin: plugin.to_string(), named }));
            }
            Ok(loaded) => Arc::new(loaded),
            Err(source) => {
                let error = SwapError::Refused { plugin: plugin.to_string(), source };
                return Err(self.refused(plugin, error));
            }
        };
        Ok(self.put(loaded, manifest, SwapOutcome::Swapped, started))
    }

    /// Put back the version `plugin`'s last swap replaced; the one serving now becomes the
    /// version to roll back to, so a second rollback undoes the first.
    pub async fn rollback_plugin(&self, plugin: &PluginName) -> Result<Swapped, SwapError> {
        let _one = self.one_at_a_time.lock().await;
        let started = Instant::now();
        let Some(previous) = self.previous().remove(plugin) else {
            return Err(SwapError::NoPrevious { plugin: plugin.to_string() });
        };
        // Rolling back a disable serves the plugin again, after a restart too.
        let _ = std::fs::remove_file(self.folder(plugin).join(DISABLED_MARKER));
        let manifest = self.folder(plugin).join("plugin.toml");
        Ok(self.put(previous, manifest, SwapOutcome::RolledBack, started))
    }

    /// Stop serving `plugin` and mark its folder disabled, so that a restart leaves it out
    /// too. What it served before can be rolled back to.
    pub async fn disable_plugin(&self, plugin: &PluginName) -> Result<Swapped, SwapError> {
        let _one = self.one_at_a_time.lock().await;
        let started = Instant::now();
        let folder = self.folder(plugin);
        let manifest = folder.join("plugin.toml");
        if !manifest.is_file() {
            return Err(SwapError::NotInstalled { plugin: plugin.to_string(), manifest });
        }
        let marker = folder.join(DISABLED_MARKER);
        std::fs::write(&marker, "disabled by an operator\n").map_err(|source| {
            SwapError::Files { plugin: plugin.to_string(), path: marker, source }
        })?;
        let current = self.live.current();
        let replaced = current.get(plugin).cloned();
        self.live.replace(current.without(plugin, &self.loader.policy));
        if let Some(replaced) = &replaced {
            self.previous().insert(plugin.clone(), replaced.clone());
        }
        self.metrics.plugin_swapped(plugin.as_str(), SwapOutcome::Disabled);
        let swapped = Swapped {
            plugin: plugin.to_string(),
            from: replaced.map(|old| old.manifest().version.to_string()),
            to: None,
            took: started.elapsed(),
        };
        tracing::info!(plugin = %plugin, from = ?swapped.from, "plugin disabled");
        Ok(swapped)
    }

    /// Serve the disabled `plugin` again: its marker goes and it loads anew from its folder.
    pub async fn enable_plugin(&self, plugin: &PluginName) -> Result<Swapped, SwapError> {
        let marker = self.folder(plugin).join(DISABLED_MARKER);
        match std::fs::remove_file(&marker) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(SwapError::Files {
                    plugin: plugin.to_string(),
                    path: marker,
                    source: error,
                });
            }
            _ => {}
        }
        self.reload_plugin(plugin).await
    }

    /// Store the plugin set with `plugin` in place, keep the version it replaced for a
    /// rollback, and count and log the swap.
    fn put(
        &self,
        plugin: Arc<Plugin>,
        manifest: PathBuf,
        outcome: SwapOutcome,
        started: Instant,
    ) -> Swapped {
        let name = plugin.name().clone();
        let current = self.live.current();
        let replaced = current.get(&name).cloned();
        self.live.replace(current.with(plugin.clone(), &manifest, &self.loader.policy));
        self.metrics.plugin_loaded(name.as_str());
        if let Some(replaced) = &replaced {
            self.previous().insert(name.clone(), replaced.clone());
        }
        self.metrics.plugin_swapped(name.as_str(), outcome);
        plugin.log_loaded();
        let swapped = Swapped {
            plugin: name.to_string(),
            from: replaced.map(|old| old.manifest().version.to_string()),
            to: Some(plugin.manifest().version.to_string()),
            took: started.elapsed(),
        };
        tracing::info!(plugin = %name, from = ?swapped.from, to = ?swapped.to, took = ?swapped.took, ?outcome, "plugin swapped");
        swapped
    }

    /// Whether a version of `plugin` that a swap replaced is kept to roll back to.
    pub fn can_roll_back(&self, plugin: &PluginName) -> bool {
        self.previous().contains_key(plugin)
    }

    fn refused(&self, plugin: &PluginName, error: SwapError) -> SwapError {
        tracing::error!(plugin = %plugin, "{error}");
        self.metrics.plugin_swapped(plugin.as_str(), SwapOutcome::Refused);
        error
    }

    fn previous(&self) -> std::sync::MutexGuard<'_, BTreeMap<PluginName, Arc<Plugin>>> {
        self.previous.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// This replica's name on the channel: unique per process.
fn origin() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!("{}-{nanos:x}", std::process::id())
}
