//! Plugin names: short, lowercase, safe to use in paths, metric labels and database names.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A validated plugin name: 1 to 64 of `a-z`, `0-9`, `-` and `_`, starting with a letter.
/// Cheap to clone (every call of a plugin carries its name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PluginName(Arc<str>);

impl PluginName {
    pub fn new(name: &str) -> Result<Self, String> {
        let valid_start = name.starts_with(|c: char| c.is_ascii_lowercase());
        let valid_chars = name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !(1..=64).contains(&name.len()) || !valid_start || !valid_chars {
            return Err(format!(
                "invalid plugin name `{name}`: expected 1 to 64 characters of a-z, 0-9, `-` \
                 and `_`, starting with a letter"
            ));
        }
        Ok(PluginName(Arc::from(name)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PluginName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for PluginName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PluginName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        PluginName::new(&name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_simple_names_and_rejects_the_rest() {
        assert!(PluginName::new("hello").is_ok());
        assert!(PluginName::new("web-search_2").is_ok());
        for bad in ["", "Hello", "2fast", "a/b", "a b", "ä", &"x".repeat(65)] {
            assert!(PluginName::new(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
