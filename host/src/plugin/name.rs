//! Plugin names: short, lowercase, safe to use in paths, metric labels and database names.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A validated plugin name: 1 to 64 of `a-z`, `0-9`, `-` and `_`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct PluginName(String);

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
        Ok(PluginName(name.to_owned()))
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
