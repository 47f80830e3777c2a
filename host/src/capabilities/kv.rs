//! `dcmaid:bot/kv`: a key-value store private to the calling plugin, kept in the plugin's own
//! database (see [`crate::storage`]).

use crate::bindings::dcmaid::bot::kv::{Host, KvError};
use crate::plugin::{CallState, PluginContext};
use crate::storage::PluginKv;

pub const KV_MAX_KEY_BYTES: usize = 512;
pub const KV_MAX_VALUE_BYTES: usize = 1 << 20;
/// The most keys one `list-keys` returns, whatever the plugin asks for.
const KV_MAX_LIST: u32 = 1000;

/// The plugin's store, or the error that says `kv` was not granted.
fn store(plugin: &PluginContext) -> Result<&PluginKv, KvError> {
    plugin.kv.as_ref().ok_or_else(|| {
        KvError::Unavailable(format!(
            "plugin `{}` has no `kv` grant: request it in plugin.toml and grant it in dcmaid.toml",
            plugin.name
        ))
    })
}

fn check_key(key: &str) -> Result<(), KvError> {
    if key.is_empty() || key.len() > KV_MAX_KEY_BYTES {
        return Err(KvError::InvalidKey(format!(
            "keys are 1 to {KV_MAX_KEY_BYTES} bytes; this one is {}",
            key.len()
        )));
    }
    if key.chars().any(char::is_control) {
        return Err(KvError::InvalidKey("keys cannot contain control characters".into()));
    }
    Ok(())
}

fn unavailable(error: impl std::fmt::Display) -> KvError {
    KvError::Unavailable(error.to_string())
}

impl Host for CallState {
    async fn get(&mut self, key: String) -> wasmtime::Result<Result<Option<Vec<u8>>, KvError>> {
        let plugin = self.plugin_handle();
        let result = async {
            check_key(&key)?;
            store(&plugin)?.get(&key).await.map_err(unavailable)
        };
        Ok(result.await)
    }

    async fn set(&mut self, key: String, value: Vec<u8>) -> wasmtime::Result<Result<(), KvError>> {
        let plugin = self.plugin_handle();
        let result = async {
            check_key(&key)?;
            if value.len() > KV_MAX_VALUE_BYTES {
                return Err(KvError::TooLarge(KV_MAX_VALUE_BYTES as u64));
            }
            store(&plugin)?.set(&key, value).await.map_err(unavailable)
        };
        Ok(result.await)
    }

    async fn delete(&mut self, key: String) -> wasmtime::Result<Result<bool, KvError>> {
        let plugin = self.plugin_handle();
        let result = async {
            check_key(&key)?;
            store(&plugin)?.delete(&key).await.map_err(unavailable)
        };
        Ok(result.await)
    }

    async fn list_keys(
        &mut self,
        prefix: String,
        limit: u32,
    ) -> wasmtime::Result<Result<Vec<String>, KvError>> {
        let plugin = self.plugin_handle();
        let result = async {
            store(&plugin)?.list_keys(&prefix, limit.min(KV_MAX_LIST)).await.map_err(unavailable)
        };
        Ok(result.await)
    }
}
