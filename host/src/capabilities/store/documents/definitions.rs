//! One plugin's collections: opening them, and defining and checking each collection.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value as Json;
use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use tokio::sync::RwLock;

use super::collection::{Collection, CollectionSpec, relation_indexes};
use super::error::{DocumentError, invalid, undecodable, undefined};
use super::live::{LiveCollection, LiveIndexes};
use super::names::Name;
use crate::budget::PluginBudget;
use crate::core::Clock;
use crate::storage::StorageError;

/// One plugin's collections.
pub struct Documents {
    pub(super) db: Surreal<Any>,
    pub(super) clock: Clock,
    /// The collections defined so far, read from `m__collections` on first use.
    pub(super) collections: RwLock<Option<HashMap<Name, Collection>>>,
    /// The in-memory indexes, on an embedded store ([`live`]).
    pub(super) live: Option<Arc<LiveIndexes>>,
    /// The plugin's quota (`store.max_documents`, `store.max_bytes`), which writes keep to.
    pub(super) budget: Arc<PluginBudget>,
    /// Writes go one at a time, each knowing the size of what it replaces.
    pub(super) writes: tokio::sync::Mutex<()>,
    /// How long one operation may take (on a server; see [`Documents::with_deadline`]).
    pub(super) deadline: Option<std::time::Duration>,
}

impl Documents {
    pub(crate) async fn open(
        db: Surreal<Any>,
        clock: Clock,
        live: Option<Arc<LiveIndexes>>,
        budget: Arc<PluginBudget>,
    ) -> Result<Self, StorageError> {
        db.query(
            "DEFINE TABLE IF NOT EXISTS m__collections SCHEMALESS; \
             DEFINE ANALYZER IF NOT EXISTS english TOKENIZERS blank, punct \
                 FILTERS lowercase, ascii, snowball(english);",
        )
        .await?
        .check()?;
        let writes = tokio::sync::Mutex::new(());
        let collections = RwLock::new(None);
        Ok(Documents { db, clock, collections, live, budget, writes, deadline: None })
    }

    /// These collections, each operation of the capability on them bounded by `deadline`.
    pub(crate) fn with_deadline(self, deadline: Option<std::time::Duration>) -> Documents {
        Documents { deadline, ..self }
    }

    /// How long one operation may take: none embedded, a few seconds on a server.
    pub fn deadline(&self) -> Option<std::time::Duration> {
        self.deadline
    }

    /// `collection`'s in-memory index, when the store has them.
    pub(super) fn live(&self, collection: &Collection) -> Option<Arc<LiveCollection>> {
        Some(self.live.as_ref()?.collection(&self.db, collection))
    }

    /// Whether `collection`'s in-memory index is built (false without one).
    pub async fn is_indexed(&self, collection: &str) -> Result<bool, DocumentError> {
        let collection = self.collection(collection).await?;
        Ok(self.live(&collection).is_some_and(|live| live.is_built()))
    }

    pub(super) async fn collection(&self, name: &str) -> Result<Collection, DocumentError> {
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

    pub(super) async fn read_definitions(
        &self,
    ) -> Result<HashMap<Name, Collection>, DocumentError> {
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
    pub async fn define(&self, spec: CollectionSpec) -> Result<(), DocumentError> {
        let wanted = Collection::checked(spec)?;
        let existing = match self.collection(&wanted.spec.name).await {
            Ok(existing) => Some(existing),
            Err(DocumentError::Invalid(_)) => None,
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
}
