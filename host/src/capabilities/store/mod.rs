//! `dcmaid:bot/store`: document collections private to the calling plugin, with vector and
//! keyword search and relations ([`documents`]).

mod convert;
pub mod documents;
mod shared;

pub use documents::Documents;
pub use shared::StoreShared;

use super::access::{Access, NotGranted};
use super::provider::{PluginInfo, PrepareError, Prepared, Provider, linked};
use crate::core::Capability;
use crate::wit::latest::dcmaid::bot::store::{
    self as wit, Collection, Edge, Entry, Hit, StoreError,
};
use convert::{fields, filter};
use documents::{CollectionSpec, DocumentError};

/// The `store` capability.
pub struct Store;

impl Provider for Store {
    const GRANT: Option<Capability> = Some(Capability::Store);
    type Shared = StoreShared;
    type Plugin = Documents;

    async fn prepare(shared: &StoreShared, info: &PluginInfo<'_>) -> Prepared<Documents> {
        let documents = shared.documents(info.database, info.budget.clone()).await;
        documents.map_err(|e| PrepareError(format!("cannot open its storage: {e}")))
    }

    linked!(wit);
}

impl From<NotGranted> for StoreError {
    fn from(_: NotGranted) -> Self {
        StoreError::NotGranted
    }
}

/// A database that went away fails every call: one line a minute per plugin says so.
static FAILURES: std::sync::LazyLock<crate::core::Throttle> =
    std::sync::LazyLock::new(crate::core::Throttle::per_minute);

impl Access<Documents> {
    /// A failure of the database is logged with the plugin's name (once a minute); the
    /// plugin gets the WIT error.
    fn reported(&self, error: DocumentError) -> StoreError {
        if let DocumentError::Storage(failure) = &error
            && let Some(held_back) = FAILURES.allow(self.plugin().as_str())
        {
            tracing::warn!(plugin = %self.plugin(), held_back, "store operation failed: {failure}");
        }
        error.into()
    }
}

/// `$call` on the plugin's documents, its failure logged and turned into the WIT error.
macro_rules! on_documents {
    ($access:expr, |$documents:ident| $call:expr) => {{
        let $documents = $access.granted()?;
        let result = match crate::storage::within($documents.deadline(), $call).await {
            Ok(result) => result,
            Err(unanswered) => Err(DocumentError::from(unanswered)),
        };
        result.map_err(|error| $access.reported(error))
    }};
}

impl wit::Host for Access<Documents> {
    async fn define(&mut self, collection: Collection) -> Result<(), StoreError> {
        let spec = CollectionSpec {
            name: collection.name,
            dimensions: collection.dimensions,
            text_field: collection.text_field,
            keys: collection.keys.into_iter().collect(),
        };
        on_documents!(self, |documents| documents.define(spec))
    }

    async fn insert(
        &mut self,
        collection: String,
        fields_json: String,
        vector: Option<Vec<f32>>,
    ) -> Result<String, StoreError> {
        let fields = fields(&fields_json)?;
        on_documents!(self, |documents| documents.insert(&collection, fields, vector))
    }

    async fn put(
        &mut self,
        collection: String,
        id: String,
        fields_json: String,
        vector: Option<Vec<f32>>,
    ) -> Result<(), StoreError> {
        let fields = fields(&fields_json)?;
        on_documents!(self, |documents| documents.put(&collection, &id, fields, vector))
    }

    async fn get(&mut self, collection: String, id: String) -> Result<Option<Entry>, StoreError> {
        let found = on_documents!(self, |documents| documents.get(&collection, &id))?;
        Ok(found.map(Entry::from))
    }

    async fn remove(&mut self, collection: String, id: String) -> Result<bool, StoreError> {
        on_documents!(self, |documents| documents.remove(&collection, &id))
    }

    async fn find(
        &mut self,
        collection: String,
        conditions: Vec<(String, String)>,
        limit: u32,
    ) -> Result<Vec<Entry>, StoreError> {
        let filter = filter(conditions)?;
        let found = on_documents!(self, |documents| documents.find(&collection, &filter, limit))?;
        Ok(found.into_iter().map(Entry::from).collect())
    }

    async fn nearest(
        &mut self,
        collection: String,
        vector: Vec<f32>,
        conditions: Vec<(String, String)>,
        limit: u32,
    ) -> Result<Vec<Hit>, StoreError> {
        let filter = filter(conditions)?;
        let found = on_documents!(self, |documents| documents.nearest(
            &collection,
            vector,
            &filter,
            limit
        ))?;
        Ok(found.into_iter().map(Hit::from).collect())
    }

    async fn search(
        &mut self,
        collection: String,
        query: String,
        conditions: Vec<(String, String)>,
        limit: u32,
    ) -> Result<Vec<Hit>, StoreError> {
        let filter = filter(conditions)?;
        let found =
            on_documents!(self, |documents| documents.search(&collection, &query, &filter, limit))?;
        Ok(found.into_iter().map(Hit::from).collect())
    }

    async fn relate(
        &mut self,
        collection: String,
        relation: String,
        source: String,
        target: String,
        fields_json: String,
    ) -> Result<(), StoreError> {
        let fields = fields(&fields_json)?;
        on_documents!(self, |documents| documents.relate(
            &collection,
            &relation,
            &source,
            &target,
            fields
        ))
    }

    async fn related(
        &mut self,
        collection: String,
        relation: String,
        id: String,
        limit: u32,
    ) -> Result<Vec<Edge>, StoreError> {
        let found =
            on_documents!(self, |documents| documents.related(&collection, &relation, &id, limit))?;
        Ok(found.into_iter().map(Edge::from).collect())
    }
}
