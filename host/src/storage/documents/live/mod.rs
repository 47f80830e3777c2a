//! The in-memory index of a plugin's collections, for `nearest` and `search` in milliseconds
//! where SurrealDB's own HNSW and BM25 take tens to hundreds (see BENCHMARKS.md). It holds
//! each document's fields too, and the relations ([`edges`]), so that a recall, which reads
//! the hits and their relations, makes no query at all.
//!
//! SurrealDB stays the record: every write goes there first and then here, and a collection's
//! index is rebuilt from it when the process first needs it. Only an embedded store gets one:
//! this process then holds the datastore's lock, so no one else writes behind the index's
//! back. While a collection's index is being built (in the background, a page at a time),
//! queries go to SurrealDB; writes go to both, and the builder skips what they touched, since
//! what it read of those documents is older. Relations are built after the documents, the
//! same way.

mod edges;

use std::collections::{HashMap, HashSet};
use std::future::IntoFuture;
use std::sync::{Arc, PoisonError, RwLock, Weak};

use dcmaid_index::Index;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};
use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::RecordId;

use super::{Collection, Edge, Entry, Filter, Hit};
use crate::storage::names::Name;
use edges::{EdgeKey, Edges, StoredEdge};

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
    /// Each document's fields and time, so that a search's hits and `get` need no query.
    documents: HashMap<String, Held>,
    edges: Edges,
    /// While building: what was written or removed meanwhile, which the builder leaves
    /// alone. `None` once built.
    building: Option<Touched>,
}

/// What a document holds besides its vector.
struct Held {
    /// The fields as JSON text: a third of the memory of a parsed object.
    fields: Box<str>,
    updated_at_ms: u64,
}

/// The documents and relations written or removed while the index was being built.
#[derive(Default)]
struct Touched {
    documents: HashSet<String>,
    edges: HashSet<EdgeKey>,
}

impl Touched {
    /// Whether what the builder read of `edge` may be out of date: it was written since, or
    /// one of its documents was (a removal takes the document's relations with it).
    fn edge(&self, edge: &EdgeKey) -> bool {
        self.edges.contains(edge)
            || self.documents.contains(&edge.source)
            || self.documents.contains(&edge.target)
    }
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
                documents: HashMap::new(),
                edges: Edges::default(),
                building: Some(Touched::default()),
            }),
            writes: tokio::sync::Mutex::new(()),
            keys: spec.keys.iter().cloned().collect(),
            text_field: spec.text_field.clone(),
        });
        collections.insert(collection.name.clone(), live.clone());
        let tables =
            Tables { documents: collection.table(), relations: collection.name.relations_table() };
        tokio::spawn(build(db.clone(), tables, Arc::downgrade(&live)));
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
    #[serde(default)]
    updated_at: u64,
}

/// A collection's two tables.
struct Tables {
    documents: String,
    relations: String,
}

/// Read the collection's documents and then its relations a page at a time into `live`, then
/// mark it built. Stops if the index is dropped; on a database error the index stays unbuilt
/// and queries keep going to the database.
async fn build(db: Surreal<Any>, tables: Tables, live: Weak<LiveCollection>) {
    let started = std::time::Instant::now();
    match fill(&db, &tables, &live).await {
        Ok(Some((documents, relations))) => tracing::info!(
            table = %tables.documents, documents, relations, took = ?started.elapsed(),
            "in-memory index built"
        ),
        Ok(None) => {}
        Err(error) => tracing::error!(
            table = %tables.documents,
            "the in-memory index is not built; searches use the database: {error}"
        ),
    }
}

/// How many documents and relations the built index holds; `None` if it was dropped.
async fn fill(
    db: &Surreal<Any>,
    tables: &Tables,
    live: &Weak<LiveCollection>,
) -> Result<Option<(usize, usize)>, String> {
    let documents = format!(
        "SELECT record::id(id) AS id, fields, vector, updated_at FROM {} ORDER BY id LIMIT {PAGE} \
         START $start",
        tables.documents
    );
    if !read_pages(db, &documents, live, LiveCollection::take).await? {
        return Ok(None);
    }
    let relations = format!(
        "SELECT kind, source, target, fields, updated_at FROM {} ORDER BY id LIMIT {PAGE} \
         START $start",
        tables.relations
    );
    if !read_pages(db, &relations, live, LiveCollection::take_edges).await? {
        return Ok(None);
    }
    let Some(live) = live.upgrade() else { return Ok(None) };
    // Paging by offset can miss a row that moved up a page when an earlier one was removed
    // meanwhile; with writes held, fetch whatever the index lacks.
    let _in_order = live.write_lock().await;
    live.fill_gaps(db, tables).await?;
    Ok(Some(live.finish()))
}

/// Read `query`'s rows (it pages by `$start`) into `live` with `take`; false if the index
/// was dropped meanwhile.
async fn read_pages<T: DeserializeOwned>(
    db: &Surreal<Any>,
    query: &str,
    live: &Weak<LiveCollection>,
    take: fn(&LiveCollection, Vec<T>),
) -> Result<bool, String> {
    let mut start = 0usize;
    loop {
        let page: Vec<T> = select(db.query(query).bind(("start", start))).await?;
        let Some(live) = live.upgrade() else { return Ok(false) };
        let last = page.len() < PAGE;
        take(&live, page);
        if last {
            return Ok(true);
        }
        start += PAGE;
    }
}

/// The rows of a one-statement query.
async fn select<T: DeserializeOwned>(
    query: impl IntoFuture<Output = Result<surrealdb::IndexedResults, surrealdb::Error>>,
) -> Result<Vec<T>, String> {
    let mut response = query.await.map_err(|e| e.to_string())?;
    let rows: Vec<Json> = response.take(0).map_err(|e| e.to_string())?;
    serde_json::from_value(Json::Array(rows)).map_err(|e| e.to_string())
}

impl State {
    /// The ranked ids as hits, with their fields.
    fn hits(&self, ranked: Vec<(String, f32)>) -> Vec<Hit> {
        ranked
            .into_iter()
            .filter_map(|(id, score)| {
                let fields = self.documents.get(&id)?.parsed();
                Some(Hit { id, fields, score })
            })
            .collect()
    }
}

impl Held {
    fn parsed(&self) -> Map<String, Json> {
        // Written from an object by `apply`, so it parses back to one.
        serde_json::from_str(&self.fields).unwrap_or_default()
    }
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
            let touched = state.building.as_ref().is_some_and(|t| t.documents.contains(&id));
            if !touched {
                let vector = document.vector.as_deref();
                self.apply(state, &id, &document.fields, vector, document.updated_at);
            }
        }
    }

    /// Put relations the builder read into the index, but not those written meanwhile.
    fn take_edges(&self, edges: Vec<StoredEdge>) {
        let mut guard = self.state_mut();
        let state = &mut *guard;
        for edge in edges {
            if !state.building.as_ref().is_some_and(|touched| touched.edge(&edge.key)) {
                state.edges.upsert(edge);
            }
        }
    }

    /// Read the documents and relations the index lacks. Call with writes held.
    async fn fill_gaps(&self, db: &Surreal<Any>, tables: &Tables) -> Result<(), String> {
        let stored: Vec<Json> =
            select(db.query(format!("SELECT VALUE record::id(id) FROM {}", tables.documents)))
                .await?;
        let missing: Vec<RecordId> = {
            let state = self.state();
            stored
                .iter()
                .map(super::id_text)
                .filter(|id| !state.documents.contains_key(id))
                .map(|id| RecordId::new(tables.documents.clone(), id))
                .collect()
        };
        for chunk in missing.chunks(PAGE) {
            let query = "SELECT record::id(id) AS id, fields, vector, updated_at FROM $ids";
            self.take(select(db.query(query).bind(("ids", chunk.to_vec()))).await?);
        }
        // A relation's record id is `[kind, source, target]`. Relations are fewer than
        // documents and a gap is rare: when there is one, read them all again.
        let keys: Vec<(String, String, String)> =
            select(db.query(format!("SELECT VALUE record::id(id) FROM {}", tables.relations)))
                .await?;
        let lacking = {
            let state = self.state();
            keys.into_iter().any(|(kind, source, target)| {
                !state.edges.contains(&EdgeKey { kind, source, target })
            })
        };
        if lacking {
            let query = format!(
                "SELECT kind, source, target, fields, updated_at FROM {}",
                tables.relations
            );
            let edges: Vec<StoredEdge> = select(db.query(query)).await?;
            let mut state = self.state_mut();
            edges.into_iter().for_each(|edge| state.edges.upsert(edge));
        }
        Ok(())
    }

    /// Mark the index built; how many documents and relations it holds.
    fn finish(&self) -> (usize, usize) {
        let mut state = self.state_mut();
        state.building = None;
        (state.documents.len(), state.edges.len())
    }

    /// Hold while writing the database and then this index.
    pub async fn write_lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.writes.lock().await
    }

    fn apply(
        &self,
        state: &mut State,
        id: &str,
        fields: &Map<String, Json>,
        vector: Option<&[f32]>,
        updated_at_ms: u64,
    ) {
        let keys: Vec<(String, String)> = self
            .keys
            .iter()
            .filter_map(|key| Some((key.clone(), key_text(fields.get(key)?))))
            .collect();
        let text = self.text_field.as_ref().and_then(|field| fields.get(field)?.as_str());
        state.index.upsert(id, &keys, vector, text);
        let fields = serde_json::to_string(fields).unwrap_or_default().into_boxed_str();
        state.documents.insert(id.to_owned(), Held { fields, updated_at_ms });
    }

    /// Document `id` was written with `fields` and `vector` at `updated_at_ms`.
    pub fn upserted(
        &self,
        id: &str,
        fields: &Map<String, Json>,
        vector: Option<&[f32]>,
        updated_at_ms: u64,
    ) {
        let mut guard = self.state_mut();
        let state = &mut *guard;
        if let Some(touched) = &mut state.building {
            touched.documents.insert(id.to_owned());
        }
        self.apply(state, id, fields, vector, updated_at_ms);
    }

    /// Document `id` was removed, and its relations with it.
    pub fn removed(&self, id: &str) {
        let mut state = self.state_mut();
        if let Some(touched) = &mut state.building {
            touched.documents.insert(id.to_owned());
        }
        state.index.remove(id);
        state.documents.remove(id);
        state.edges.remove_document(id);
    }

    /// `source` was related to `target` by `kind` with `fields`, at `updated_at_ms`.
    pub fn related_written(
        &self,
        kind: &str,
        source: &str,
        target: &str,
        fields: Map<String, Json>,
        updated_at_ms: u64,
    ) {
        let key =
            EdgeKey { kind: kind.to_owned(), source: source.to_owned(), target: target.to_owned() };
        let mut state = self.state_mut();
        if let Some(touched) = &mut state.building {
            touched.edges.insert(key.clone());
        }
        state.edges.upsert(StoredEdge { key, fields, updated_at: updated_at_ms });
    }

    /// The relations of `kind` from or to `id`, newest first, or `None` when the database
    /// must answer.
    pub fn related(&self, kind: &str, id: &str, limit: usize) -> Option<Vec<Edge>> {
        Some(self.built()?.edges.related(kind, id, limit))
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

    /// The nearest documents, scored by cosine, or `None` when the database must answer.
    pub fn nearest(&self, vector: &[f32], filter: &Filter, limit: usize) -> Option<Vec<Hit>> {
        let filter = self.usable_filter(filter)?;
        let state = self.built()?;
        Some(state.hits(state.index.nearest(vector, &filter, limit)))
    }

    /// The BM25 matches, or `None` when the database must answer.
    pub fn search(&self, query: &str, filter: &Filter, limit: usize) -> Option<Vec<Hit>> {
        let filter = self.usable_filter(filter)?;
        let state = self.built()?;
        Some(state.hits(state.index.search(query, &filter, limit)))
    }

    /// Document `id` (`Some(None)` when there is none), or `None` when the database must
    /// answer.
    pub fn get(&self, id: &str) -> Option<Option<Entry>> {
        let state = self.built()?;
        Some(state.documents.get(id).map(|held| Entry {
            id: id.to_owned(),
            fields: held.parsed(),
            updated_at_ms: held.updated_at_ms,
        }))
    }

    /// The state, once built.
    fn built(&self) -> Option<std::sync::RwLockReadGuard<'_, State>> {
        let state = self.state();
        state.building.is_none().then_some(state)
    }

    /// Whether the index is built (tests and benches wait for it).
    pub fn is_built(&self) -> bool {
        self.state().building.is_none()
    }
}
