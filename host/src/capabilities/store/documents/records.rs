//! What documents, hits and relations look like to the host, and how the rows SurrealDB
//! returns read back into them.

use serde::Deserialize;
use serde_json::{Map, Value as Json};

use super::error::{DocumentError, invalid, undecodable};
use super::names::Name;

/// The most documents one `find`, `nearest`, `search` or `related` returns.
pub const MAX_RESULTS: u32 = 1000;
/// The most bytes of fields one document may have, as JSON.
pub const MAX_FIELDS_BYTES: usize = 256 << 10;

/// A stored document, without its vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub fields: Map<String, Json>,
    pub updated_at_ms: u64,
}

/// A search result; higher scores are better.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub fields: Map<String, Json>,
    pub score: f32,
}

/// A relation between two documents of one collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub source: String,
    pub target: String,
    pub fields: Map<String, Json>,
    pub updated_at_ms: u64,
}

/// Equality conditions on fields, all of which must hold.
pub type Filter = Vec<(String, Json)>;

/// Parse the JSON text a plugin gave as a document's or relation's fields.
pub fn fields_from_json(text: &str) -> Result<Map<String, Json>, DocumentError> {
    if text.len() > MAX_FIELDS_BYTES {
        return Err(invalid(format!(
            "fields are {} bytes of JSON; at most {MAX_FIELDS_BYTES} are kept",
            text.len()
        )));
    }
    match serde_json::from_str(text) {
        Ok(Json::Object(fields)) => Ok(fields),
        Ok(_) => Err(invalid("fields must be a JSON object")),
        Err(error) => Err(invalid(format!("fields are not JSON: {error}"))),
    }
}

/// Query parameters: names and values.
pub(super) type Bindings = Vec<(String, Json)>;

/// The `WHERE` conditions of `filter`, with its values bound as `$f0`, `$f1`, ...
pub(super) fn conditions(filter: &Filter) -> Result<(Vec<String>, Bindings), DocumentError> {
    let mut clauses = Vec::with_capacity(filter.len());
    let mut bindings = Vec::with_capacity(filter.len());
    for (n, (field, value)) in filter.iter().enumerate() {
        let field = Name::new("filter field", field).map_err(invalid)?;
        clauses.push(format!("fields.{field} = $f{n}"));
        bindings.push((format!("f{n}"), value.clone()));
    }
    Ok((clauses, bindings))
}

/// A row as queries return it: the record id's key, fields, and one of a score or a time.
#[derive(Debug, Deserialize)]
pub(super) struct Row {
    pub(super) id: Json,
    #[serde(default)]
    pub(super) fields: Map<String, Json>,
    #[serde(default)]
    pub(super) updated_at: u64,
    #[serde(default)]
    pub(super) score: Option<f64>,
}

pub(super) fn id_text(id: &Json) -> String {
    match id {
        Json::String(text) => text.clone(),
        other => other.to_string(),
    }
}

pub(super) fn rows(value: Json) -> Result<Vec<Row>, DocumentError> {
    serde_json::from_value(value).map_err(undecodable)
}

impl Row {
    pub(super) fn entry(self) -> Entry {
        Entry { id: id_text(&self.id), fields: self.fields, updated_at_ms: self.updated_at }
    }

    pub(super) fn hit(self) -> Hit {
        let score = self.score.unwrap_or(0.0) as f32;
        Hit { id: id_text(&self.id), fields: self.fields, score }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct EdgeRow {
    source: String,
    target: String,
    #[serde(default)]
    fields: Map<String, Json>,
    #[serde(default)]
    updated_at: u64,
}

impl EdgeRow {
    pub(super) fn edge(self) -> Edge {
        Edge {
            source: self.source,
            target: self.target,
            fields: self.fields,
            updated_at_ms: self.updated_at,
        }
    }
}
