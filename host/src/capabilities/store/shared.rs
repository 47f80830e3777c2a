//! What the store capability shares between plugins: the database, the clock documents are
//! stamped with, and each plugin database's in-memory indexes (following the server's changes when the
//! store is one), which outlive a
//! plugin's reloads so that a hot swap does not rebuild them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::documents::{Documents, LiveIndexes};
use crate::budget::PluginBudget;
use crate::core::Clock;
use crate::storage::{Storage, StorageError};

pub struct StoreShared {
    storage: Storage,
    clock: Clock,
    indexes: Mutex<HashMap<String, Arc<LiveIndexes>>>,
}

impl StoreShared {
    pub fn new(storage: Storage, clock: Clock) -> StoreShared {
        StoreShared { storage, clock, indexes: Mutex::default() }
    }

    /// The document collections in a plugin's own `database`, with the in-memory indexes
    /// (which follow a server's changes), their writes kept to `budget`'s quota.
    pub async fn documents(
        &self,
        database: &str,
        budget: Arc<PluginBudget>,
    ) -> Result<Documents, StorageError> {
        let embedded = self.storage.is_embedded();
        let live = {
            let mut indexes = self.indexes.lock().unwrap_or_else(PoisonError::into_inner);
            let fresh = || match embedded {
                true => Arc::new(LiveIndexes::default()),
                false => Arc::new(LiveIndexes::following()),
            };
            Some(indexes.entry(database.to_owned()).or_insert_with(fresh).clone())
        };
        let session = self.storage.plugin_session(database).await?;
        let documents = Documents::open(session, self.clock.clone(), live, budget).await?;
        Ok(documents.with_deadline(self.storage.deadline()))
    }

    /// `plugin`'s collections without the in-memory indexes: every query goes to SurrealDB.
    /// For measuring what the indexes save.
    pub async fn documents_unindexed(
        &self,
        database: &str,
        budget: Arc<PluginBudget>,
    ) -> Result<Documents, StorageError> {
        let session = self.storage.plugin_session(database).await?;
        Documents::open(session, self.clock.clone(), None, budget).await
    }
}
