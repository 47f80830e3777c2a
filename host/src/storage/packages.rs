//! Installed plugins, kept in the database the replicas share, so that every replica serves
//! the same ones: the replica where a plugin was installed (or swapped) puts its files here,
//! and the others take them (`crate::plugin::shelf`). On an embedded store, where no replica
//! shares the database, nothing needs it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use surrealdb::types::RecordId;

use super::database::{Storage, StorageError};

/// A plugin's files as its folder holds them, and how the operator vouched for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPackage {
    pub name: String,
    pub manifest: String,
    /// The component's file name, as the manifest names it.
    pub component_file: String,
    pub component: Vec<u8>,
    pub signature: Option<String>,
    /// `local` or `unsigned` when the operator vouched for it by its digest.
    pub vouch: Option<String>,
    /// The folder's content digest (`crate::trust::content_digest`).
    pub digest: String,
}

/// A row as stored: the component in base64, as JSON reads it back the same whatever the
/// engine.
#[derive(serde::Deserialize)]
struct Row {
    name: String,
    manifest: String,
    component_file: String,
    component: String,
    signature: Option<String>,
    vouch: Option<String>,
    digest: String,
}

const SCHEMA: &str = "DEFINE TABLE IF NOT EXISTS package SCHEMALESS;";

fn record(name: &str) -> RecordId {
    RecordId::new("package", name.to_owned())
}

impl Storage {
    /// Keep `package` for every replica, in place of what was kept for its name.
    pub async fn put_package(&self, package: &StoredPackage) -> Result<(), StorageError> {
        let db = self.host_session("host").await?;
        db.query(SCHEMA).await?.check()?;
        db.query(
            "UPSERT $id CONTENT { name: $name, manifest: $manifest, \
             component_file: $component_file, component: $component, signature: $signature, \
             vouch: $vouch, digest: $digest } RETURN NONE",
        )
        .bind(("id", record(&package.name)))
        .bind(("name", package.name.clone()))
        .bind(("manifest", package.manifest.clone()))
        .bind(("component_file", package.component_file.clone()))
        .bind(("component", BASE64.encode(&package.component)))
        .bind(("signature", package.signature.clone()))
        .bind(("vouch", package.vouch.clone()))
        .bind(("digest", package.digest.clone()))
        .await?
        .check()?;
        Ok(())
    }

    /// Every kept package.
    pub async fn packages(&self) -> Result<Vec<StoredPackage>, StorageError> {
        let db = self.host_session("host").await?;
        db.query(SCHEMA).await?.check()?;
        let mut response = db.query("SELECT * OMIT id FROM package ORDER BY name").await?;
        let rows: Vec<serde_json::Value> = response.take(0)?;
        rows.into_iter().map(read).collect::<Result<_, _>>().map_err(StorageError::Decode)
    }

    /// The package kept for `name`, if one is.
    pub async fn package(&self, name: &str) -> Result<Option<StoredPackage>, StorageError> {
        let db = self.host_session("host").await?;
        db.query(SCHEMA).await?.check()?;
        let mut response = db.query("SELECT * OMIT id FROM $id").bind(("id", record(name))).await?;
        let rows: Vec<serde_json::Value> = response.take(0)?;
        rows.into_iter().next().map(read).transpose().map_err(StorageError::Decode)
    }
}

/// A stored row as a package, or why it does not read.
fn read(row: serde_json::Value) -> Result<StoredPackage, String> {
    let row: Row = serde_json::from_value(row).map_err(|e| format!("package: {e}"))?;
    Ok(StoredPackage {
        component: BASE64.decode(&row.component).map_err(|e| format!("package: {e}"))?,
        name: row.name,
        manifest: row.manifest,
        component_file: row.component_file,
        signature: row.signature,
        vouch: row.vouch,
        digest: row.digest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_package_reads_back_as_it_was_put_and_a_new_one_replaces_it() {
        let storage = Storage::open("mem://").await.unwrap();
        assert!(storage.packages().await.unwrap().is_empty());
        let mut package = StoredPackage {
            name: "hello".into(),
            manifest: "name = \"hello\"\n".into(),
            component_file: "hello.wasm".into(),
            component: vec![0, 97, 115, 109, 255],
            signature: None,
            vouch: Some("unsigned".into()),
            digest: "sha256:00".into(),
        };
        storage.put_package(&package).await.unwrap();
        assert_eq!(storage.package("hello").await.unwrap(), Some(package.clone()));
        package.digest = "sha256:01".into();
        package.signature = Some("signed".into());
        storage.put_package(&package).await.unwrap();
        assert_eq!(storage.packages().await.unwrap(), vec![package]);
        assert_eq!(storage.package("ghost").await.unwrap(), None);
    }
}
