//! The set of loaded plugins, and who owns which command and which tool.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::conflicts::{Conflict, choose};
use super::load::Loader;
use super::loaded::Plugin;
use super::policy::PluginPolicy;
use crate::core::{PluginName, Progress, Role};
use crate::wit::ToolSpec;

/// A file in a plugin's folder that says an operator disabled it: the folder stays (to
/// enable it again), but the plugin does not load.
pub const DISABLED_MARKER: &str = ".disabled";

/// Whether the plugin in `folder` was disabled by an operator.
pub fn is_disabled(folder: &Path) -> bool {
    folder.join(DISABLED_MARKER).exists()
}

/// Commands the host answers itself; plugins cannot take them.
pub const BUILT_IN_COMMANDS: &[&str] = &["help"];

/// A plugin that did not load, and why. The host runs without it.
#[derive(Debug, Clone, Serialize)]
pub struct FailedPlugin {
    pub manifest: PathBuf,
    pub error: String,
}

/// Every plugin in the plugins directory: those that loaded and those that did not. A value
/// never changes; a hot swap builds the next one (see [`Plugins::with`]).
#[derive(Default, Clone)]
pub struct Plugins {
    loaded: BTreeMap<PluginName, Arc<Plugin>>,
    failed: Vec<FailedPlugin>,
    /// Installed but not loaded: disabled by an operator or in the config.
    disabled: BTreeSet<String>,
    /// Command name -> owning plugin.
    commands: BTreeMap<String, PluginName>,
    /// Tool name -> the `tool` plugin that offers it.
    tools: BTreeMap<String, PluginName>,
    persona: Option<PluginName>,
    /// What several plugins claim, and who has it.
    conflicts: Vec<Conflict>,
}

impl Plugins {
    /// Load every `*/plugin.toml` under `dir`. A plugin that fails is logged and listed as
    /// failed; it never stops the others or the host.
    pub async fn load_dir(dir: &Path, loader: &Loader) -> Plugins {
        let mut loaded = BTreeMap::new();
        let mut failed = Vec::new();
        let mut disabled = BTreeSet::new();
        let manifests = manifests(dir);
        // A cold compile cache takes seconds a plugin: say which, and how far.
        let mut progress = Progress::steps("loading plugins", manifests.len() as u64);
        for manifest in manifests {
            let folder = manifest.parent().unwrap_or(dir);
            let name = folder.file_name().unwrap_or_default().to_string_lossy().into_owned();
            progress.advance(1, &name);
            if is_disabled(folder) {
                tracing::info!(plugin = %name, "disabled by an operator; not loaded");
                disabled.insert(name);
                continue;
            }
            match loader.load(&manifest).await {
                Ok(plugin) if !loader.policy.entry(plugin.name()).enabled => {
                    tracing::info!(plugin = %plugin.name(), "disabled in the config; not loaded");
                    disabled.insert(plugin.name().to_string());
                }
                Ok(plugin) => {
                    plugin.log_loaded();
                    loaded.insert(plugin.name().clone(), Arc::new(plugin));
                }
                Err(error) => {
                    tracing::error!(manifest = %manifest.display(), "plugin not loaded: {error}");
                    failed.push(FailedPlugin { manifest, error: error.to_string() });
                }
            }
        }
        progress.finish(&format!("{} loaded, {} failed", loaded.len(), failed.len()));
        Plugins::indexed(loaded, failed, disabled, &loader.policy)
    }

    /// These plugins with `plugin` (loaded from `manifest`) in place of the one of its name.
    pub fn with(&self, plugin: Arc<Plugin>, manifest: &Path, policy: &PluginPolicy) -> Plugins {
        let mut loaded = self.loaded.clone();
        let mut disabled = self.disabled.clone();
        disabled.remove(plugin.name().as_str());
        loaded.insert(plugin.name().clone(), plugin);
        let failed = self.failed.iter().filter(|f| f.manifest != manifest).cloned().collect();
        Plugins::indexed(loaded, failed, disabled, policy)
    }

    /// These plugins without `name`, which is listed as disabled.
    pub fn without(&self, name: &PluginName, policy: &PluginPolicy) -> Plugins {
        let mut loaded = self.loaded.clone();
        loaded.remove(name);
        let mut disabled = self.disabled.clone();
        disabled.insert(name.to_string());
        Plugins::indexed(loaded, self.failed.clone(), disabled, policy)
    }

    /// Route commands and tools to their owners, and choose the persona; where several
    /// plugins claim one, the config's choice, else the first trusted one by name, else the
    /// first by name (see [`choose`]).
    fn indexed(
        loaded: BTreeMap<PluginName, Arc<Plugin>>,
        failed: Vec<FailedPlugin>,
        disabled: BTreeSet<String>,
        policy: &PluginPolicy,
    ) -> Plugins {
        let mut commands: BTreeMap<String, Vec<PluginName>> = BTreeMap::new();
        let mut tools: BTreeMap<String, Vec<PluginName>> = BTreeMap::new();
        for (name, plugin) in &loaded {
            for spec in plugin.commands() {
                let command = spec.name.to_lowercase();
                if BUILT_IN_COMMANDS.contains(&command.as_str()) {
                    tracing::warn!(plugin = %name, "command /{command} is built in; the plugin's is ignored");
                } else {
                    commands.entry(command).or_default().push(name.clone());
                }
            }
            for spec in plugin.tools() {
                tools.entry(spec.name.clone()).or_default().push(name.clone());
            }
        }
        // A plugin built here or signed by a trusted publisher comes before one that is not,
        // so that a stranger cannot take a command by choosing a name that sorts first.
        let trusted_first = |claimants: &mut Vec<PluginName>| {
            claimants.sort_by_key(|name| !loaded.get(name).is_some_and(|p| p.is_trusted()));
        };
        commands.values_mut().for_each(trusted_first);
        tools.values_mut().for_each(trusted_first);
        let mut plugins = Plugins { failed, disabled, ..Plugins::default() };
        for (command, claimants) in commands {
            let choice = policy.routes.get(&format!("/{command}"));
            let (owner, conflict) = choose(&format!("/{command}"), &claimants, choice);
            plugins.commands.insert(command, owner);
            plugins.conflicts.extend(conflict);
        }
        for (tool, claimants) in tools {
            let claim = format!("tool {tool}");
            let (owner, conflict) = choose(&claim, &claimants, policy.routes.get(&claim));
            plugins.tools.insert(tool, owner);
            plugins.conflicts.extend(conflict);
        }
        let mut personas: Vec<PluginName> = loaded
            .values()
            .filter(|plugin| plugin.manifest().role == Role::Persona)
            .map(|plugin| plugin.name().clone())
            .collect();
        trusted_first(&mut personas);
        if !personas.is_empty() {
            let (persona, conflict) = choose("persona", &personas, policy.persona.as_ref());
            plugins.persona = Some(persona);
            plugins.conflicts.extend(conflict);
        } else if let Some(wanted) = &policy.persona {
            tracing::warn!("configured persona `{wanted}` is not a loaded persona plugin");
        }
        plugins.loaded = loaded;
        plugins
    }

    /// What several plugins claim, and who has it.
    pub fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }

    pub fn persona(&self) -> Option<&Arc<Plugin>> {
        self.persona.as_ref().and_then(|name| self.loaded.get(name))
    }

    /// The long-term memory: the first `memory` plugin by name, if one loaded.
    pub fn memory(&self) -> Option<&Arc<Plugin>> {
        self.loaded.values().find(|plugin| plugin.manifest().role == Role::Memory)
    }

    /// The plugin that owns `/command`.
    pub fn command_owner(&self, command: &str) -> Option<&Arc<Plugin>> {
        self.commands.get(command).and_then(|name| self.loaded.get(name))
    }

    /// Every routed command with its owner, by name.
    pub fn commands(&self) -> impl Iterator<Item = (&str, &Arc<Plugin>)> {
        self.commands
            .iter()
            .filter_map(|(command, owner)| Some((command.as_str(), self.loaded.get(owner)?)))
    }

    /// The plugin that offers the tool `name`.
    pub fn tool_owner(&self, name: &str) -> Option<&Arc<Plugin>> {
        self.tools.get(name).and_then(|owner| self.loaded.get(owner))
    }

    /// Every tool the language model may call, by name.
    pub fn tool_specs(&self) -> Vec<ToolSpec> {
        let owned = |(tool, owner): (&String, &PluginName)| {
            let plugin = self.loaded.get(owner)?;
            plugin.tools().iter().find(|spec| &spec.name == tool).cloned()
        };
        self.tools.iter().filter_map(owned).collect()
    }

    /// The loaded plugin `name`.
    pub fn get(&self, name: &PluginName) -> Option<&Arc<Plugin>> {
        self.loaded.get(name)
    }

    pub fn loaded(&self) -> impl Iterator<Item = &Arc<Plugin>> {
        self.loaded.values()
    }

    /// Whether an observer is loaded (else events are not even built).
    pub fn has_observers(&self) -> bool {
        self.observers().next().is_some()
    }

    pub fn observers(&self) -> impl Iterator<Item = &Arc<Plugin>> {
        self.loaded.values().filter(|plugin| plugin.manifest().role == Role::Observer)
    }

    pub fn failed(&self) -> &[FailedPlugin] {
        &self.failed
    }

    /// Installed plugins that are not loaded because they are disabled, by name.
    pub fn disabled(&self) -> impl Iterator<Item = &str> {
        self.disabled.iter().map(String::as_str)
    }
}

/// `dir/*/plugin.toml`, sorted, so plugins load in a predictable order. Folders whose name
/// has a dot are the installer's (`x.previous`, `.installing-x`), never plugins.
fn manifests(dir: &Path) -> Vec<PathBuf> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            tracing::warn!(dir = %dir.display(), "no plugins loaded: cannot read the plugins directory: {error}");
            return Vec::new();
        }
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| !entry.file_name().to_string_lossy().contains('.'))
        .map(|entry| entry.path().join("plugin.toml"))
        .filter(|manifest| manifest.is_file())
        .collect();
    found.sort();
    found
}
