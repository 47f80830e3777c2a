//! Reading documents back: by id, by filter, nearest to a vector, by keywords, and their
//! relations; from the in-memory index where it is built, else from SurrealDB.

use serde_json::Value as Json;
use surrealdb::types::RecordId;

use super::collection::Collection;
use super::definitions::Documents;
use super::error::{DocumentError, invalid, undecodable};
use super::names::{Name, check_id};
use super::records::{
    Bindings, Edge, EdgeRow, Entry, Filter, Hit, MAX_RESULTS, Row, conditions, rows,
};

/// How many candidates the HNSW search looks at, at least (more for a larger `limit`).
const MIN_EF: u32 = 64;

impl Documents {
    pub async fn get(&self, collection: &str, id: &str) -> Result<Option<Entry>, DocumentError> {
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

    /// Documents matching `filter`, most recently written first.
    pub async fn find(
        &self,
        collection: &str,
        filter: &Filter,
        limit: u32,
    ) -> Result<Vec<Entry>, DocumentError> {
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
    ) -> Result<Vec<Hit>, DocumentError> {
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
    ) -> Result<Vec<Hit>, DocumentError> {
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
    ) -> Result<Vec<Hit>, DocumentError> {
        let query = format!(
            "SELECT record::id(id) AS id, fields, {score} AS score \
             FROM {} WHERE {} ORDER BY score DESC LIMIT {limit}",
            collection.table(),
            clauses.join(" AND ")
        );
        let found = self.select(query, bindings).await?;
        Ok(found.into_iter().map(Row::hit).collect())
    }

    /// The relations of kind `kind` from or to `id`, most recently written first.
    pub async fn related(
        &self,
        collection: &str,
        kind: &str,
        id: &str,
        limit: u32,
    ) -> Result<Vec<Edge>, DocumentError> {
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
    ) -> Result<Vec<Row>, DocumentError> {
        let mut request = self.db.query(query);
        for binding in bindings {
            request = request.bind(binding);
        }
        let found: Vec<Json> = request.await?.take(0)?;
        rows(Json::Array(found))
    }
}
