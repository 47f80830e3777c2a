//! `plugin.toml`: who a plugin is, which role it plays and what it asks for.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::core::{Capability, FileError, PluginName, RequestedHost, Role};

/// A parsed `plugin.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub name: PluginName,
    pub version: semver::Version,
    pub role: Role,
    #[serde(default)]
    pub description: String,
    /// Who publishes it (shown to operators; `plugin.sig` proves it).
    #[serde(default)]
    pub publisher: Option<String>,
    /// The version of dcmaid's `wit/` it was built against; a host that cannot run it
    /// refuses it before anything runs.
    #[serde(default)]
    pub wit: Option<semver::Version>,
    /// The component file, relative to the manifest's folder.
    pub component: PathBuf,
    /// What the plugin asks for; the operator's grants decide what it gets.
    #[serde(default)]
    pub capabilities: BTreeSet<Capability>,
    /// The hosts it asks to reach over `wasi:http`; it may reach those the operator's
    /// allowlist also grants, and nothing else.
    #[serde(default)]
    pub http_hosts: BTreeSet<RequestedHost>,
    /// Default settings, which the operator's `[plugins.<name>.config]` overrides.
    #[serde(default)]
    pub config: toml::Table,
}

impl Manifest {
    /// Read and check `path`. Errors name the file, the field and what was expected.
    pub fn load(path: &Path) -> Result<Manifest, FileError> {
        let text = std::fs::read_to_string(path).map_err(|e| FileError::read(path, e))?;
        Manifest::parse(&text).map_err(|e| FileError::parse(path, e))
    }

    pub fn parse(text: &str) -> Result<Manifest, toml::de::Error> {
        toml::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
        name = "hello"
        version = "0.1.0"
        role = "persona"
        component = "hello.wasm"
        capabilities = ["kv"]
        http_hosts = ["API.GitHub.com."]
        [config]
        greeting = "Hi"
    "#;

    #[test]
    fn parses_a_complete_manifest() {
        let manifest = Manifest::parse(GOOD).unwrap();
        assert_eq!(manifest.name.as_str(), "hello");
        assert_eq!(manifest.role, Role::Persona);
        assert!(manifest.capabilities.contains(&Capability::Kv));
        assert_eq!(manifest.http_hosts.first().map(|h| h.as_str()), Some("api.github.com"));
        assert_eq!(manifest.config["greeting"].as_str(), Some("Hi"));
    }

    #[test]
    fn errors_name_the_field_and_what_was_expected() {
        let cases = [
            (GOOD.replace("\"persona\"", "\"wizard\""), "role", "persona"),
            (GOOD.replace("\"0.1.0\"", "\"one\""), "version", "version"),
            (GOOD.replace("[\"kv\"]", "[\"teleport\"]"), "capabilities", "kv"),
            (GOOD.replace("\"hello\"", "\"Hello World\""), "name", "a-z"),
            (GOOD.replace("role", "rolle"), "rolle", "unknown field"),
            (GOOD.replace("API.GitHub.com.", "https://x.test"), "http_hosts", "host alone"),
        ];
        for (text, field, expected) in cases {
            let message = Manifest::parse(&text).unwrap_err().to_string();
            assert!(message.contains(field), "{message} should name {field}");
            assert!(message.contains(expected), "{message} should say {expected}");
        }
    }
}
