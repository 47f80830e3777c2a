//! The plugin's private key-value store, with JSON helpers.

use serde::{Serialize, de::DeserializeOwned};

use crate::PluginError;
pub use crate::bindings::base::dcmaid::bot::kv::{KvError, delete, get, list_keys, set};

/// The value under `key`, decoded from JSON.
pub fn get_json<T: DeserializeOwned>(key: &str) -> Result<Option<T>, PluginError> {
    match get(key)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| PluginError::Internal(format!("kv value `{key}` is not valid JSON: {e}"))),
    }
}

/// Store `value` under `key` as JSON.
pub fn set_json<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<(), PluginError> {
    let bytes = serde_json::to_vec(value)
        .map_err(|e| PluginError::Internal(format!("cannot encode kv value `{key}`: {e}")))?;
    Ok(set(key, &bytes)?)
}

impl From<KvError> for PluginError {
    fn from(error: KvError) -> Self {
        match error {
            KvError::InvalidKey(why) => PluginError::Internal(format!("invalid kv key: {why}")),
            KvError::TooLarge(limit) => {
                PluginError::Internal(format!("kv value larger than the limit of {limit} bytes"))
            }
            KvError::Unavailable(why) => PluginError::Unavailable(format!("kv: {why}")),
            KvError::NotGranted => PluginError::Unavailable(
                "kv: the plugin has no `kv` grant (request it in plugin.toml)".into(),
            ),
            KvError::Limited(limit) => PluginError::Limited(limit),
        }
    }
}
