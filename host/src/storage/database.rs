//! The connection to SurrealDB, embedded or a server, and the sessions the host opens on
//! it: each plugin database's, and the host's own.

use std::time::{Duration, Instant};

use surrealdb::Surreal;
use surrealdb::engine::any::{self, Any};
use surrealdb::opt::Config;
use surrealdb::opt::auth::{Namespace, Root};
use surrealdb::opt::capabilities::Capabilities;

use super::layout::Layout;
use super::settings::{Credentials, StorageConfig};

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
    #[error("cannot sign in to storage at {url} as `{user}`: {source}")]
    SignIn { url: String, user: String, source: surrealdb::Error },
    #[error("the database did not answer within {} s", .0.as_secs())]
    Unanswered(Duration),
}

/// How long one operation on a server may take before the capability that asked says it is
/// unavailable: the client waits for a server that went away until it is back, and a plugin
/// (and its user) should hear why sooner than its call's deadline.
pub const SERVER_DEADLINE: Duration = Duration::from_secs(3);

/// `work` on the database, within `deadline` if there is one.
pub async fn within<T>(
    deadline: Option<Duration>,
    work: impl Future<Output = T>,
) -> Result<T, StorageError> {
    match deadline {
        None => Ok(work.await),
        Some(deadline) => tokio::time::timeout(deadline, work)
            .await
            .map_err(|_| StorageError::Unanswered(deadline)),
    }
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
    layout: Layout,
}

/// How long a health probe waits for the database.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

impl Storage {
    /// The database at `url`, laid out by default (tests, tools).
    pub async fn open(url: &str) -> Result<Storage, StorageError> {
        Storage::connect(url, &StorageConfig::default()).await
    }

    /// The database at `url`, signed in and laid out as `config` says.
    pub async fn connect(url: &str, config: &StorageConfig) -> Result<Storage, StorageError> {
        let open_error = |source| StorageError::Open { url: url.to_owned(), source };
        // No scripting, no network: plugin-supplied queries must not reach the outside.
        let capabilities = Capabilities::new()
            .with_scripting(false)
            .with_no_net_targets_allowed()
            .with_all_net_targets_denied();
        let options = Config::new().capabilities(capabilities);
        let embedded = url.starts_with("mem://") || url.starts_with("surrealkv://");
        // A datastore closes in the background after its last handle is dropped, so a restart
        // (in this process, or a new process right after the old one) may briefly find the
        // file still locked: wait a little before calling it taken.
        let deadline = Instant::now() + LOCK_WAIT;
        let root = loop {
            match any::connect((url, options.clone())).await {
                Ok(root) => break root,
                Err(error) if is_locked(&error) && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(error) if is_locked(&error) => {
                    return Err(StorageError::Locked { url: url.to_owned(), source: error });
                }
                Err(error) => return Err(open_error(error)),
            }
        };
        if let Some(Credentials { user, password }) = config.credentials().filter(|_| !embedded) {
            let signed_in = match &config.namespace {
                Some(namespace) => {
                    let namespace = namespace.clone();
                    let username = user.clone();
                    root.signin(Namespace { namespace, username, password }).await
                }
                None => root.signin(Root { username: user.clone(), password }).await,
            };
            signed_in.map_err(|source| StorageError::SignIn {
                url: url.to_owned(),
                user,
                source,
            })?;
        }
        Ok(Storage { root, embedded, layout: Layout::of(config) })
    }

    /// The root session, for the host's own maintenance (backups); never handed to plugins.
    pub(crate) fn root(&self) -> &Surreal<Any> {
        &self.root
    }

    /// A session on a plugin's own `database` (see [`Storage::database_of`]); the session
    /// cannot be pointed elsewhere by the plugin, which only ever reaches it through the
    /// host's capabilities.
    pub(crate) async fn plugin_session(
        &self,
        database: &str,
    ) -> Result<Surreal<Any>, StorageError> {
        let (namespace, database) = self.layout.plugin(database);
        self.session(&namespace, &database).await
    }

    /// A session on the host's own database `name` (`cron`, `host`).
    pub(crate) async fn host_session(&self, name: &str) -> Result<Surreal<Any>, StorageError> {
        let (namespace, database) = self.layout.host(name);
        self.session(&namespace, &database).await
    }

    /// Where each database lives.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Whether the database answers now, within a couple of seconds.
    pub async fn answers(&self) -> bool {
        let probe = self.root.query("RETURN 1");
        matches!(tokio::time::timeout(PROBE_TIMEOUT, probe).await, Ok(Ok(_)))
    }

    pub(super) async fn session(
        &self,
        namespace: &str,
        database: &str,
    ) -> Result<Surreal<Any>, StorageError> {
        let session = self.root.clone();
        session.use_ns(namespace).use_db(database).await?;
        Ok(session)
    }

    /// How long one operation may take: none on an embedded store, which answers or fails
    /// by itself; [`SERVER_DEADLINE`] on a server.
    pub fn deadline(&self) -> Option<Duration> {
        (!self.embedded).then_some(SERVER_DEADLINE)
    }

    /// Whether the database is embedded in this process, which then is its only writer, so
    /// that reads may be cached.
    pub fn is_embedded(&self) -> bool {
        self.embedded
    }
}
