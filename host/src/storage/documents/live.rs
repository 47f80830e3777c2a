//! The in-memory index of a plugin's collections, for `nearest` and `search` in milliseconds
//! where SurrealDB's own HNSW and BM25 take tens to hundreds (see BENCHMARKS.md).
//!
//! SurrealDB stays the record: every write goes there first and then here, and a collection's
//! index is rebuilt from it when the process first needs it. Only an embedded store gets one:
//! this process then holds the datastore's lock, so no one else writes behind the index's
//! back. While a collection's index is being built (in the background, a page at a time),
//! queries go to SurrealDB; writes go to both, and the builder skips what they touched, since
//! what it read of those documents is older.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, PoisonError, RwLock};

use dcmaid_index::Index;
use serde::Deserialize;
use serde_json::{Map, Value as Json};
use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::RecordId;

use super::{Collection, Filter};
use crate::storage::names::Name;

/// Documents read per query while building an index.
const PAGE: usize = 1000;

/// One plugin's collection indexes, shared by every load of the plugin in this process, so
/// that a hot swap does not rebuild them.
#[derive(Default)]
pub struct LiveIndexes {
    collections: RwLock<HashMap<Name, Arc<LiveCollection>>>,
}

pub struct LiveCollection {
    state: RwLock<State>,
    /// Held across a write's database statement and its index update, so that the index
    /// applies writes in the order the database did.
    writes: tokio::sync::Mutex<()>,
    /// The key fields the index knows: a filter on any other field goes to SurrealDB.
    keys: Vec<String>,
    text_field: Option<String>,
}

struct State {
    index: Index,
    /// While building: the ids written or removed meanwhile, which the builder leaves alone.
    /// `None` once built.
    building: Option<HashSet<String>>,
}

impl LiveIndexes {
    /// `collection`'s index: the one there is, or a new one that starts building from `db`.
    pub(super) fn collection(
        &self,
        db: &Surreal<Any>,
        collection: &Collection,
    ) -> Arc<LiveCollection> {
        if let Some(live) = self.read().get(&collection.name) {
            return live.clone();
        }
        let mut collections = self.collections.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(live) = collections.get(&collection.name) {
            return live.clone();
        }
        let spec = &collection.spec;
        let live = Arc::new(LiveCollection {
            state: RwLock::new(State {
                index: Index::new(spec.dimensions.map(|d| d as usize)),
                building: Some(HashSet::new()),
            }),
            writes: tokio::sync::Mutex::new(()),
            keys: spec.keys.iter().cloned().collect(),
            text_field: spec.text_field.clone(),
        });
        collections.insert(collection.name.clone(), live.clone());
        tokio::spawn(build(db.clone(), collection.table(), Arc::downgrade(&live)));
        live
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Name, Arc<LiveCollection>>> {
        self.collections.read().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A document as the builder reads it.
#[derive(Deserialize)]
struct Stored {
    id: Json,
    #[serde(default)]
    fields: Map<String, Json>,
    #[serde(default)]
    vector: Option<Vec<f32>>,
}

/// Read `table` a page at a time into `live`'s index, then mark it built. Stops if the index
/// is dropped; on a database error the index stays unbuilt and queries keep going to the
/// database.
async fn build(db: Surreal<Any>, table: String, live: std::sync::Weak<LiveCollection>) {
    let started = std::time::Instant::now();
    let query = format!(
        "SELECT record::id(id) AS id, fields, vector FROM {table} ORDER BY id LIMIT {PAGE} \
         START $start"
    );
    let mut start = 0usize;
    loop {
        let page = match read_page(&db, &query, start).await {
            Ok(page) => page,
            Err(error) => {
                tracing::error!(%table, "the in-memory index is not built; searches use the database: {error}");
                return;
            }
        };
        let Some(live) = live.upgrade() else { return };
        let last = page.len() < PAGE;
        live.take(page);
        if last {
            // Paging by offset can miss a document that moved up a page when an earlier one
            // was removed meanwhile; with writes held, fetch whatever the index lacks.
            let _in_order = live.write_lock().await;
            if let Err(error) = live.fill_gaps(&db, &table).await {
                tracing::error!(%table, "the in-memory index is not built; searches use the database: {error}");
                return;
            }
            let documents = live.finish();
            tracing::info!(%table, documents, took = ?started.elapsed(), "in-memory index built");
            return;
        }
        start += PAGE;
    }
}

async fn read_page(db: &Surreal<Any>, query: &str, start: usize) -> Result<Vec<Stored>, String> {
    let mut response = db.query(query).bind(("start", start)).await.map_err(|e| e.to_string())?;
    let rows: Vec<Json> = response.take(0).map_err(|e| e.to_string())?;
    serde_json::from_value(Json::Array(rows)).map_err(|e| e.to_string())
}

/// A filter value as the index keeps key values: a string as it is, anything else as JSON.
fn key_text(value: &Json) -> String {
    match value {
        Json::String(text) => text.clone(),
        other => other.to_string(),
    }
}

impl LiveCollection {
    fn state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn state_mut(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Put documents the builder read into the index, but not those written meanwhile.
    fn take(&self, documents: Vec<Stored>) {
        let mut guard = self.state_mut();
        let state = &mut *guard;
        for document in documents {
            let id = super::id_text(&document.id);
            let touched = state.building.as_ref().is_some_and(|touched| touched.contains(&id));
            if !touched {
                self.apply(&mut state.index, &id, &document.fields, document.vector.as_deref());
            }
        }
    }

    /// Read the documents of `table` the index lacks. Call with writes held.
    async fn fill_gaps(&self, db: &Surreal<Any>, table: &str) -> Result<(), String> {
        let query = format!("SELECT VALUE record::id(id) FROM {table}");
        let mut response = db.query(query).await.map_err(|e| e.to_string())?;
        let stored: Vec<Json> = response.take(0).map_err(|e| e.to_string())?;
        let missing: Vec<RecordId> = {
            let state = self.state();
            stored
                .iter()
                .map(super::id_text)
                .filter(|id| !state.index.contains(id))
                .map(|id| RecordId::new(table.to_owned(), id))
                .collect()
        };
        for chunk in missing.chunks(PAGE) {
            let mut response = db
                .query("SELECT record::id(id) AS id, fields, vector FROM $ids")
                .bind(("ids", chunk.to_vec()))
                .await
                .map_err(|e| e.to_string())?;
            let rows: Vec<Json> = response.take(0).map_err(|e| e.to_string())?;
            let documents = serde_json::from_value(Json::Array(rows)).map_err(|e| e.to_string())?;
            self.take(documents);
        }
        Ok(())
    }

    /// Mark the index built; how many documents it holds.
    fn finish(&self) -> usize {
        let mut state = self.state_mut();
        state.building = None;
        state.index.len()
    }

    /// Hold while writing the database and then this index.
    pub async fn write_lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.writes.lock().await
    }

    fn apply(
        &self,
        index: &mut Index,
        id: &str,
        fields: &Map<String, Json>,
        vector: Option<&[f32]>,
    ) {
        let keys: Vec<(String, String)> = self
            .keys
            .iter()
            .filter_map(|key| Some((key.clone(), key_text(fields.get(key)?))))
            .collect();
        let text = self.text_field.as_ref().and_then(|field| fields.get(field)?.as_str());
        index.upsert(id, &keys, vector, text);
    }

    /// Document `id` was written with `fields` and `vector`.
    pub fn upserted(&self, id: &str, fields: &Map<String, Json>, vector: Option<&[f32]>) {
        let mut state = self.state_mut();
        if let Some(touched) = &mut state.building {
            touched.insert(id.to_owned());
        }
        self.apply(&mut state.index, id, fields, vector);
    }

    /// Document `id` was removed.
    pub fn removed(&self, id: &str) {
        let mut state = self.state_mut();
        if let Some(touched) = &mut state.building {
            touched.insert(id.to_owned());
        }
        state.index.remove(id);
    }

    /// The index's form of `filter`, if the index can answer it: built, and every field a
    /// key it knows.
    fn usable_filter(&self, filter: &Filter) -> Option<Vec<(String, String)>> {
        filter
            .iter()
            .map(|(field, value)| {
                self.keys.contains(field).then(|| (field.clone(), key_text(value)))
            })
            .collect()
    }

    /// The nearest documents as (id, cosine), or `None` when the database must answer.
    pub fn nearest(
        &self,
        vector: &[f32],
        filter: &Filter,
        limit: usize,
    ) -> Option<Vec<(String, f32)>> {
        let filter = self.usable_filter(filter)?;
        let state = self.state();
        state.building.is_none().then(|| state.index.nearest(vector, &filter, limit))
    }

    /// The BM25 matches as (id, score), or `None` when the database must answer.
    pub fn search(&self, query: &str, filter: &Filter, limit: usize) -> Option<Vec<(String, f32)>> {
        let filter = self.usable_filter(filter)?;
        let state = self.state();
        state.building.is_none().then(|| state.index.search(query, &filter, limit))
    }

    /// Whether the index is built (tests and benches wait for it).
    pub fn is_built(&self) -> bool {
        self.state().building.is_none()
    }
}
