//! What a plugin's documents take of its quota: a document counts its fields (as JSON text)
//! and its vector (four bytes a number), a relation its kind, ends and fields. The in-memory
//! index of an embedded store holds the same fields and vectors, so `store.max_bytes` bounds
//! it too. Usage is measured from the database at the first write, then each write reserves
//! what it adds before it is made (see [`crate::budget::Usage`]).

use std::io::Write;

use serde_json::{Map, Value as Json};
use surrealdb::types::RecordId;

use super::collection::Collection;
use super::definitions::Documents;
use super::error::DocumentError;
use crate::budget::Change;

/// The bytes `value` takes as JSON text.
fn json_len(value: &impl serde::Serialize) -> u64 {
    struct Counter(u64);
    impl Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len() as u64;
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    // Writing JSON into a counter cannot fail.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

/// What a document of `fields` and a vector of `dimensions` numbers takes.
pub(super) fn document_bytes(fields: &Map<String, Json>, dimensions: usize) -> u64 {
    json_len(fields) + 4 * dimensions as u64
}

/// What a relation takes.
pub(super) fn relation_bytes(kind: &str, source: &str, target: &str, fields: &Json) -> u64 {
    (kind.len() + source.len() + target.len()) as u64 + json_len(fields)
}

/// The size of a document as the database returns it (`fields`, `vector`).
pub(super) fn stored_document_bytes(document: &Json) -> u64 {
    let fields = document.get("fields").and_then(Json::as_object);
    let dimensions = document.get("vector").and_then(Json::as_array).map_or(0, Vec::len);
    fields.map_or(0, |fields| document_bytes(fields, dimensions))
}

/// The size of a relation as the database returns it.
pub(super) fn stored_relation_bytes(relation: &Json) -> u64 {
    let text = |field: &str| relation.get(field).and_then(Json::as_str).unwrap_or_default();
    let fields = relation.get("fields").cloned().unwrap_or(Json::Null);
    relation_bytes(text("kind"), text("source"), text("target"), &fields)
}

/// A number the database returned, as a count.
fn count(value: &Json) -> usize {
    value.as_u64().unwrap_or(0) as usize
}

impl Documents {
    /// Documents, and bytes of documents and relations, in every collection now.
    async fn measure(&self) -> Result<(u64, u64), DocumentError> {
        let (mut documents, mut bytes) = (0, 0);
        for collection in self.defined().await? {
            let query = format!(
                "SELECT fields, array::len(vector ?? []) AS dimensions FROM {}; \
                 SELECT kind, source, target, fields FROM {};",
                collection.table(),
                collection.name.relations_table()
            );
            let mut response = self.db.query(query).await?;
            let stored: Vec<Json> = response.take(0)?;
            let relations: Vec<Json> = response.take(1)?;
            documents += stored.len() as u64;
            for document in &stored {
                let fields = document.get("fields").and_then(Json::as_object);
                let dimensions = document.get("dimensions").map_or(0, count);
                bytes += fields.map_or(0, |fields| document_bytes(fields, dimensions));
            }
            bytes += relations.iter().map(stored_relation_bytes).sum::<u64>();
        }
        Ok((documents, bytes))
    }

    /// Every collection defined so far.
    async fn defined(&self) -> Result<Vec<Collection>, DocumentError> {
        if let Some(known) = self.collections.read().await.as_ref() {
            return Ok(known.values().cloned().collect());
        }
        let mut known = self.collections.write().await;
        let known = match &mut *known {
            Some(known) => known,
            None => known.insert(self.read_definitions().await?),
        };
        Ok(known.values().cloned().collect())
    }

    /// Make sure the usage has been measured for the quota.
    pub async fn measure_usage(&self) -> Result<(), DocumentError> {
        let _write = self.writes.lock().await;
        self.measured().await
    }

    /// Make sure the usage has been measured; call with [`Documents::writes`] held.
    pub(super) async fn measured(&self) -> Result<(), DocumentError> {
        self.budget.store().measure_once(async || self.measure().await).await
    }

    /// Change the usage by `documents` and `bytes`, if the quota allows; call with
    /// [`Documents::writes`] held.
    pub(super) async fn reserve(
        &self,
        documents: i64,
        bytes: i64,
    ) -> Result<Change<'_>, DocumentError> {
        self.measured().await?;
        self.budget
            .store()
            .change(documents, bytes)
            .map_err(|refusal| DocumentError::Limited(self.budget.refused(refusal)))
    }

    /// The size of document `id` of `collection`, if it exists.
    pub(super) async fn stored_size(
        &self,
        collection: &Collection,
        id: &str,
    ) -> Result<Option<u64>, DocumentError> {
        let mut response = self
            .db
            .query("SELECT fields, array::len(vector ?? []) AS dimensions FROM $id")
            .bind(("id", RecordId::new(collection.table(), id.to_owned())))
            .await?;
        let found: Vec<Json> = response.take(0)?;
        Ok(found.first().map(|document| {
            let fields = document.get("fields").and_then(Json::as_object);
            let dimensions = document.get("dimensions").map_or(0, count);
            fields.map_or(0, |fields| document_bytes(fields, dimensions))
        }))
    }

    /// The size of the relation `kind` from `source` to `target`, if it exists.
    pub(super) async fn relation_size(
        &self,
        collection: &Collection,
        kind: &str,
        source: &str,
        target: &str,
    ) -> Result<Option<u64>, DocumentError> {
        let query = format!(
            "SELECT kind, source, target, fields FROM type::record('{}', [$kind, $source, $target])",
            collection.name.relations_table()
        );
        let mut response = self
            .db
            .query(query)
            .bind(("kind", kind.to_owned()))
            .bind(("source", source.to_owned()))
            .bind(("target", target.to_owned()))
            .await?;
        let found: Vec<Json> = response.take(0)?;
        Ok(found.first().map(stored_relation_bytes))
    }
}
