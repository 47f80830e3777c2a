//! One collection's index: the vectors and text ([`dcmaid_index`]), each document's fields,
//! and the relations; written after the database, read instead of it once built.

use std::collections::{HashMap, HashSet};
use std::sync::{PoisonError, RwLock};

use dcmaid_index::Index;
use serde_json::{Map, Value as Json};

use super::super::records::{Edge, Entry, Filter, Hit};
use super::edges::{EdgeKey, Edges, StoredEdge};

pub struct LiveCollection {
    pub(super) state: RwLock<State>,
    /// Held across a write's database statement and its index update, so that the index
    /// applies writes in the order the database did.
    pub(super) writes: tokio::sync::Mutex<()>,
    /// The key fields the index knows: a filter on any other field goes to SurrealDB.
    pub(super) keys: Vec<String>,
    pub(super) text_field: Option<String>,
    /// The vectors' dimensions, to start again empty ([`LiveCollection::unbuild`]).
    pub(super) dimensions: Option<usize>,
}

pub(super) struct State {
    pub(super) index: Index,
    /// Each document's fields and time, so that a search's hits and `get` need no query.
    pub(super) documents: HashMap<String, Held>,
    pub(super) edges: Edges,
    /// While building: what was written or removed meanwhile, which the builder leaves
    /// alone. `None` once built.
    pub(super) building: Option<Touched>,
}

/// What a document holds besides its vector.
pub(super) struct Held {
    /// The fields as JSON text: a third of the memory of a parsed object.
    pub(super) fields: Box<str>,
    pub(super) updated_at_ms: u64,
}

/// The documents and relations written or removed while the index was being built.
#[derive(Default)]
pub(super) struct Touched {
    pub(super) documents: HashSet<String>,
    pub(super) edges: HashSet<EdgeKey>,
}

impl Touched {
    /// Whether what the builder read of `edge` may be out of date: it was written since, or
    /// one of its documents was (a removal takes the document's relations with it).
    pub(super) fn edge(&self, edge: &EdgeKey) -> bool {
        self.edges.contains(edge)
            || self.documents.contains(&edge.source)
            || self.documents.contains(&edge.target)
    }
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
    pub(super) fn parsed(&self) -> Map<String, Json> {
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
    pub(super) fn state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn state_mut(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hold while writing the database and then this index.
    pub async fn write_lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.writes.lock().await
    }

    pub(super) fn apply(
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

    /// Start again: empty, being built, queries going to the database meanwhile.
    pub(super) fn unbuild(&self) {
        let mut state = self.state_mut();
        state.index = Index::new(self.dimensions);
        state.documents.clear();
        state.edges = Edges::default();
        state.building = Some(Touched::default());
    }

    /// Whether the index is built (tests and benches wait for it).
    pub fn is_built(&self) -> bool {
        self.state().building.is_none()
    }
}
