//! Document collections private to the plugin: nearest-neighbour search over vectors, keyword
//! search (BM25) over a text field, and relations between documents. Needs the `store`
//! capability. Fields travel as JSON objects; [`fields`] and [`parse`] convert.

use serde::{Serialize, de::DeserializeOwned};

use crate::PluginError;
pub use crate::bindings::base::dcmaid::bot::store::{
    Collection, Edge, Entry, Hit, StoreError, define, find, get, insert, nearest, put, relate,
    related, remove, search,
};

/// `value` (a struct or map that serializes to an object) as the JSON text of fields.
pub fn fields<T: Serialize + ?Sized>(value: &T) -> Result<String, PluginError> {
    serde_json::to_string(value)
        .map_err(|e| PluginError::Internal(format!("cannot encode store fields: {e}")))
}

/// Fields read back from JSON text into `T`.
pub fn parse<T: DeserializeOwned>(fields: &str) -> Result<T, PluginError> {
    serde_json::from_str(fields)
        .map_err(|e| PluginError::Internal(format!("stored fields do not read: {e}")))
}

/// An equality filter on `field`, its value as JSON.
pub fn equals<T: Serialize + ?Sized>(field: &str, value: &T) -> (String, String) {
    let value = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    (field.to_owned(), value)
}

impl From<StoreError> for PluginError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotGranted => PluginError::Unavailable(
                "store: the plugin has no `store` grant (request it in plugin.toml)".into(),
            ),
            StoreError::Invalid(why) => PluginError::Internal(format!("store: {why}")),
            StoreError::Unavailable(why) => PluginError::Unavailable(format!("store: {why}")),
            StoreError::Limited(limit) => PluginError::Limited(limit),
        }
    }
}
