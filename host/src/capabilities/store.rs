//! `dcmaid:bot/store`: document collections private to the calling plugin, with vector and
//! keyword search and relations (see [`crate::storage::documents`]).

use serde_json::{Map, Value as Json};

use crate::bindings::dcmaid::bot::store::{Collection, Edge, Entry, Hit, Host, StoreError};
use crate::plugin::{CallState, PluginContext};
use crate::storage::PluginDocuments;
use crate::storage::documents::{self, CollectionSpec, Filter};

fn documents(plugin: &PluginContext) -> Result<&PluginDocuments, StoreError> {
    plugin.documents.as_ref().ok_or(StoreError::NotGranted)
}

impl From<documents::StoreError> for StoreError {
    fn from(error: documents::StoreError) -> Self {
        match error {
            documents::StoreError::Invalid(reason) => StoreError::Invalid(reason),
            documents::StoreError::Storage(error) => StoreError::Unavailable(error.to_string()),
        }
    }
}

/// A failure of the database is logged with the plugin's name; the plugin gets the WIT error.
fn reported(plugin: &PluginContext, error: documents::StoreError) -> StoreError {
    if let documents::StoreError::Storage(failure) = &error {
        tracing::warn!(plugin = %plugin.name, "store operation failed: {failure}");
    }
    error.into()
}

fn filter(conditions: Vec<(String, String)>) -> Result<Filter, StoreError> {
    conditions
        .into_iter()
        .map(|(field, value)| match serde_json::from_str(&value) {
            Ok(value) => Ok((field, value)),
            Err(error) => Err(StoreError::Invalid(format!(
                "the filter's value for `{field}` is not JSON: {error}"
            ))),
        })
        .collect()
}

fn fields(text: &str) -> Result<Map<String, Json>, StoreError> {
    documents::fields_from_json(text).map_err(StoreError::from)
}

fn json_text(fields: Map<String, Json>) -> String {
    Json::Object(fields).to_string()
}

impl From<documents::Entry> for Entry {
    fn from(entry: documents::Entry) -> Self {
        Entry { id: entry.id, fields: json_text(entry.fields), updated_at_ms: entry.updated_at_ms }
    }
}

impl From<documents::Hit> for Hit {
    fn from(hit: documents::Hit) -> Self {
        Hit { id: hit.id, fields: json_text(hit.fields), score: hit.score }
    }
}

impl From<documents::Edge> for Edge {
    fn from(edge: documents::Edge) -> Self {
        Edge {
            source: edge.source,
            target: edge.target,
            fields: json_text(edge.fields),
            updated_at_ms: edge.updated_at_ms,
        }
    }
}

impl Host for CallState {
    async fn define(&mut self, collection: Collection) -> wasmtime::Result<Result<(), StoreError>> {
        let plugin = self.plugin_handle();
        let spec = CollectionSpec {
            name: collection.name,
            dimensions: collection.dimensions,
            text_field: collection.text_field,
            keys: collection.keys.into_iter().collect(),
        };
        let result =
            async { documents(&plugin)?.define(spec).await.map_err(|e| reported(&plugin, e)) };
        Ok(result.await)
    }

    async fn insert(
        &mut self,
        collection: String,
        fields_json: String,
        vector: Option<Vec<f32>>,
    ) -> wasmtime::Result<Result<String, StoreError>> {
        let plugin = self.plugin_handle();
        let result = async {
            let store = documents(&plugin)?;
            let fields = fields(&fields_json)?;
            store.insert(&collection, fields, vector).await.map_err(|e| reported(&plugin, e))
        };
        Ok(result.await)
    }

    async fn put(
        &mut self,
        collection: String,
        id: String,
        fields_json: String,
        vector: Option<Vec<f32>>,
    ) -> wasmtime::Result<Result<(), StoreError>> {
        let plugin = self.plugin_handle();
        let result = async {
            let store = documents(&plugin)?;
            let fields = fields(&fields_json)?;
            store.put(&collection, &id, fields, vector).await.map_err(|e| reported(&plugin, e))
        };
        Ok(result.await)
    }

    async fn get(
        &mut self,
        collection: String,
        id: String,
    ) -> wasmtime::Result<Result<Option<Entry>, StoreError>> {
        let plugin = self.plugin_handle();
        let result = async {
            let found = documents(&plugin)?.get(&collection, &id).await;
            Ok(found.map_err(|e| reported(&plugin, e))?.map(Entry::from))
        };
        Ok(result.await)
    }

    async fn remove(
        &mut self,
        collection: String,
        id: String,
    ) -> wasmtime::Result<Result<bool, StoreError>> {
        let plugin = self.plugin_handle();
        let result = async {
            documents(&plugin)?.remove(&collection, &id).await.map_err(|e| reported(&plugin, e))
        };
        Ok(result.await)
    }

    async fn find(
        &mut self,
        collection: String,
        conditions: Vec<(String, String)>,
        limit: u32,
    ) -> wasmtime::Result<Result<Vec<Entry>, StoreError>> {
        let plugin = self.plugin_handle();
        let result = async {
            let store = documents(&plugin)?;
            let found = store.find(&collection, &filter(conditions)?, limit).await;
            Ok(found.map_err(|e| reported(&plugin, e))?.into_iter().map(Entry::from).collect())
        };
        Ok(result.await)
    }

    async fn nearest(
        &mut self,
        collection: String,
        vector: Vec<f32>,
        conditions: Vec<(String, String)>,
        limit: u32,
    ) -> wasmtime::Result<Result<Vec<Hit>, StoreError>> {
        let plugin = self.plugin_handle();
        let result = async {
            let store = documents(&plugin)?;
            let found = store.nearest(&collection, vector, &filter(conditions)?, limit).await;
            Ok(found.map_err(|e| reported(&plugin, e))?.into_iter().map(Hit::from).collect())
        };
        Ok(result.await)
    }

    async fn search(
        &mut self,
        collection: String,
        query: String,
        conditions: Vec<(String, String)>,
        limit: u32,
    ) -> wasmtime::Result<Result<Vec<Hit>, StoreError>> {
        let plugin = self.plugin_handle();
        let result = async {
            let store = documents(&plugin)?;
            let found = store.search(&collection, &query, &filter(conditions)?, limit).await;
            Ok(found.map_err(|e| reported(&plugin, e))?.into_iter().map(Hit::from).collect())
        };
        Ok(result.await)
    }

    async fn relate(
        &mut self,
        collection: String,
        relation: String,
        source: String,
        target: String,
        fields_json: String,
    ) -> wasmtime::Result<Result<(), StoreError>> {
        let plugin = self.plugin_handle();
        let result = async {
            let store = documents(&plugin)?;
            let fields = fields(&fields_json)?;
            let related = store.relate(&collection, &relation, &source, &target, fields).await;
            related.map_err(|e| reported(&plugin, e))
        };
        Ok(result.await)
    }

    async fn related(
        &mut self,
        collection: String,
        relation: String,
        id: String,
        limit: u32,
    ) -> wasmtime::Result<Result<Vec<Edge>, StoreError>> {
        let plugin = self.plugin_handle();
        let result = async {
            let store = documents(&plugin)?;
            let found = store.related(&collection, &relation, &id, limit).await;
            Ok(found.map_err(|e| reported(&plugin, e))?.into_iter().map(Edge::from).collect())
        };
        Ok(result.await)
    }
}
