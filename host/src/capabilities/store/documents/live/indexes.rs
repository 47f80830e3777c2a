//! Each plugin's collection indexes, one per collection, built on first use.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use dcmaid_index::Index;
use surrealdb::Surreal;
use surrealdb::engine::any::Any;

use super::super::collection::Collection;
use super::super::names::Name;
use super::build::{self, Tables};
use super::collection::{LiveCollection, State, Touched};
use super::edges::Edges;
use super::follow;

/// One plugin's collection indexes, shared by every load of the plugin in this process, so
/// that a hot swap does not rebuild them.
#[derive(Default)]
pub struct LiveIndexes {
    collections: RwLock<HashMap<Name, Arc<LiveCollection>>>,
    /// On a server others write too: each index follows the tables' changes.
    follow: bool,
}

impl LiveIndexes {
    /// Indexes that follow the tables' changes, for a server other replicas write
    /// ([`super::follow`]).
    pub fn following() -> LiveIndexes {
        LiveIndexes { follow: true, ..LiveIndexes::default() }
    }

    /// `collection`'s index: the one there is, or a new one that starts building from `db`.
    pub(crate) fn collection(
        &self,
        db: &Surreal<Any>,
        collection: &Collection,
    ) -> Arc<LiveCollection> {
        if let Some(live) = self.read().get(&collection.name) {
            return live.clone();
        }
        let mut collections = self.collections.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(live) = collections.get(&collection.name) {
            return live.clone();
        }
        let spec = &collection.spec;
        let live = Arc::new(LiveCollection {
            state: RwLock::new(State {
                index: Index::new(spec.dimensions.map(|d| d as usize)),
                documents: HashMap::new(),
                edges: Edges::default(),
                building: Some(Touched::default()),
            }),
            writes: tokio::sync::Mutex::new(()),
            keys: spec.keys.iter().cloned().collect(),
            text_field: spec.text_field.clone(),
            dimensions: spec.dimensions.map(|d| d as usize),
        });
        collections.insert(collection.name.clone(), live.clone());
        let tables =
            Tables { documents: collection.table(), relations: collection.name.relations_table() };
        match self.follow {
            true => tokio::spawn(follow::follow(db.clone(), tables, Arc::downgrade(&live))),
            false => tokio::spawn(build::build(db.clone(), tables, Arc::downgrade(&live))),
        };
        live
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Name, Arc<LiveCollection>>> {
        self.collections.read().unwrap_or_else(PoisonError::into_inner)
    }
}
