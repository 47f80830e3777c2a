//! The plugin's settings: its manifest's `[config]`, overridden by the operator.

use serde::de::DeserializeOwned;

use crate::bindings::base::dcmaid::bot::config;

/// The setting at `key` (dots descend into tables). Strings come back as they are; other
/// values as JSON text.
pub fn get(key: &str) -> Option<String> {
    config::get(key)
}

/// The setting at `key`, decoded; `None` when it is missing or has another type.
pub fn get_as<T: DeserializeOwned>(key: &str) -> Option<T> {
    let text = config::get(key)?;
    // Strings arrive bare, everything else as JSON: try JSON first, then the bare string.
    serde_json::from_str(&text)
        .ok()
        .or_else(|| serde_json::from_value(serde_json::Value::String(text)).ok())
}

/// All settings as a JSON value.
pub fn all() -> serde_json::Value {
    serde_json::from_str(&config::all()).unwrap_or_default()
}
