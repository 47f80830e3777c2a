//! Writing documents and relations: to SurrealDB first, then to the in-memory index, in the
//! order the database applied them; each within the plugin's quota ([`super::usage`]).

use serde_json::{Map, Value as Json};
use surrealdb::types::RecordId;

use super::collection::Collection;
use super::definitions::Documents;
use super::error::{DocumentError, invalid, undecodable};
use super::live::LiveCollection;
use super::names::{Name, check_id};
use super::records::id_text;
use super::usage::{document_bytes, relation_bytes, stored_document_bytes, stored_relation_bytes};

impl Documents {
    /// The document content as stored: fields, vector and the time, `now`.
    fn content(
        collection: &Collection,
        fields: Map<String, Json>,
        vector: Option<Vec<f32>>,
        now: u64,
    ) -> Result<Json, DocumentError> {
        let mut content = Map::new();
        content.insert("fields".to_owned(), Json::Object(fields));
        if let Some(vector) = vector {
            collection.check_vector(&vector)?;
            content.insert("vector".to_owned(), serde_json::json!(vector));
        }
        content.insert("updated_at".to_owned(), Json::from(now));
        Ok(Json::Object(content))
    }

    /// Store a new document; returns the id the database gave it.
    pub async fn insert(
        &self,
        collection: &str,
        fields: Map<String, Json>,
        vector: Option<Vec<f32>>,
    ) -> Result<String, DocumentError> {
        let collection = self.collection(collection).await?;
        let live = self.live(&collection);
        let indexed = live.as_ref().map(|_| (fields.clone(), vector.clone()));
        let now = self.clock.now_ms();
        let size = document_bytes(&fields, vector.as_ref().map_or(0, Vec::len));
        let content = Self::content(&collection, fields, vector, now)?;
        let _write = self.writes.lock().await;
        let change = self.reserve(1, size as i64).await?;
        let _in_order = in_order(live.as_deref()).await;
        let query =
            format!("CREATE {} CONTENT $content RETURN VALUE record::id(id)", collection.table());
        let mut response = self.db.query(query).bind(("content", content)).await?;
        let ids: Vec<Json> = response.take(0)?;
        let id = ids.first().map(id_text).ok_or_else(|| undecodable("CREATE returned no id"))?;
        change.keep();
        if let (Some(live), Some((fields, vector))) = (&live, indexed) {
            live.upserted(&id, &fields, vector.as_deref(), now);
        }
        Ok(id)
    }

    /// Store a document under `id`, replacing what was there.
    pub async fn put(
        &self,
        collection: &str,
        id: &str,
        fields: Map<String, Json>,
        vector: Option<Vec<f32>>,
    ) -> Result<(), DocumentError> {
        let collection = self.collection(collection).await?;
        check_id(id).map_err(invalid)?;
        let live = self.live(&collection);
        let indexed = live.as_ref().map(|_| (fields.clone(), vector.clone()));
        let now = self.clock.now_ms();
        let size = document_bytes(&fields, vector.as_ref().map_or(0, Vec::len)) as i64;
        let content = Self::content(&collection, fields, vector, now)?;
        let _write = self.writes.lock().await;
        let change = match self.stored_size(&collection, id).await? {
            None => self.reserve(1, size).await?,
            Some(old) => self.reserve(0, size - old as i64).await?,
        };
        let _in_order = in_order(live.as_deref()).await;
        self.db
            .query("UPSERT $id CONTENT $content RETURN NONE")
            .bind(("id", RecordId::new(collection.table(), id.to_owned())))
            .bind(("content", content))
            .await?
            .check()?;
        change.keep();
        if let (Some(live), Some((fields, vector))) = (&live, indexed) {
            live.upserted(id, &fields, vector.as_deref(), now);
        }
        Ok(())
    }

    /// Remove document `id` and every relation from or to it; true when it existed.
    pub async fn remove(&self, collection: &str, id: &str) -> Result<bool, DocumentError> {
        let collection = self.collection(collection).await?;
        check_id(id).map_err(invalid)?;
        let query = format!(
            "BEGIN; \
             DELETE $id RETURN BEFORE; \
             DELETE {relations} WHERE source = $key OR target = $key RETURN BEFORE; \
             COMMIT;",
            relations = collection.name.relations_table()
        );
        let live = self.live(&collection);
        let _write = self.writes.lock().await;
        // Measured before the write, so that it counts the document it removes.
        self.measured().await?;
        let _in_order = in_order(live.as_deref()).await;
        let mut response = self
            .db
            .query(query)
            .bind(("key", id.to_owned()))
            .bind(("id", RecordId::new(collection.table(), id.to_owned())))
            .await?;
        // BEGIN has a result of its own: the document's DELETE is statement 1.
        let before: Vec<Json> = response.take(1)?;
        let relations: Vec<Json> = response.take(2)?;
        let removed: Vec<&Json> = before.iter().filter(|value| !value.is_null()).collect();
        let bytes = removed.iter().map(|document| stored_document_bytes(document)).sum::<u64>()
            + relations.iter().map(stored_relation_bytes).sum::<u64>();
        self.reserve(-(removed.len() as i64), -(bytes as i64)).await?.keep();
        if let Some(live) = &live {
            live.removed(id);
        }
        Ok(!removed.is_empty())
    }

    /// Relate `source` to `target` by `kind`, replacing that relation's fields if it exists.
    pub async fn relate(
        &self,
        collection: &str,
        kind: &str,
        source: &str,
        target: &str,
        fields: Map<String, Json>,
    ) -> Result<(), DocumentError> {
        let collection = self.collection(collection).await?;
        let kind = Name::new("relation", kind).map_err(invalid)?;
        check_id(source).map_err(invalid)?;
        check_id(target).map_err(invalid)?;
        let table = collection.table();
        let query = format!(
            "IF record::exists($source_id) AND record::exists($target_id) {{
                 UPSERT type::record('{relations}', [$kind, $source, $target]) CONTENT {{
                     kind: $kind, source: $source, target: $target, fields: $fields,
                     updated_at: $now }} RETURN NONE;
             }} ELSE {{ THROW 'missing' }};",
            relations = collection.name.relations_table()
        );
        let live = self.live(&collection);
        let indexed = live.as_ref().map(|_| fields.clone());
        let now = self.clock.now_ms();
        let fields = Json::Object(fields);
        let size = relation_bytes(kind.as_str(), source, target, &fields) as i64;
        let _write = self.writes.lock().await;
        let old = self.relation_size(&collection, kind.as_str(), source, target).await?;
        let change = self.reserve(0, size - old.unwrap_or(0) as i64).await?;
        let _in_order = in_order(live.as_deref()).await;
        let response = self
            .db
            .query(query)
            .bind(("source_id", RecordId::new(table.clone(), source.to_owned())))
            .bind(("target_id", RecordId::new(table, target.to_owned())))
            .bind(("kind", kind.as_str().to_owned()))
            .bind(("source", source.to_owned()))
            .bind(("target", target.to_owned()))
            .bind(("fields", fields))
            .bind(("now", now))
            .await?;
        match response.check() {
            Ok(_) => {
                change.keep();
                if let (Some(live), Some(fields)) = (&live, indexed) {
                    live.related_written(kind.as_str(), source, target, fields, now);
                }
                Ok(())
            }
            Err(error) if error.to_string().contains("missing") => Err(invalid(format!(
                "cannot relate `{source}` to `{target}`: both must be documents of `{}`",
                collection.name
            ))),
            Err(error) => Err(error.into()),
        }
    }
}

/// Writes to `live`'s collection one at a time, so its index applies them in the database's
/// order; nothing to hold without an index.
async fn in_order(live: Option<&LiveCollection>) -> Option<tokio::sync::MutexGuard<'_, ()>> {
    match live {
        Some(live) => Some(live.write_lock().await),
        None => None,
    }
}
