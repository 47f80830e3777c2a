//! A loaded plugin: its manifest, its capabilities as granted, its component linked once and
//! checked against its world, and what it listed when it loaded (commands, tools).

use std::collections::BTreeSet;

use crate::budget::PluginBudget;
use crate::capabilities::PluginCapabilities;
use crate::core::{Capability, PluginName};
use crate::runtime::{Exports, Linked};
use crate::wit::{CommandSpec, ToolSpec, WitVersion};

use crate::manifest::Manifest;

pub struct Plugin {
    pub(super) manifest: Manifest,
    pub(super) capabilities: PluginCapabilities,
    pub(super) linked: Linked,
    pub(super) exports: Exports,
    pub(super) commands: Vec<CommandSpec>,
    pub(super) tools: Vec<ToolSpec>,
    /// Who it is: its name and publisher (see [`crate::trust::Identity`]).
    pub(super) identity: crate::trust::Identity,
    /// Built here, installed unsigned on purpose, or signed by a trusted publisher (see
    /// [`crate::trust::check`]).
    pub(super) trusted: bool,
}

impl Plugin {
    pub fn name(&self) -> &PluginName {
        &self.manifest.name
    }

    /// Whether it was built here or signed by a publisher the operator trusts.
    pub fn is_trusted(&self) -> bool {
        self.trusted
    }

    /// Who it is: its name and its publisher.
    pub fn identity(&self) -> &crate::trust::Identity {
        &self.identity
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The version of `dcmaid:bot` its component is built against.
    pub fn wit_version(&self) -> WitVersion {
        self.exports.version()
    }

    /// What the plugin may use over time and in total, and has used.
    pub fn budget(&self) -> &std::sync::Arc<PluginBudget> {
        &self.linked.budget
    }

    /// Measure what the plugin stores, for its quotas (see [`PluginCapabilities::measure_usage`]).
    pub async fn measure_usage(&self) {
        self.capabilities.measure_usage().await;
    }

    pub fn grants(&self) -> &BTreeSet<Capability> {
        self.capabilities.granted()
    }

    /// The commands the plugin owns, as it listed them when it loaded.
    pub fn commands(&self) -> &[CommandSpec] {
        &self.commands
    }

    /// The tools a `tool` plugin offers the language model, as it listed them when it loaded.
    pub fn tools(&self) -> &[ToolSpec] {
        &self.tools
    }

    /// What the plugin said of its command `name` (case-insensitive), if it owns one.
    pub fn command_description(&self, name: &str) -> Option<&str> {
        let spec = self.commands.iter().find(|spec| spec.name.eq_ignore_ascii_case(name))?;
        Some(spec.description.as_str()).filter(|description| !description.is_empty())
    }

    pub(crate) fn log_loaded(&self) {
        tracing::info!(
            plugin = %self.name(),
            version = %self.manifest.version,
            role = %self.manifest.role,
            commands = self.commands.len(),
            tools = self.tools.len(),
            "plugin loaded"
        );
    }
}
