//! `[storage]` in `dcmaid.toml`: which SurrealDB, who to sign in as, and where in it this
//! bot keeps its data.

use serde::Deserialize;

/// Where the user name comes from when the file does not say it.
pub const USER_ENV: &str = "DCMAID_STORAGE_USER";
/// Where the password comes from: only the environment, never a file.
pub const PASS_ENV: &str = "DCMAID_STORAGE_PASS";

#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// A SurrealDB endpoint: `mem://`, `surrealkv://PATH` (embedded), or `ws://HOST:PORT`,
    /// `wss://HOST:PORT` (a SurrealDB server, shared by replicas). Default: a `surrealkv`
    /// file under the data dir.
    pub url: Option<String>,
    /// The user to sign in as on a server; `$DCMAID_STORAGE_USER` when unset. Its password
    /// is `$DCMAID_STORAGE_PASS`. A root user without `namespace`; a user of that namespace
    /// with it.
    pub user: Option<String>,
    /// One namespace for all of this bot's databases (a namespace user's). Unset: the
    /// namespaces `plugins` (each plugin's database) and `dcmaid` (the host's).
    pub namespace: Option<String>,
    /// Put before every database name, so that several bots can share a namespace.
    pub database_prefix: String,
    /// The password, for a program that embeds the host; a file never holds it (the
    /// operator's is `$DCMAID_STORAGE_PASS`).
    #[serde(skip)]
    pub password: Option<String>,
}

/// Credentials to sign in with.
#[derive(Clone)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

impl StorageConfig {
    /// The credentials, from the file and the environment; none when either part is unset.
    pub fn credentials(&self) -> Option<Credentials> {
        let user = self.user.clone().or_else(|| std::env::var(USER_ENV).ok())?;
        let password = self.password.clone().or_else(|| std::env::var(PASS_ENV).ok())?;
        Some(Credentials { user, password })
    }

    /// Rules serde cannot express; the message names the field.
    pub fn check(&self) -> Result<(), String> {
        let name_ok = |name: &str| {
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        };
        if let Some(namespace) = &self.namespace
            && (namespace.is_empty() || !name_ok(namespace))
        {
            return Err(format!(
                "storage.namespace: `{namespace}`: expected letters, digits, `_`, `-` and `.`"
            ));
        }
        if !name_ok(&self.database_prefix) {
            return Err(format!(
                "storage.database_prefix: `{}`: expected letters, digits, `_`, `-` and `.`",
                self.database_prefix
            ));
        }
        Ok(())
    }
}

/// Never the password, which would otherwise reach a log with the configuration.
impl std::fmt::Debug for StorageConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorageConfig")
            .field("url", &self.url)
            .field("user", &self.user)
            .field("namespace", &self.namespace)
            .field("database_prefix", &self.database_prefix)
            .field("password", &self.password.as_ref().map(|_| "<set>"))
            .finish()
    }
}
