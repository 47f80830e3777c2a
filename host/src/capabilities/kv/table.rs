//! A plugin's key-value table, `kv`, in its own database, with the key as the record id.
//! On an embedded store, reads are served from a write-through cache ([`ReadCache`]).

use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::{Bytes, RecordId, Value};

use super::cache::ReadCache;
use crate::core::PluginName;
use crate::storage::{Storage, StorageError};

/// The record of `key` in table `kv`. Bound as a parameter, the key is data, never query text.
fn record(key: &str) -> RecordId {
    RecordId::new("kv", key.to_owned())
}

/// A plugin's key-value table, `kv`, with the key as the record id. On an embedded store,
/// reads are served from a write-through cache of what this process read and wrote.
pub struct KvTable {
    db: Surreal<Any>,
    cache: Option<ReadCache>,
}

impl KvTable {
    /// The plugin's table, created if it is new.
    pub async fn open(storage: &Storage, plugin: &PluginName) -> Result<KvTable, StorageError> {
        let db = storage.plugin_session(plugin).await?;
        db.query(
            "DEFINE TABLE IF NOT EXISTS kv SCHEMAFULL; \
                  DEFINE FIELD IF NOT EXISTS data ON kv TYPE bytes;",
        )
        .await?
        .check()?;
        let cache = storage.is_embedded().then(ReadCache::default);
        Ok(KvTable { db, cache })
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

    pub async fn set(&self, key: &str, value: Vec<u8>) -> Result<(), StorageError> {
        let _write = self.write_lock().await;
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
        Ok(())
    }

    /// True when the key existed.
    pub async fn delete(&self, key: &str) -> Result<bool, StorageError> {
        let _write = self.write_lock().await;
        let deleted = self.db.query("DELETE $id RETURN BEFORE").bind(("id", record(key))).await;
        self.after_write(key, deleted.as_ref().ok().map(|_| None));
        let before: Vec<Value> = deleted?.take(0)?;
        Ok(before.iter().any(|value| !value.is_nullish()))
    }

    /// Writes of one plugin go one at a time when there is a cache, so that the cache ends
    /// up holding the value the database committed last.
    async fn write_lock(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.cache {
            Some(cache) => Some(cache.writes.lock().await),
            None => None,
        }
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

    #[tokio::test]
    async fn kv_round_trips_lists_and_deletes() {
        let storage = Storage::open("mem://").await.unwrap();
        let kv = KvTable::open(&storage, &name("alpha")).await.unwrap();
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
        let kv = KvTable::open(&storage, &name("alpha")).await.unwrap();
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
        let alpha = KvTable::open(&storage, &name("alpha")).await.unwrap();
        let beta = KvTable::open(&storage, &name("beta")).await.unwrap();
        alpha.set("secret", b"alpha's".to_vec()).await.unwrap();
        assert_eq!(beta.get("secret").await.unwrap(), None);
        assert!(beta.list_keys("", 100).await.unwrap().is_empty());
        assert!(!beta.delete("secret").await.unwrap());
        assert_eq!(alpha.get("secret").await.unwrap(), Some(b"alpha's".to_vec()));
    }

    #[tokio::test]
    async fn keys_are_data_not_query_text() {
        let storage = Storage::open("mem://").await.unwrap();
        let kv = KvTable::open(&storage, &name("alpha")).await.unwrap();
        let nasty = "x'); DELETE kv; --";
        kv.set("keep", b"1".to_vec()).await.unwrap();
        kv.set(nasty, b"2".to_vec()).await.unwrap();
        assert_eq!(kv.get(nasty).await.unwrap(), Some(b"2".to_vec()));
        assert_eq!(kv.get("keep").await.unwrap(), Some(b"1".to_vec()));
    }
}
