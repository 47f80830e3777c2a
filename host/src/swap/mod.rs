//! Hot swap: a plugin's new version replaces the old while the bot keeps talking.
//!
//! The new version is loaded exactly as at start (read, compiled off the async threads,
//! linked, type-checked against its world, its settings validated) before anything changes;
//! one that fails is refused and the old keeps serving. Then the next plugin set is stored in
//! one atomic step: messages that started on the old version finish on it (each holds the
//! set it began with), later ones get the new. The version replaced is kept, so that
//! [`Bot::rollback_plugin`] can put it back. Swaps are made one at a time. With Redis, a swap
//! reaches every replica ([`fanout`]); while developing, a changed file swaps ([`watch`]).

mod fanout;
mod watch;

pub use fanout::{SwapAction, follow};
pub use watch::watch;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::bot::Bot;
use crate::metrics::SwapOutcome;
use crate::plugin::{LoadError, Plugin, PluginName};

/// The bookkeeping of swaps: one at a time, and the version each swap replaced.
pub struct Swaps {
    one_at_a_time: tokio::sync::Mutex<()>,
    previous: Mutex<BTreeMap<PluginName, Arc<Plugin>>>,
    /// This replica's name when it announces swaps.
    origin: String,
}

impl Default for Swaps {
    fn default() -> Self {
        Swaps {
            one_at_a_time: tokio::sync::Mutex::default(),
            previous: Mutex::default(),
            origin: fanout::origin(),
        }
    }
}

/// A swap that was made.
#[derive(Debug, Clone, Serialize)]
pub struct Swapped {
    pub plugin: String,
    /// The version replaced; none when the plugin is new.
    pub from: Option<String>,
    /// The version serving now; none when the plugin was disabled.
    pub to: Option<String>,
    /// From reading the files to serving the new version.
    #[serde(serialize_with = "as_millis")]
    pub took: Duration,
}

fn as_millis<S: serde::Serializer>(took: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u128(took.as_millis())
}

/// Why a swap was not made; the old version, if any, still serves.
#[derive(Debug, thiserror::Error)]
pub enum SwapError {
    #[error("no plugin `{plugin}` is installed: {} is missing", manifest.display())]
    NotInstalled { plugin: String, manifest: PathBuf },
    #[error("plugin `{plugin}` refused; the version before keeps serving: {source}")]
    Refused { plugin: String, source: LoadError },
    #[error("the manifest in the folder of `{plugin}` names the plugin `{named}`")]
    WrongName { plugin: String, named: String },
    #[error("plugin `{plugin}` has no earlier version to roll back to")]
    NoPrevious { plugin: String },
    #[error("plugin `{plugin}` is disabled; enable it to load it again")]
    Disabled { plugin: String },
    #[error("plugin `{plugin}`: cannot change {}: {source}", path.display())]
    Files { plugin: String, path: PathBuf, source: std::io::Error },
}

impl Bot {
    /// Load `plugin` anew from its folder in the plugins directory and swap it in (or add it,
    /// when it is new).
    pub async fn reload_plugin(&self, plugin: &PluginName) -> Result<Swapped, SwapError> {
        let _one = self.swaps().one_at_a_time.lock().await;
        let started = Instant::now();
        let manifest = self.config().plugins_dir().join(plugin.as_str()).join("plugin.toml");
        if !manifest.is_file() {
            return Err(SwapError::NotInstalled { plugin: plugin.to_string(), manifest });
        }
        if crate::plugin::is_disabled(&self.config().plugins_dir().join(plugin.as_str())) {
            return Err(SwapError::Disabled { plugin: plugin.to_string() });
        }
        let loaded = Plugin::load(&manifest, self.config(), self.engine(), self.backends()).await;
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
        let _one = self.swaps().one_at_a_time.lock().await;
        let started = Instant::now();
        let Some(previous) = self.previous().remove(plugin) else {
            return Err(SwapError::NoPrevious { plugin: plugin.to_string() });
        };
        // Rolling back a disable serves the plugin again, after a restart too.
        let marker =
            self.config().plugins_dir().join(plugin.as_str()).join(crate::plugin::DISABLED_MARKER);
        let _ = std::fs::remove_file(marker);
        let manifest = self.config().plugins_dir().join(plugin.as_str()).join("plugin.toml");
        Ok(self.put(previous, manifest, SwapOutcome::RolledBack, started))
    }

    /// Stop serving `plugin` and mark its folder disabled, so that a restart leaves it out
    /// too. What it served before can be rolled back to.
    pub async fn disable_plugin(&self, plugin: &PluginName) -> Result<Swapped, SwapError> {
        let _one = self.swaps().one_at_a_time.lock().await;
        let started = Instant::now();
        let folder = self.config().plugins_dir().join(plugin.as_str());
        let manifest = folder.join("plugin.toml");
        if !manifest.is_file() {
            return Err(SwapError::NotInstalled { plugin: plugin.to_string(), manifest });
        }
        let marker = folder.join(crate::plugin::DISABLED_MARKER);
        std::fs::write(&marker, "disabled by an operator\n").map_err(|source| {
            SwapError::Files { plugin: plugin.to_string(), path: marker, source }
        })?;
        let current = self.plugins();
        let replaced = current.get(plugin).cloned();
        self.plugin_set().store(Arc::new(current.without(plugin, self.config())));
        if let Some(replaced) = &replaced {
            self.previous().insert(plugin.clone(), replaced.clone());
        }
        self.metrics().plugin_swapped(plugin.as_str(), SwapOutcome::Disabled);
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
        let marker =
            self.config().plugins_dir().join(plugin.as_str()).join(crate::plugin::DISABLED_MARKER);
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
        let current = self.plugins();
        let replaced = current.get(&name).cloned();
        let next = current.with(plugin.clone(), &manifest, self.config());
        self.plugin_set().store(Arc::new(next));
        self.metrics().plugin_loaded(name.as_str());
        if let Some(replaced) = &replaced {
            self.previous().insert(name.clone(), replaced.clone());
        }
        self.metrics().plugin_swapped(name.as_str(), outcome);
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
        self.metrics().plugin_swapped(plugin.as_str(), SwapOutcome::Refused);
        error
    }

    fn previous(&self) -> std::sync::MutexGuard<'_, BTreeMap<PluginName, Arc<Plugin>>> {
        self.swaps().previous.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
