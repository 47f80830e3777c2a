//! On a SurrealDB server other replicas write the same tables, so an index that only saw
//! this process's writes would go stale. There the index follows the tables' changes: it
//! subscribes to them (`LIVE SELECT`) before it builds, applies each change as a write of
//! its own (so the builder leaves it alone), and keeps applying them once built. A change
//! is applied only if it is not older than what the index holds, so that this process's
//! own writes, which come back as changes too, never step the index back. When the
//! connection drops, the subscriptions end with it: the index is unbuilt (queries go to
//! the server) and built again, subscriptions first, once the server answers.

use std::sync::Weak;
use std::time::Duration;

use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::Action;
use tokio_stream::StreamExt;

use super::super::records::id_text;
use super::build::{Stored, Tables, build};
use super::collection::LiveCollection;
use super::edges::StoredEdge;

/// How long to wait before subscribing again after the connection dropped.
const RETRY: Duration = Duration::from_secs(1);

/// Keep `live` following `tables` on `db`, for as long as the index is kept.
pub(super) async fn follow(db: Surreal<Any>, tables: Tables, live: Weak<LiveCollection>) {
    let subscribed = std::sync::atomic::AtomicBool::new(false);
    loop {
        match changes(&db, &tables).await {
            Ok((documents, relations)) => {
                subscribed.store(true, std::sync::atomic::Ordering::Relaxed);
                let applying = apply(documents, relations, &live);
                let (_, ()) =
                    tokio::join!(build(db.clone(), tables.clone(), live.clone()), applying);
                tracing::warn!(table = %tables.documents, "the server's changes stopped: the in-memory index is rebuilt when it answers again");
            }
            Err(error) if subscribed.load(std::sync::atomic::Ordering::Relaxed) => {
                tracing::debug!(table = %tables.documents, "cannot follow the table yet: {error}");
            }
            Err(error) => {
                tracing::warn!(table = %tables.documents, "cannot follow the table's changes; searches use the server: {error}");
                subscribed.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
        let Some(index) = live.upgrade() else { return };
        index.unbuild();
        drop(index);
        tokio::time::sleep(RETRY).await;
    }
}

type Changes = surrealdb::method::QueryStream<surrealdb::types::Value>;

/// The documents' and the relations' changes, from now on.
async fn changes(db: &Surreal<Any>, tables: &Tables) -> Result<(Changes, Changes), String> {
    let query = format!(
        "LIVE SELECT * FROM {}; LIVE SELECT * FROM {};",
        tables.documents, tables.relations
    );
    let mut response = db.query(query).await.map_err(|e| e.to_string())?;
    let documents = response.stream::<surrealdb::types::Value>(0).map_err(|e| e.to_string())?;
    let relations = response.stream::<surrealdb::types::Value>(1).map_err(|e| e.to_string())?;
    Ok((documents, relations))
}

/// Apply the changes as they come, until either subscription ends.
async fn apply(mut documents: Changes, mut relations: Changes, live: &Weak<LiveCollection>) {
    loop {
        let (change, relation) = tokio::select! {
            change = documents.next() => (change, false),
            change = relations.next() => (change, true),
        };
        let Some(Ok(change)) = change else { return };
        let Some(index) = live.upgrade() else { return };
        // A change carries its record id whole (`table:key`); the index knows the key, as
        // `record::id(id)` gives it.
        let key = key_of(&change.data);
        let mut data = change.data.into_json_value();
        if let Some(key) = key {
            data["id"] = key;
        }
        match (relation, change.action) {
            (false, Action::Delete) => index.removed(&id_text(&data["id"])),
            (false, _) => {
                if let Ok(document) = serde_json::from_value::<Stored>(data) {
                    index.changed(&document);
                }
            }
            (true, Action::Delete) => {}
            (true, _) => {
                if let Ok(edge) = serde_json::from_value::<StoredEdge>(data) {
                    index.related_changed(edge);
                }
            }
        }
    }
}

/// The key of the record `data` is, as JSON.
fn key_of(data: &surrealdb::types::Value) -> Option<serde_json::Value> {
    use surrealdb::types::{RecordIdKey, Value};
    let Value::Object(object) = data else { return None };
    let Value::RecordId(id) = object.get("id")? else { return None };
    Some(match &id.key {
        RecordIdKey::String(text) => serde_json::Value::String(text.clone()),
        RecordIdKey::Number(number) => serde_json::Value::from(*number),
        RecordIdKey::Array(array) => Value::Array(array.clone()).into_json_value(),
        other => Value::RecordId(surrealdb::types::RecordId {
            table: id.table.clone(),
            key: other.clone(),
        })
        .into_json_value(),
    })
}

impl LiveCollection {
    /// Another writer's (or this one's, come back) `document`: applied unless the index
    /// holds a newer version.
    fn changed(&self, document: &Stored) {
        let id = id_text(&document.id);
        let newer = self
            .state()
            .documents
            .get(&id)
            .is_some_and(|held| held.updated_at_ms > document.updated_at);
        if !newer {
            self.upserted(&id, &document.fields, document.vector.as_deref(), document.updated_at);
        }
    }

    /// Another writer's relation: applied unless the index holds a newer version.
    fn related_changed(&self, edge: StoredEdge) {
        let StoredEdge { key, fields, updated_at } = edge;
        self.related_written(&key.kind, &key.source, &key.target, fields, updated_at);
    }
}
