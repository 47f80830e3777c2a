//! The store's values as the WIT carries them: fields as JSON text, errors as the
//! interface's cases.

use serde_json::{Map, Value as Json};

use super::documents::{self, DocumentError, Filter};
use crate::wit::latest::dcmaid::bot::store::{Edge, Entry, Hit, StoreError};

impl From<DocumentError> for StoreError {
    fn from(error: DocumentError) -> Self {
        match error {
            DocumentError::Invalid(reason) => StoreError::Invalid(reason),
            DocumentError::Storage(error) => StoreError::Unavailable(error.to_string()),
            DocumentError::Limited(refusal) => StoreError::Limited(refusal.into()),
        }
    }
}

/// Equality conditions as the WIT carries them, `(field, JSON text)`, parsed.
pub fn filter(conditions: Vec<(String, String)>) -> Result<Filter, StoreError> {
    conditions
        .into_iter()
        .map(|(field, value)| match serde_json::from_str(&value) {
            Ok(value) => Ok((field, value)),
            Err(error) => Err(StoreError::Invalid(format!(
                "the filter's value for `{field}` is not JSON: {error}"
            ))),
        })
        .collect()
}

/// A document's or relation's fields, from the JSON text the plugin gave.
pub fn fields(text: &str) -> Result<Map<String, Json>, StoreError> {
    documents::fields_from_json(text).map_err(StoreError::from)
}

fn json_text(fields: Map<String, Json>) -> String {
    Json::Object(fields).to_string()
}

impl From<documents::Entry> for Entry {
    fn from(entry: documents::Entry) -> Self {
        Entry { id: entry.id, fields: json_text(entry.fields), updated_at_ms: entry.updated_at_ms }
    }
}

impl From<documents::Hit> for Hit {
    fn from(hit: documents::Hit) -> Self {
        Hit { id: hit.id, fields: json_text(hit.fields), score: hit.score }
    }
}

impl From<documents::Edge> for Edge {
    fn from(edge: documents::Edge) -> Self {
        Edge {
            source: edge.source,
            target: edge.target,
            fields: json_text(edge.fields),
            updated_at_ms: edge.updated_at_ms,
        }
    }
}
