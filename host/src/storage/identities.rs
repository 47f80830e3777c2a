//! Which database holds each plugin identity's data. A plugin's data belongs to its identity
//! (publisher and name, see `crate::trust::Identity`), not to its name: the first identity
//! to use a name gets the database of that name (where the data of every plugin from before
//! identities lives), and any other identity with the same name a database of its own,
//! `<name>.<8 hex digits of its identity>` (a dot, which no plugin name has, so that no
//! plugin can be named like another's database). The map is kept in the database itself,
//! so that every replica on a shared store agrees on it.

use sha2::{Digest, Sha256};

use super::database::{Storage, StorageError};
use crate::core::PluginName;

const SCHEMA: &str = "\
    DEFINE TABLE IF NOT EXISTS plugin_database SCHEMAFULL; \
    DEFINE FIELD IF NOT EXISTS database ON plugin_database TYPE string; \
    DEFINE INDEX IF NOT EXISTS by_database ON plugin_database FIELDS database UNIQUE;";

impl Storage {
    /// The database of the plugin `name` whose identity's key is `identity`, claimed for it
    /// if it has none yet.
    pub async fn database_of(
        &self,
        name: &PluginName,
        identity: &str,
    ) -> Result<String, StorageError> {
        let db = self.host_session("host").await?;
        db.query(SCHEMA).await?.check()?;
        let own = format!("{name}.{}", &hex::encode(Sha256::digest(identity.as_bytes()))[..8]);
        // The name's own database if no identity has it yet, else one of its own; a claim
        // that loses a race (another replica, the same moment) reads the winner's.
        for candidate in [name.to_string(), own] {
            if let Some(database) = claimed(&db, identity).await? {
                return Ok(database);
            }
            let created = db
                .query("CREATE type::record('plugin_database', $identity) SET database = $database RETURN NONE")
                .bind(("identity", identity.to_owned()))
                .bind(("database", candidate.clone()))
                .await?
                .check();
            match created {
                Ok(_) => return Ok(candidate),
                Err(error) if is_conflict(&error) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        claimed(&db, identity).await?.ok_or_else(|| {
            StorageError::Decode(format!("no database could be claimed for {identity}"))
        })
    }
}

async fn claimed(
    db: &surrealdb::Surreal<surrealdb::engine::any::Any>,
    identity: &str,
) -> Result<Option<String>, StorageError> {
    let mut response = db
        .query("SELECT VALUE database FROM type::record('plugin_database', $identity)")
        .bind(("identity", identity.to_owned()))
        .await?;
    let found: Vec<String> = response.take(0)?;
    Ok(found.into_iter().next())
}

/// A unique index or a record id already taken.
fn is_conflict(error: &surrealdb::Error) -> bool {
    let text = error.to_string();
    text.contains("already contains") || text.contains("already exists")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_identity_keeps_the_name_and_others_get_their_own() {
        let storage = Storage::open("mem://").await.unwrap();
        let memory = PluginName::new("memory").unwrap();
        let local = storage.database_of(&memory, "local/memory").await.unwrap();
        assert_eq!(local, "memory");
        let stranger = storage.database_of(&memory, "ed25519:ab/memory").await.unwrap();
        assert!(stranger.starts_with("memory.") && stranger.len() == "memory.".len() + 8);
        // Asked again, each gets the same one.
        assert_eq!(storage.database_of(&memory, "local/memory").await.unwrap(), local);
        assert_eq!(storage.database_of(&memory, "ed25519:ab/memory").await.unwrap(), stranger);
        // And a database named with a dot is one a session can use.
        let session = storage.session("plugins", &stranger).await.unwrap();
        session.query("CREATE kv:one SET data = 1").await.unwrap().check().unwrap();
    }
}
