//! SurrealDB: embedded by default (`surrealkv://` file or `mem://`). Each plugin gets its own
//! database in the `plugins` namespace, reached through its own session, so no plugin can
//! name another's data. Scripting and every network target are disabled.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use surrealdb::Surreal;
use surrealdb::engine::any::{self, Any};
use surrealdb::opt::Config;
use surrealdb::opt::capabilities::Capabilities;
use surrealdb::types::{Bytes, RecordId, Value};

use crate::clock::Clock;
use crate::plugin::PluginName;

pub mod documents;
pub mod names;

pub use documents::{LiveIndexes, PluginDocuments};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot open storage at {url}: {source}")]
    Open { url: String, source: surrealdb::Error },
    #[error(
        "the database at {url} is in use by another process (is another dcmaid running with \
         the same data_dir?): {source}"
    )]
    Locked { url: String, source: surrealdb::Error },
    #[error("storage query failed: {0}")]
    Query(#[from] surrealdb::Error),
    #[error("stored data does not read: {0}")]
    Decode(String),
}

/// How long `open` waits for a datastore that is still closing.
const LOCK_WAIT: Duration = Duration::from_secs(5);

fn is_locked(error: &surrealdb::Error) -> bool {
    error.to_string().contains("already locked")
}

/// The database behind every plugin's data.
#[derive(Clone)]
pub struct Storage {
    root: Surreal<Any>,
    /// In this process (`mem://`, `surrealkv://`): the process holds the datastore's lock, so
    /// nothing else writes it and reads may be cached.
    embedded: bool,
    /// Each plugin's in-memory document indexes (embedded stores only), kept across the
    /// plugin's reloads.
    indexes: Arc<Mutex<HashMap<PluginName, Arc<LiveIndexes>>>>,
}

impl Storage {
    pub async fn open(url: &str) -> Result<Storage, StorageError> {
        let open_error = |source| StorageError::Open { url: url.to_owned(), source };
        // No scripting, no network: plugin-supplied queries must not reach the outside.
        let capabilities = Capabilities::new()
            .with_scripting(false)
            .with_no_net_targets_allowed()
            .with_all_net_targets_denied();
        let config = Config::new().capabilities(capabilities);
        // A datastore closes in the background after its last handle is dropped, so a restart
        // (in this process, or a new process right after the old one) may briefly find the
        // file still locked: wait a little before calling it taken.
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match any::connect((url, config.clone())).await {
                Ok(root) => {
                    let embedded = url.starts_with("mem://") || url.starts_with("surrealkv://");
                    return Ok(Storage { root, embedded, indexes: Arc::default() });
                }
                Err(error) if is_locked(&error) && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(error) if is_locked(&error) => {
                    return Err(StorageError::Locked { url: url.to_owned(), source: error });
                }
                Err(error) => return Err(open_error(error)),
            }
        }
    }

    /// The root session, for the host's own maintenance (backups); never handed to plugins.
    pub(crate) fn root(&self) -> &Surreal<Any> {
        &self.root
    }

    /// A session on `plugin`'s own database; the session cannot be pointed elsewhere by the
    /// plugin, which only ever reaches it through the host's capabilities.
    async fn plugin_session(&self, plugin: &PluginName) -> Result<Surreal<Any>, StorageError> {
        let session = self.root.clone();
        session.use_ns("plugins").use_db(plugin.as_str()).await?;
        Ok(session)
    }

    pub async fn plugin_kv(&self, plugin: &PluginName) -> Result<PluginKv, StorageError> {
        let db = self.plugin_session(plugin).await?;
        db.query(
            "DEFINE TABLE IF NOT EXISTS kv SCHEMAFULL; \
                  DEFINE FIELD IF NOT EXISTS data ON kv TYPE bytes;",
        )
        .await?
        .check()?;
        let cache = self.embedded.then(ReadCache::default);
        Ok(PluginKv { db, cache })
    }

    /// `plugin`'s document collections (the `store` capability), stamped with `clock`'s time.
    pub async fn plugin_documents(
        &self,
        plugin: &PluginName,
        clock: Clock,
    ) -> Result<PluginDocuments, StorageError> {
        let live = self.embedded.then(|| {
            let mut indexes = self.indexes.lock().unwrap_or_else(PoisonError::into_inner);
            indexes.entry(plugin.clone()).or_default().clone()
        });
        PluginDocuments::open(self.plugin_session(plugin).await?, clock, live).await
    }

    /// `plugin`'s collections without the in-memory indexes: every query goes to SurrealDB.
    /// For measuring what the indexes save.
    pub async fn plugin_documents_unindexed(
        &self,
        plugin: &PluginName,
        clock: Clock,
    ) -> Result<PluginDocuments, StorageError> {
        PluginDocuments::open(self.plugin_session(plugin).await?, clock, None).await
    }
}

/// The record of `key` in table `kv`. Bound as a parameter, the key is data, never query text.
fn record(key: &str) -> RecordId {
    RecordId::new("kv", key.to_owned())
}

/// A plugin's key-value table, `kv`, with the key as the record id. On an embedded store,
/// reads are served from a write-through cache of what this process read and wrote.
pub struct PluginKv {
    db: Surreal<Any>,
    cache: Option<ReadCache>,
}

impl PluginKv {
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

/// What one plugin's kv holds, as far as this process has read or written it (absent keys
/// included). Bounded: past [`CACHE_MAX_BYTES`] it starts over empty.
#[derive(Default)]
struct ReadCache {
    entries: std::sync::Mutex<CacheEntries>,
    writes: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct CacheEntries {
    values: std::collections::HashMap<String, Option<Vec<u8>>>,
    bytes: usize,
}

/// Keys and values one plugin's cache holds at most.
const CACHE_MAX_BYTES: usize = 16 << 20;

impl ReadCache {
    fn entries(&self) -> std::sync::MutexGuard<'_, CacheEntries> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `Some(value)` when the cache knows the key (`Some(None)`: it does not exist).
    fn get(&self, key: &str) -> Option<Option<Vec<u8>>> {
        self.entries().values.get(key).cloned()
    }

    fn fill(&self, key: &str, value: &Option<Vec<u8>>) {
        let size = key.len() + value.as_ref().map_or(0, Vec::len);
        let mut entries = self.entries();
        if entries.bytes + size > CACHE_MAX_BYTES {
            entries.values.clear();
            entries.bytes = 0;
        }
        if let Some(old) = entries.values.insert(key.to_owned(), value.clone()) {
            entries.bytes -= key.len() + old.map_or(0, |old| old.len());
        }
        entries.bytes += size;
    }

    fn forget(&self, key: &str) {
        let mut entries = self.entries();
        if let Some(old) = entries.values.remove(key) {
            entries.bytes -= key.len() + old.map_or(0, |old| old.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(name: &str) -> PluginName {
        PluginName::new(name).unwrap()
    }

    #[tokio::test]
    async fn kv_round_trips_lists_and_deletes() {
        let storage = Storage::open("mem://").await.unwrap();
        let kv = storage.plugin_kv(&name("alpha")).await.unwrap();
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
        let kv = storage.plugin_kv(&name("alpha")).await.unwrap();
        assert!(kv.cache.is_some(), "an embedded store caches reads");
        let megabyte = vec![7u8; 1 << 20];
        for n in 0..20 {
            kv.set(&format!("big/{n}"), megabyte.clone()).await.unwrap();
        }
        assert!(kv.cache.as_ref().unwrap().entries().bytes <= CACHE_MAX_BYTES);
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
        let alpha = storage.plugin_kv(&name("alpha")).await.unwrap();
        let beta = storage.plugin_kv(&name("beta")).await.unwrap();
        alpha.set("secret", b"alpha's".to_vec()).await.unwrap();
        assert_eq!(beta.get("secret").await.unwrap(), None);
        assert!(beta.list_keys("", 100).await.unwrap().is_empty());
        assert!(!beta.delete("secret").await.unwrap());
        assert_eq!(alpha.get("secret").await.unwrap(), Some(b"alpha's".to_vec()));
    }

    #[tokio::test]
    async fn keys_are_data_not_query_text() {
        let storage = Storage::open("mem://").await.unwrap();
        let kv = storage.plugin_kv(&name("alpha")).await.unwrap();
        let nasty = "x'); DELETE kv; --";
        kv.set("keep", b"1".to_vec()).await.unwrap();
        kv.set(nasty, b"2".to_vec()).await.unwrap();
        assert_eq!(kv.get(nasty).await.unwrap(), Some(b"2".to_vec()));
        assert_eq!(kv.get("keep").await.unwrap(), Some(b"1".to_vec()));
    }
}
