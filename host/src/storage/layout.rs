//! Where in SurrealDB this bot keeps what: each plugin database, and the host's own (cron
//! jobs, which identity owns which database). By default two namespaces, `plugins` (a
//! database per plugin identity, named like the plugin) and `dcmaid` (`cron`, `host`); with
//! `[storage] namespace`, everything in that one namespace, plugin databases as
//! `plugins.<name>` and the host's as `dcmaid.<name>` (no plugin name has a dot, so the two
//! never meet). `[storage] database_prefix` goes before every database name either way.

use super::settings::StorageConfig;

#[derive(Debug, Clone, Default)]
pub struct Layout {
    namespace: Option<String>,
    prefix: String,
}

/// The namespace of the plugins' databases without `[storage] namespace`.
pub const PLUGINS: &str = "plugins";
/// The namespace of the host's databases without `[storage] namespace`.
const HOST: &str = "dcmaid";

impl Layout {
    pub fn of(config: &StorageConfig) -> Layout {
        Layout { namespace: config.namespace.clone(), prefix: config.database_prefix.clone() }
    }

    /// The namespace and database of a plugin's `database`.
    pub fn plugin(&self, database: &str) -> (String, String) {
        self.place(PLUGINS, database)
    }

    /// The namespace and database of the host's database `name` (`cron`, `host`).
    pub fn host(&self, name: &str) -> (String, String) {
        self.place(HOST, name)
    }

    fn place(&self, group: &str, name: &str) -> (String, String) {
        match &self.namespace {
            None => (group.to_owned(), format!("{}{name}", self.prefix)),
            Some(namespace) => (namespace.clone(), format!("{}{group}.{name}", self.prefix)),
        }
    }

    /// The namespace the plugins' databases are in, and the plugin database a name there is,
    /// if it is one.
    pub fn plugins_namespace(&self) -> String {
        self.namespace.clone().unwrap_or_else(|| PLUGINS.to_owned())
    }

    pub fn plugin_database<'a>(&self, stored: &'a str) -> Option<&'a str> {
        let rest = stored.strip_prefix(&self.prefix)?;
        match &self.namespace {
            None => Some(rest),
            Some(_) => rest.strip_prefix("plugins."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugins_and_the_host_never_share_a_database() {
        let default = Layout::default();
        assert_eq!(default.plugin("memory"), ("plugins".into(), "memory".into()));
        assert_eq!(default.host("cron"), ("dcmaid".into(), "cron".into()));
        assert_eq!(default.plugin_database("memory"), Some("memory"));

        let config = StorageConfig {
            namespace: Some("bots".into()),
            database_prefix: "maid1_".into(),
            ..StorageConfig::default()
        };
        let shared = Layout::of(&config);
        assert_eq!(shared.plugin("cron"), ("bots".into(), "maid1_plugins.cron".into()));
        assert_eq!(shared.host("cron"), ("bots".into(), "maid1_dcmaid.cron".into()));
        assert_eq!(shared.plugin_database("maid1_plugins.cron"), Some("cron"));
        assert_eq!(shared.plugin_database("maid1_dcmaid.cron"), None);
        assert_eq!(shared.plugin_database("maid2_plugins.cron"), None, "another bot's");
    }
}
