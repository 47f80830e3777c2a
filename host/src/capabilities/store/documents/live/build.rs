//! Building a collection's index from SurrealDB, a page at a time, in the background, while
//! writes keep going to both.

use std::future::IntoFuture;
use std::sync::Weak;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};
use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::RecordId;

use super::super::records::id_text;
use super::collection::LiveCollection;
use super::edges::{EdgeKey, StoredEdge};

/// Documents read per query while building an index.
const PAGE: usize = 1000;

/// A document as the builder reads it (and a change to it, as the follower does).
#[derive(Deserialize)]
pub(super) struct Stored {
    pub(super) id: Json,
    #[serde(default)]
    pub(super) fields: Map<String, Json>,
    #[serde(default)]
    pub(super) vector: Option<Vec<f32>>,
    #[serde(default)]
    pub(super) updated_at: u64,
}

/// A collection's two tables.
#[derive(Clone)]
pub(super) struct Tables {
    pub(super) documents: String,
    pub(super) relations: String,
}

/// Read the collection's documents and then its relations a page at a time into `live`, then
/// mark it built. Stops if the index is dropped; on a database error the index stays unbuilt
/// and queries keep going to the database.
pub(super) async fn build(db: Surreal<Any>, tables: Tables, live: Weak<LiveCollection>) {
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

impl LiveCollection {
    /// Put documents the builder read into the index, but not those written meanwhile.
    fn take(&self, documents: Vec<Stored>) {
        let mut guard = self.state_mut();
        let state = &mut *guard;
        for document in documents {
            let id = id_text(&document.id);
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
                .map(id_text)
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
}
