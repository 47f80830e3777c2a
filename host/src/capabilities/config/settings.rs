//! A plugin's effective settings: its manifest's `[config]` with the operator's
//! `[plugins.<name>.config]` merged over them, as one JSON object.

use serde_json::Value;

/// A plugin's effective settings, as one JSON object.
#[derive(Debug, Clone, Default)]
pub struct Settings(serde_json::Map<String, Value>);

impl Settings {
    /// `defaults` (from the manifest) with `overrides` (from `dcmaid.toml`) merged over them;
    /// tables merge key by key, anything else is replaced.
    pub fn merged(defaults: &toml::Table, overrides: &toml::Table) -> Settings {
        let mut merged = to_json(defaults);
        merge(&mut merged, to_json(overrides));
        Settings(merged)
    }

    /// The value at a dotted `key`: `a.b` is field `b` of table `a`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        let mut parts = key.split('.');
        let first = self.0.get(parts.next()?)?;
        parts.try_fold(first, |value, part| value.get(part))
    }

    /// The value at `key` as the plugin reads it: a string as it is, anything else as JSON.
    pub fn text(&self, key: &str) -> Option<String> {
        self.get(key).map(|value| match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
    }

    /// Every setting, as the text of one JSON object.
    pub fn to_json_text(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }
}

fn to_json(table: &toml::Table) -> serde_json::Map<String, Value> {
    match serde_json::to_value(table) {
        Ok(Value::Object(map)) => map,
        // A TOML table always serialises to a JSON object.
        _ => serde_json::Map::new(),
    }
}

fn merge(base: &mut serde_json::Map<String, Value>, overrides: serde_json::Map<String, Value>) {
    for (key, value) in overrides {
        match (base.get_mut(&key), value) {
            (Some(Value::Object(base)), Value::Object(value)) => merge(base, value),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_settings_override_manifest_defaults_key_by_key() {
        let defaults: toml::Table =
            toml::from_str("greeting = 'Hi'\n[style]\nemoji = true\ncase = 'lower'").unwrap();
        let overrides: toml::Table = toml::from_str("[style]\nemoji = false").unwrap();
        let config = Settings::merged(&defaults, &overrides);
        assert_eq!(config.get("greeting"), Some(&Value::from("Hi")));
        assert_eq!(config.get("style.emoji"), Some(&Value::from(false)));
        assert_eq!(config.get("style.case"), Some(&Value::from("lower")));
        assert_eq!(config.get("style.missing"), None);
    }
}
