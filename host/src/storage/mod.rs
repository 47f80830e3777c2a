//! SurrealDB: embedded by default (`surrealkv://` file or `mem://`), or a server
//! (`ws://`, `wss://`) that several replicas share. Each plugin identity gets its own
//! database ([`identities`]), reached through its own session, so no plugin can name
//! another's data; where each database lives is the [`Layout`]'s. Scripting and every
//! network target are disabled. A server that goes away is reconnected to by the client
//! (every second, replaying each session's sign-in and namespace); meanwhile calls fail.

mod database;
mod identities;
mod layout;
mod packages;
mod settings;
mod turns;

pub use database::{SERVER_DEADLINE, Storage, StorageError, within};
pub use layout::{Layout, PLUGINS};
pub use packages::StoredPackage;
pub use settings::{Credentials, PASS_ENV, StorageConfig, USER_ENV};
pub use turns::{CLAIM_EXPIRES_MS, QueuedTurn, TurnQueue};
