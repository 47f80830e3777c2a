//! SurrealDB: embedded by default (`surrealkv://` file or `mem://`). Each plugin gets its own
//! database in the `plugins` namespace, reached through its own session, so no plugin can
//! name another's data. Scripting and every network target are disabled.

use std::time::{Duration, Instant};

use surrealdb::Surreal;
use surrealdb::engine::any::{self, Any};
use surrealdb::opt::Config;
use surrealdb::opt::capabilities::Capabilities;

use serde::Deserialize;

use crate::core::PluginName;

/// `[storage]` in `dcmaid.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// A SurrealDB endpoint: `mem://`, or `surrealkv://PATH`. Default: a `surrealkv` file
    /// under the data dir.
    pub url: Option<String>,
}

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
                    return Ok(Storage { root, embedded });
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
    pub(crate) async fn plugin_session(
        &self,
        plugin: &PluginName,
    ) -> Result<Surreal<Any>, StorageError> {
        let session = self.root.clone();
        session.use_ns("plugins").use_db(plugin.as_str()).await?;
        Ok(session)
    }

    /// Whether the database is embedded in this process, which then is its only writer, so
    /// that reads may be cached.
    pub fn is_embedded(&self) -> bool {
        self.embedded
    }
}
