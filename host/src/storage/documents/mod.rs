//! A plugin's document collections (the `store` capability): documents with a JSON object of
//! fields and an optional vector, nearest-neighbour search over an HNSW index, keyword search
//! over a BM25 index, and relations between documents with fields of their own.
//!
//! Everything lives in the plugin's own database (see [`super::Storage`]). Names are checked
//! against a narrow alphabet before they reach query text; every value is a bound parameter.
//! Collection `x` is table `c__x`, its relations table `r__x`, and the definitions the host
//! keeps are in `m__collections`.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::RecordId;
use tokio::sync::RwLock;

use super::StorageError;
use super::names::{Name, check_id};
use crate::clock::Clock;

mod live;

use live::LiveCollection;
pub use live::LiveIndexes;

/// The most documents one `find`, `nearest`, `search` or `related` returns.
pub const MAX_RESULTS: u32 = 1000;
/// The most bytes of fields one document may have, as JSON.
pub const MAX_FIELDS_BYTES: usize = 256 << 10;
/// The most numbers a vector may have.
pub const MAX_DIMENSIONS: u32 = 4096;
/// How many candidates the HNSW search looks at, at least (more for a larger `limit`).
const MIN_EF: u32 = 64;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The plugin's request is wrong; the text names what.
    #[error("{0}")]
    Invalid(String),
    /// Boxed: the database's errors are large, and every result carries the variant.
    #[error(transparent)]
    Storage(Box<StorageError>),
}

impl From<StorageError> for StoreError {
    fn from(error: StorageError) -> Self {
        StoreError::Storage(Box::new(error))
    }
}

impl From<surrealdb::Error> for StoreError {
    fn from(error: surrealdb::Error) -> Self {
        StorageError::Query(error).into()
    }
}

fn undecodable(error: impl std::fmt::Display) -> StoreError {
    StorageError::Decode(error.to_string()).into()
}

fn invalid(reason: impl Into<String>) -> StoreError {
    StoreError::Invalid(reason.into())
}

/// How a collection's documents are indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionSpec {
    pub name: String,
    pub dimensions: Option<u32>,
    pub text_field: Option<String>,
    pub keys: BTreeSet<String>,
}

/// A collection spec whose names were checked.
#[derive(Debug, Clone)]
struct Collection {
    spec: CollectionSpec,
    name: Name,
}

impl Collection {
    fn checked(spec: CollectionSpec) -> Result<Collection, StoreError> {
        let name = Name::new("collection", &spec.name).map_err(invalid)?;
        if let Some(field) = &spec.text_field {
            Name::new("text field", field).map_err(invalid)?;
        }
        for key in &spec.keys {
            Name::new("key", key).map_err(invalid)?;
        }
        if let Some(dimensions) = spec.dimensions
            && !(1..=MAX_DIMENSIONS).contains(&dimensions)
        {
            return Err(invalid(format!(
                "collection `{name}`: dimensions must be 1 to {MAX_DIMENSIONS}, not {dimensions}"
            )));
        }
        Ok(Collection { spec, name })
    }

    fn table(&self) -> String {
        self.name.documents_table()
    }

    fn check_vector(&self, vector: &[f32]) -> Result<(), StoreError> {
        let Some(dimensions) = self.spec.dimensions else {
            return Err(invalid(format!("collection `{}` was defined without vectors", self.name)));
        };
        if vector.len() != dimensions as usize {
            return Err(invalid(format!(
                "collection `{}` holds vectors of {dimensions} numbers; this one has {}",
                self.name,
                vector.len()
            )));
        }
        if vector.iter().any(|x| !x.is_finite()) {
            return Err(invalid("vectors must hold finite numbers".to_owned()));
        }
        Ok(())
    }
}

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
pub fn fields_from_json(text: &str) -> Result<Map<String, Json>, StoreError> {
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
type Bindings = Vec<(String, Json)>;

/// The `WHERE` conditions of `filter`, with its values bound as `$f0`, `$f1`, ...
fn conditions(filter: &Filter) -> Result<(Vec<String>, Bindings), StoreError> {
    let mut clauses = Vec::with_capacity(filter.len());
    let mut bindings = Vec::with_capacity(filter.len());
    for (n, (field, value)) in filter.iter().enumerate() {
        let field = Name::new("filter field", field).map_err(invalid)?;
        clauses.push(format!("fields.{field} = $f{n}"));
        bindings.push((format!("f{n}"), value.clone()));
    }
    Ok((clauses, bindings))
}

/// One plugin's collections.
pub struct PluginDocuments {
    db: Surreal<Any>,
    clock: Clock,
    /// The collections defined so far, read from `m__collections` on first use.
    collections: RwLock<Option<HashMap<Name, Collection>>>,
    /// The in-memory indexes, on an embedded store ([`live`]).
    live: Option<Arc<LiveIndexes>>,
}

/// A row as queries return it: the record id's key, fields, and one of a score or a time.
#[derive(Debug, Deserialize)]
struct Row {
    id: Json,
    #[serde(default)]
    fields: Map<String, Json>,
    #[serde(default)]
    updated_at: u64,
    #[serde(default)]
    score: Option<f64>,
}

fn id_text(id: &Json) -> String {
    match id {
        Json::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn rows(value: Json) -> Result<Vec<Row>, StoreError> {
    serde_json::from_value(value).map_err(undecodable)
}

impl PluginDocuments {
    pub(super) async fn open(
        db: Surreal<Any>,
        clock: Clock,
        live: Option<Arc<LiveIndexes>>,
    ) -> Result<Self, StorageError> {
        db.query(
            "DEFINE TABLE IF NOT EXISTS m__collections SCHEMALESS; \
             DEFINE ANALYZER IF NOT EXISTS english TOKENIZERS blank, punct \
                 FILTERS lowercase, ascii, snowball(english);",
        )
        .await?
        .check()?;
        Ok(PluginDocuments { db, clock, collections: RwLock::new(None), live })
    }

    /// `collection`'s in-memory index, when the store has them.
    fn live(&self, collection: &Collection) -> Option<Arc<LiveCollection>> {
        Some(self.live.as_ref()?.collection(&self.db, collection))
    }

    /// Whether `collection`'s in-memory index is built (false without one).
    pub async fn is_indexed(&self, collection: &str) -> Result<bool, StoreError> {
        let collection = self.collection(collection).await?;
        Ok(self.live(&collection).is_some_and(|live| live.is_built()))
    }

    async fn collection(&self, name: &str) -> Result<Collection, StoreError> {
        let key = Name::new("collection", name).map_err(invalid)?;
        if let Some(known) = self.collections.read().await.as_ref() {
            return known.get(&key).cloned().ok_or_else(|| undefined(&key));
        }
        let mut known = self.collections.write().await;
        let known = match &mut *known {
            Some(known) => known,
            None => known.insert(self.read_definitions().await?),
        };
        known.get(&key).cloned().ok_or_else(|| undefined(&key))
    }

    async fn read_definitions(&self) -> Result<HashMap<Name, Collection>, StoreError> {
        let mut response = self.db.query("SELECT VALUE spec FROM m__collections").await?;
        let specs: Vec<Json> = response.take(0)?;
        let mut known = HashMap::new();
        for spec in specs {
            let spec: CollectionSpec = serde_json::from_value(spec).map_err(undecodable)?;
            let collection = Collection::checked(spec)?;
            known.insert(collection.name.clone(), collection);
        }
        // Collections defined by an earlier version get this version's relation indexes.
        let upgrades: Vec<String> =
            known.keys().flat_map(|name| relation_indexes(&name.relations_table())).collect();
        if !upgrades.is_empty() {
            self.db.query(upgrades.join(";\n")).await?.check()?;
        }
        Ok(known)
    }

    /// Create `spec`'s collection, or check an existing one. New keys may be added; the
    /// vector dimensions and the text field cannot change.
    pub async fn define(&self, spec: CollectionSpec) -> Result<(), StoreError> {
        let wanted = Collection::checked(spec)?;
        let existing = match self.collection(&wanted.spec.name).await {
            Ok(existing) => Some(existing),
            Err(StoreError::Invalid(_)) => None,
            Err(error) => return Err(error),
        };
        if let Some(existing) = &existing {
            if existing.spec == wanted.spec {
                return Ok(());
            }
            if existing.spec.dimensions != wanted.spec.dimensions
                || existing.spec.text_field != wanted.spec.text_field
            {
                return Err(invalid(format!(
                    "collection `{}` exists with dimensions {:?} and text field {:?}; those \
                     cannot change (define a collection of another name)",
                    wanted.name, existing.spec.dimensions, existing.spec.text_field
                )));
            }
        }
        let table = wanted.table();
        let relations = wanted.name.relations_table();
        let mut statements = vec![
            format!("DEFINE TABLE IF NOT EXISTS {table} SCHEMALESS"),
            format!("DEFINE INDEX IF NOT EXISTS updated ON {table} FIELDS updated_at"),
            format!("DEFINE TABLE IF NOT EXISTS {relations} SCHEMALESS"),
        ];
        statements.extend(relation_indexes(&relations));
        if let Some(dimensions) = wanted.spec.dimensions {
            statements.push(format!(
                "DEFINE INDEX IF NOT EXISTS vector ON {table} FIELDS vector \
                 HNSW DIMENSION {dimensions} DIST COSINE TYPE F32"
            ));
        }
        if let Some(field) = &wanted.spec.text_field {
            statements.push(format!(
                "DEFINE INDEX IF NOT EXISTS text ON {table} FIELDS fields.{field} \
                 FULLTEXT ANALYZER english BM25"
            ));
        }
        for key in &wanted.spec.keys {
            statements.push(format!(
                "DEFINE INDEX IF NOT EXISTS key_{key} ON {table} FIELDS fields.{key}"
            ));
        }
        statements.push(
            "UPSERT type::record('m__collections', $name) SET spec = $spec RETURN NONE".to_owned(),
        );
        let spec = serde_json::to_value(&wanted.spec).expect("a spec serializes");
        self.db
            .query(statements.join(";\n"))
            .bind(("name", wanted.name.as_str().to_owned()))
            .bind(("spec", spec))
            .await?
            .check()?;
        let mut known = self.collections.write().await;
        if let Some(known) = known.as_mut() {
            known.insert(wanted.name.clone(), wanted);
        }
        Ok(())
    }

    /// The document content as stored: fields, vector and the time, `now`.
    fn content(
        collection: &Collection,
        fields: Map<String, Json>,
        vector: Option<Vec<f32>>,
        now: u64,
    ) -> Result<Json, StoreError> {
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
    ) -> Result<String, StoreError> {
        let collection = self.collection(collection).await?;
        let live = self.live(&collection);
        let indexed = live.as_ref().map(|_| (fields.clone(), vector.clone()));
        let now = self.clock.now_ms();
        let content = Self::content(&collection, fields, vector, now)?;
        let _in_order = in_order(live.as_deref()).await;
        let query =
            format!("CREATE {} CONTENT $content RETURN VALUE record::id(id)", collection.table());
        let mut response = self.db.query(query).bind(("content", content)).await?;
        let ids: Vec<Json> = response.take(0)?;
        let id = ids.first().map(id_text).ok_or_else(|| undecodable("CREATE returned no id"))?;
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
    ) -> Result<(), StoreError> {
        let collection = self.collection(collection).await?;
        check_id(id).map_err(invalid)?;
        let live = self.live(&collection);
        let indexed = live.as_ref().map(|_| (fields.clone(), vector.clone()));
        let now = self.clock.now_ms();
        let content = Self::content(&collection, fields, vector, now)?;
        let _in_order = in_order(live.as_deref()).await;
        self.db
            .query("UPSERT $id CONTENT $content RETURN NONE")
            .bind(("id", RecordId::new(collection.table(), id.to_owned())))
            .bind(("content", content))
            .await?
            .check()?;
        if let (Some(live), Some((fields, vector))) = (&live, indexed) {
            live.upserted(id, &fields, vector.as_deref(), now);
        }
        Ok(())
    }

    pub async fn get(&self, collection: &str, id: &str) -> Result<Option<Entry>, StoreError> {
        let collection = self.collection(collection).await?;
        check_id(id).map_err(invalid)?;
        if let Some(held) = self.live(&collection).and_then(|live| live.get(id)) {
            return Ok(held);
        }
        let mut response = self
            .db
            .query("SELECT record::id(id) AS id, fields, updated_at FROM $id")
            .bind(("id", RecordId::new(collection.table(), id.to_owned())))
            .await?;
        let found: Vec<Json> = response.take(0)?;
        Ok(rows(Json::Array(found))?.into_iter().next().map(Row::entry))
    }

    /// Remove document `id` and every relation from or to it; true when it existed.
    pub async fn remove(&self, collection: &str, id: &str) -> Result<bool, StoreError> {
        let collection = self.collection(collection).await?;
        check_id(id).map_err(invalid)?;
        let query = format!(
            "BEGIN; \
             DELETE $id RETURN BEFORE; \
             DELETE {relations} WHERE source = $key OR target = $key; \
             COMMIT;",
            relations = collection.name.relations_table()
        );
        let live = self.live(&collection);
        let _in_order = in_order(live.as_deref()).await;
        let mut response = self
            .db
            .query(query)
            .bind(("key", id.to_owned()))
            .bind(("id", RecordId::new(collection.table(), id.to_owned())))
            .await?;
        // BEGIN has a result of its own: the document's DELETE is statement 1.
        let before: Vec<Json> = response.take(1)?;
        if let Some(live) = &live {
            live.removed(id);
        }
        Ok(before.iter().any(|value| !value.is_null()))
    }

    /// Documents matching `filter`, most recently written first.
    pub async fn find(
        &self,
        collection: &str,
        filter: &Filter,
        limit: u32,
    ) -> Result<Vec<Entry>, StoreError> {
        let collection = self.collection(collection).await?;
        let (clauses, bindings) = conditions(filter)?;
        let condition = if clauses.is_empty() { "true".to_owned() } else { clauses.join(" AND ") };
        let query = format!(
            "SELECT record::id(id) AS id, fields, updated_at FROM {} WHERE {condition} \
             ORDER BY updated_at DESC LIMIT {}",
            collection.table(),
            limit.min(MAX_RESULTS)
        );
        let found = self.select(query, bindings).await?;
        Ok(found.into_iter().map(Row::entry).collect())
    }

    /// The documents matching `filter` nearest to `vector` by cosine similarity.
    pub async fn nearest(
        &self,
        collection: &str,
        vector: Vec<f32>,
        filter: &Filter,
        limit: u32,
    ) -> Result<Vec<Hit>, StoreError> {
        let collection = self.collection(collection).await?;
        collection.check_vector(&vector)?;
        let limit = limit.clamp(1, MAX_RESULTS);
        if let Some(hits) =
            self.live(&collection).and_then(|live| live.nearest(&vector, filter, limit as usize))
        {
            return Ok(hits);
        }
        let (mut clauses, mut bindings) = conditions(filter)?;
        let ef = (limit * 2).max(MIN_EF);
        clauses.push(format!("vector <|{limit},{ef}|> $vector"));
        bindings.push(("vector".to_owned(), serde_json::json!(vector)));
        let score = "1 - vector::distance::knn()";
        self.ranked(&collection, &clauses, bindings, score, limit).await
    }

    /// The documents matching `filter` whose text matches any word of `query`, by BM25.
    pub async fn search(
        &self,
        collection: &str,
        query: &str,
        filter: &Filter,
        limit: u32,
    ) -> Result<Vec<Hit>, StoreError> {
        let collection = self.collection(collection).await?;
        let Some(field) = &collection.spec.text_field else {
            return Err(invalid(format!(
                "collection `{}` was defined without a text field",
                collection.name
            )));
        };
        if query.trim().is_empty() {
            return Ok(Vec::new());
        }
        let limit = limit.clamp(1, MAX_RESULTS);
        if let Some(hits) =
            self.live(&collection).and_then(|live| live.search(query, filter, limit as usize))
        {
            return Ok(hits);
        }
        let (mut clauses, mut bindings) = conditions(filter)?;
        clauses.push(format!("fields.{field} @1,OR@ $query"));
        bindings.push(("query".to_owned(), Json::from(query)));
        self.ranked(&collection, &clauses, bindings, "search::score(1)", limit).await
    }

    /// The best `limit` documents of `collection` meeting every clause, by `score` (a
    /// SurrealQL expression of the host's, never the plugin's).
    async fn ranked(
        &self,
        collection: &Collection,
        clauses: &[String],
        bindings: Bindings,
        score: &str,
        limit: u32,
    ) -> Result<Vec<Hit>, StoreError> {
        let query = format!(
            "SELECT record::id(id) AS id, fields, {score} AS score \
             FROM {} WHERE {} ORDER BY score DESC LIMIT {limit}",
            collection.table(),
            clauses.join(" AND ")
        );
        let found = self.select(query, bindings).await?;
        Ok(found.into_iter().map(Row::hit).collect())
    }

    /// Relate `source` to `target` by `kind`, replacing that relation's fields if it exists.
    pub async fn relate(
        &self,
        collection: &str,
        kind: &str,
        source: &str,
        target: &str,
        fields: Map<String, Json>,
    ) -> Result<(), StoreError> {
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
        let _in_order = in_order(live.as_deref()).await;
        let response = self
            .db
            .query(query)
            .bind(("source_id", RecordId::new(table.clone(), source.to_owned())))
            .bind(("target_id", RecordId::new(table, target.to_owned())))
            .bind(("kind", kind.as_str().to_owned()))
            .bind(("source", source.to_owned()))
            .bind(("target", target.to_owned()))
            .bind(("fields", Json::Object(fields)))
            .bind(("now", now))
            .await?;
        match response.check() {
            Ok(_) => {
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

    /// The relations of kind `kind` from or to `id`, most recently written first.
    pub async fn related(
        &self,
        collection: &str,
        kind: &str,
        id: &str,
        limit: u32,
    ) -> Result<Vec<Edge>, StoreError> {
        let collection = self.collection(collection).await?;
        let kind = Name::new("relation", kind).map_err(invalid)?;
        check_id(id).map_err(invalid)?;
        let limit = limit.min(MAX_RESULTS);
        if let Some(edges) =
            self.live(&collection).and_then(|live| live.related(kind.as_str(), id, limit as usize))
        {
            return Ok(edges);
        }
        let query = format!(
            "SELECT source, target, fields, updated_at FROM {} \
             WHERE (source = $id AND kind = $kind) OR (target = $id AND kind = $kind) \
             ORDER BY updated_at DESC LIMIT {limit}",
            collection.name.relations_table(),
        );
        let mut response = self
            .db
            .query(query)
            .bind(("kind", kind.as_str().to_owned()))
            .bind(("id", id.to_owned()))
            .await?;
        let found: Vec<Json> = response.take(0)?;
        found
            .into_iter()
            .map(|edge| {
                serde_json::from_value::<EdgeRow>(edge).map(EdgeRow::edge).map_err(undecodable)
            })
            .collect()
    }

    async fn select(
        &self,
        query: String,
        bindings: Vec<(String, Json)>,
    ) -> Result<Vec<Row>, StoreError> {
        let mut request = self.db.query(query);
        for binding in bindings {
            request = request.bind(binding);
        }
        let found: Vec<Json> = request.await?.take(0)?;
        rows(Json::Array(found))
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

fn undefined(name: &Name) -> StoreError {
    invalid(format!("collection `{name}` is not defined; `define` it first"))
}

impl Row {
    fn entry(self) -> Entry {
        Entry { id: id_text(&self.id), fields: self.fields, updated_at_ms: self.updated_at }
    }

    fn hit(self) -> Hit {
        let score = self.score.unwrap_or(0.0) as f32;
        Hit { id: id_text(&self.id), fields: self.fields, score }
    }
}

#[derive(Debug, Deserialize)]
struct EdgeRow {
    source: String,
    target: String,
    #[serde(default)]
    fields: Map<String, Json>,
    #[serde(default)]
    updated_at: u64,
}

impl EdgeRow {
    fn edge(self) -> Edge {
        Edge {
            source: self.source,
            target: self.target,
            fields: self.fields,
            updated_at_ms: self.updated_at,
        }
    }
}

/// The indexes of a relations table. Each is led by an endpoint, so that one index serves
/// both a document's relations of one kind (`related`) and all of them (`remove`). Those of
/// earlier versions were led by the kind, which `remove` could not use; they are dropped.
fn relation_indexes(relations: &str) -> [String; 4] {
    [
        format!("REMOVE INDEX IF EXISTS source ON {relations}"),
        format!("REMOVE INDEX IF EXISTS target ON {relations}"),
        format!("DEFINE INDEX IF NOT EXISTS by_source ON {relations} FIELDS source, kind"),
        format!("DEFINE INDEX IF NOT EXISTS by_target ON {relations} FIELDS target, kind"),
    ]
}

#[cfg(test)]
mod tests;
