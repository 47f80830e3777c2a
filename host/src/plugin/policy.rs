//! What the operator says about plugins (in `dcmaid.toml`: `default_grants`, `persona`,
//! `[plugins.<name>]`, `[trust]`, `[limits]`): which capabilities each gets, whether it is
//! enabled, its settings, which persona answers, whose signatures count, what a call may
//! use. Loading, swapping and installing a plugin all follow it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::capabilities::http::Allowlist;
use crate::core::{Capability, Limits, PluginName};
use crate::trust::TrustConfig;

/// The operator's `[plugins.<name>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PluginEntry {
    pub enabled: bool,
    /// Capabilities granted to this plugin; replaces `default_grants` when present.
    pub grant: Option<BTreeSet<Capability>>,
    /// Overrides of the manifest's `[config]`. A value written `{ file = "path" }` is the
    /// text of that file (relative to `dcmaid.toml`), read when the config loads; that is how
    /// a plugin gets a file such as the seed's `personality_config.yaml`.
    pub config: toml::Table,
    /// Changes to `[budgets]` for this plugin: only the fields it names.
    pub budgets: toml::Table,
    /// Hosts this plugin may reach beyond the allowlist, which grants every plugin; lines as
    /// the allowlist's (`api.example.com`, `http://10.0.0.5:8080`). Its manifest must ask
    /// for them too (a manifest's `*` asks for whatever the operator grants it).
    pub http_hosts: Allowlist,
}

impl Default for PluginEntry {
    fn default() -> Self {
        PluginEntry {
            enabled: true,
            grant: None,
            config: toml::Table::new(),
            budgets: toml::Table::new(),
            http_hosts: Allowlist::default(),
        }
    }
}

/// Everything the operator says about plugins.
#[derive(Debug, Clone, Default)]
pub struct PluginPolicy {
    /// Granted to every plugin that requests them, unless its entry says `grant = [...]`.
    pub default_grants: BTreeSet<Capability>,
    pub entries: BTreeMap<PluginName, PluginEntry>,
    /// The persona that answers conversation; none: the only (or first, by name) persona.
    pub persona: Option<PluginName>,
    /// Who gets a command (`"/weather"`) or a tool (`"tool weather"`) several plugins claim.
    pub routes: BTreeMap<String, PluginName>,
    pub trust: TrustConfig,
    pub limits: Limits,
}

impl PluginPolicy {
    /// The entry for `plugin`, defaults when the operator wrote none.
    pub fn entry(&self, plugin: &PluginName) -> PluginEntry {
        self.entries.get(plugin).cloned().unwrap_or_default()
    }

    /// What `plugin` may use: what it requests and the operator grants.
    pub fn effective_grants(
        &self,
        plugin: &PluginName,
        requested: &BTreeSet<Capability>,
    ) -> BTreeSet<Capability> {
        let entry = self.entries.get(plugin);
        let granted = entry.and_then(|e| e.grant.as_ref()).unwrap_or(&self.default_grants);
        requested.intersection(granted).copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_are_requested_and_granted() {
        let hello = PluginName::new("hello").unwrap();
        let other = PluginName::new("other").unwrap();
        let entry =
            PluginEntry { grant: Some(BTreeSet::from([Capability::Kv])), ..Default::default() };
        let policy = PluginPolicy {
            entries: BTreeMap::from([(hello.clone(), entry)]),
            ..Default::default()
        };
        let requested = BTreeSet::from([Capability::Kv]);
        assert_eq!(policy.effective_grants(&hello, &requested), requested);
        assert!(policy.effective_grants(&other, &requested).is_empty());
    }
}
