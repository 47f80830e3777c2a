//! A plugin's key-value table, `kv`, in its own database, with the key as the record id.
//! On an embedded store, reads are served from a write-through cache ([`ReadCache`]). Every
//! write keeps to the plugin's quota (`kv.max_keys`, `kv.max_bytes`: keys and values
//! together), measured from the table at the first write and kept up to date after.

use std::sync::Arc;

use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::{Bytes, RecordId, Value};

use super::cache::ReadCache;
use crate::budget::{PluginBudget, Refusal};
use crate::storage::{Storage, StorageError};

/// Why a write failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The plugin's quota refused it; nothing changed.
    #[error(transparent)]
    Limited(Refusal),
}

impl From<surrealdb::Error> for WriteError {
    fn from(error: surrealdb::Error) -> Self {
        WriteError::Storage(error.into())
    }
}

/// The record of `key` in table `kv`. Bound as a parameter, the key is data, never query text.
fn record(key: &str) -> RecordId {
    RecordId::new("kv", key.to_owned())
}

/// A plugin's key-value table, `kv`, with the key as the record id. On an embedded store,
/// reads are served from a write-through cache of what this process read and wrote.
pub struct KvTable {
    db: Surreal<Any>,
    cache: Option<ReadCache>,
    /// Writes go one at a time: each knows the size of what it replaces, and the cache ends
    /// up holding the value the database committed last.
    writes: tokio::sync::Mutex<()>,
    budget: Arc<PluginBudget>,
    /// How long one operation may take (on a server).
    deadline: Option<std::time::Duration>,
}

/// What one key takes of the quota: the key (in characters, as the database counts them
/// when the usage is measured) and its value.
fn entry_bytes(key: &str, value_bytes: usize) -> i64 {
    (key.chars().count() + value_bytes) as i64
}

impl KvTable {
    /// The plugin's table, created if it is new, its writes kept to `budget`'s quota.
    pub async fn open(
        storage: &Storage,
        database: &str,
        budget: Arc<PluginBudget>,
    ) -> Result<KvTable, StorageError> {
        let db = storage.plugin_session(database).await?;
        db.query(
            "DEFINE TABLE IF NOT EXISTS kv SCHEMAFULL; \
                  DEFINE FIELD IF NOT EXISTS data ON kv TYPE bytes;",
        )
        .await?
        .check()?;
        let cache = storage.is_embedded().then(ReadCache::default);
        let deadline = storage.deadline();
        Ok(KvTable { db, cache, writes: tokio::sync::Mutex::new(()), budget, deadline })
    }

    /// How long one operation may take: none embedded, a few seconds on a server.
    pub fn deadline(&self) -> Option<std::time::Duration> {
        self.deadline
    }

    /// Keys, and bytes of keys and values, in the table now.
    async fn measure(&self) -> Result<(u64, u64), StorageError> {
        let mut response = self
            .db
            .query(
                "RETURN count(SELECT id FROM kv); \
                 RETURN math::sum(SELECT VALUE bytes::len(data) + string::len(record::id(id)) \
                     FROM kv);",
            )
            .await?;
        let keys: Option<i64> = response.take(0)?;
        let bytes: Option<i64> = response.take(1)?;
        Ok((keys.unwrap_or(0).max(0) as u64, bytes.unwrap_or(0).max(0) as u64))
    }

    /// Make sure the usage has been measured for the quota.
    pub async fn measured(&self) -> Result<(), StorageError> {
        let _write = self.writes.lock().await;
        self.budget.kv().measure_once(async || self.measure().await).await
    }

    /// The size of `key`'s value, if it has one.
    async fn value_bytes(&self, key: &str) -> Result<Option<usize>, StorageError> {
        if let Some(value) = self.cache.as_ref().and_then(|cache| cache.get(key)) {
            return Ok(value.map(|value| value.len()));
        }
        let mut response = self
            .db
            .query("SELECT VALUE bytes::len(data) FROM $id")
            .bind(("id", record(key)))
            .await?;
        let sizes: Vec<i64> = response.take(0)?;
        Ok(sizes.first().map(|size| (*size).max(0) as usize))
    }

    /// The quota's change for setting `key` to `value_bytes` (or deleting it: `None`).
    async fn reserve(
        &self,
        key: &str,
        value_bytes: Option<usize>,
    ) -> Result<crate::budget::Change<'_>, WriteError> {
        let usage = self.budget.kv();
        // Called with the write lock held.
        usage.measure_once(async || self.measure().await).await?;
        let old = self.value_bytes(key).await?;
        let (items, bytes) = match (old, value_bytes) {
            (None, None) => (0, 0),
            (None, Some(new)) => (1, entry_bytes(key, new)),
            (Some(old), None) => (-1, -entry_bytes(key, old)),
            (Some(old), Some(new)) => (0, new as i64 - old as i64),
        };
        usage
            .change(items, bytes)
            .map_err(|refusal| WriteError::Limited(self.budget.refused(refusal)))
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        if let Some(value) = self.cache.as_ref().and_then(|cache| cache.get(key)) {
            return Ok(value);
        }
        let mut response = self.db.query("SELECT data FROM $id").bind(("id", record(key))).await?;
        let value: Option<Bytes> = response.take((0, "data"))?;
        let value = value.map(|bytes| bytes.to_vec());
        if let Some(cache) = &self.cache {
            cache.fill(key, &value);
        }
        Ok(value)
    }

    pub async fn set(&self, key: &str, value: Vec<u8>) -> Result<(), WriteError> {
        let _write = self.writes.lock().await;
        let change = self.reserve(key, Some(value.len())).await?;
        let cached = self.cache.as_ref().map(|_| value.clone());
        let written = self
            .db
            .query("UPSERT $id SET data = $data RETURN NONE")
            .bind(("id", record(key)))
            .bind(("data", Bytes::from(value)))
            .await
            .and_then(|response| response.check());
        self.after_write(key, written.as_ref().ok().map(|_| cached));
        written?;
        change.keep();
        Ok(())
    }

    /// True when the key existed.
    pub async fn delete(&self, key: &str) -> Result<bool, WriteError> {
        let _write = self.writes.lock().await;
        let change = self.reserve(key, None).await?;
        let deleted = self.db.query("DELETE $id RETURN BEFORE").bind(("id", record(key))).await;
        self.after_write(key, deleted.as_ref().ok().map(|_| None));
        let before: Vec<Value> = deleted?.take(0)?;
        change.keep();
        Ok(before.iter().any(|value| !value.is_nullish()))
    }

    /// Record a write's outcome: `Some(value)` was committed; `None`, the write failed and
    /// the key's state is unknown.
    fn after_write(&self, key: &str, committed: Option<Option<Vec<u8>>>) {
        let Some(cache) = &self.cache else { return };
        match committed {
            Some(value) => cache.fill(key, &value),
            None => cache.forget(key),
        }
    }

    /// Keys starting with `prefix`, in order, at most `limit`.
    pub async fn list_keys(&self, prefix: &str, limit: u32) -> Result<Vec<String>, StorageError> {
        let mut response = self
            .db
            .query(
                "SELECT record::id(id) AS key FROM kv \
                 WHERE string::starts_with(record::id(id), $prefix) ORDER BY key LIMIT $limit",
            )
            .bind(("prefix", prefix.to_owned()))
            .bind(("limit", i64::from(limit)))
            .await?;
        Ok(response.take((0, "key"))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::PluginName;
    use crate::storage::Storage;

    fn name(name: &str) -> PluginName {
        PluginName::new(name).unwrap()
    }

    fn budget(plugin: &str) -> Arc<PluginBudget> {
        PluginBudget::standalone(name(plugin), crate::budget::Budgets::default())
    }

    #[tokio::test]
    async fn kv_round_trips_lists_and_deletes() {
        let storage = Storage::open("mem://").await.unwrap();
        let kv = KvTable::open(&storage, "alpha", budget("alpha")).await.unwrap();
        assert_eq!(kv.get("a/1").await.unwrap(), None);
        kv.set("a/1", b"one".to_vec()).await.unwrap();
        kv.set("a/2", vec![0, 255, 7]).await.unwrap();
        kv.set("b/1", Vec::new()).await.unwrap();
        kv.set("a/1", b"uno".to_vec()).await.unwrap();
        assert_eq!(kv.get("a/1").await.unwrap(), Some(b"uno".to_vec()));
        assert_eq!(kv.get("a/2").await.unwrap(), Some(vec![0, 255, 7]));
        assert_eq!(kv.get("b/1").await.unwrap(), Some(Vec::new()));
        assert_eq!(kv.list_keys("a/", 10).await.unwrap(), ["a/1", "a/2"]);
        assert_eq!(kv.list_keys("", 2).await.unwrap(), ["a/1", "a/2"]);
        assert!(kv.delete("a/1").await.unwrap());
        assert!(!kv.delete("a/1").await.unwrap());
        assert_eq!(kv.list_keys("a/", 10).await.unwrap(), ["a/2"]);
    }

    #[tokio::test]
    async fn the_read_cache_answers_what_the_database_holds_past_its_bound() {
        let storage = Storage::open("mem://").await.unwrap();
        let kv = KvTable::open(&storage, "alpha", budget("alpha")).await.unwrap();
        assert!(kv.cache.is_some(), "an embedded store caches reads");
        let megabyte = vec![7u8; 1 << 20];
        for n in 0..20 {
            kv.set(&format!("big/{n}"), megabyte.clone()).await.unwrap();
        }
        assert!(kv.cache.as_ref().unwrap().bytes() <= super::super::cache::CACHE_MAX_BYTES);
        for n in 0..20 {
            assert_eq!(kv.get(&format!("big/{n}")).await.unwrap().as_deref(), Some(&megabyte[..]));
        }
        kv.set("big/0", b"small".to_vec()).await.unwrap();
        assert_eq!(kv.get("big/0").await.unwrap(), Some(b"small".to_vec()));
        assert!(kv.delete("big/0").await.unwrap());
        assert_eq!(kv.get("big/0").await.unwrap(), None);
    }

    #[tokio::test]
    async fn plugins_have_separate_key_spaces() {
        let storage = Storage::open("mem://").await.unwrap();
        let alpha = KvTable::open(&storage, "alpha", budget("alpha")).await.unwrap();
        let beta = KvTable::open(&storage, "beta", budget("beta")).await.unwrap();
        alpha.set("secret", b"alpha's".to_vec()).await.unwrap();
        assert_eq!(beta.get("secret").await.unwrap(), None);
        assert!(beta.list_keys("", 100).await.unwrap().is_empty());
        assert!(!beta.delete("secret").await.unwrap());
        assert_eq!(alpha.get("secret").await.unwrap(), Some(b"alpha's".to_vec()));
    }

    #[tokio::test]
    async fn keys_are_data_not_query_text() {
        let storage = Storage::open("mem://").await.unwrap();
        let kv = KvTable::open(&storage, "alpha", budget("alpha")).await.unwrap();
        let nasty = "x'); DELETE kv; --";
        kv.set("keep", b"1".to_vec()).await.unwrap();
        kv.set(nasty, b"2".to_vec()).await.unwrap();
        assert_eq!(kv.get(nasty).await.unwrap(), Some(b"2".to_vec()));
        assert_eq!(kv.get("keep").await.unwrap(), Some(b"1".to_vec()));
    }
}
