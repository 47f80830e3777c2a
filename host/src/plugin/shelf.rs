//! The plugins replicas share. A replica on a shared database (a SurrealDB server) puts each
//! plugin it installs or swaps on the shelf, the database's `package` table
//! (`crate::storage::StoredPackage`): its files, and how the operator vouched for it. The
//! others take it from there when they hear of the swap, and take everything on the shelf
//! when they start, so that every replica serves the same plugins, however it was added.
//! A replica still loads what it takes under its own trust policy: a package signed by a key
//! it does not trust is refused there as here.

use std::path::Path;

use crate::core::PluginName;
use crate::manifest::Manifest;
use crate::storage::{Storage, StorageError, StoredPackage};
use crate::trust::{self, Vouch};

#[derive(Debug, thiserror::Error)]
pub enum ShelfError {
    /// Boxed: the database's errors are large.
    #[error(transparent)]
    Storage(Box<StorageError>),
    #[error("plugin folder {folder}: {source}")]
    Files { folder: String, source: std::io::Error },
    #[error("the shelf's package `{name}` is not what it says: {reason}")]
    Damaged { name: String, reason: String },
}

impl From<StorageError> for ShelfError {
    fn from(error: StorageError) -> Self {
        ShelfError::Storage(Box::new(error))
    }
}

/// Put the plugin in `folder` on the shelf, for the other replicas.
pub async fn publish(storage: &Storage, folder: &Path) -> Result<(), ShelfError> {
    let package = pack(folder)
        .map_err(|source| ShelfError::Files { folder: folder.display().to_string(), source })?;
    Ok(storage.put_package(&package).await?)
}

/// Take plugin `name` from the shelf into `plugins`, if the shelf has a version of it this
/// replica does not; whether it took one.
pub async fn take(
    storage: &Storage,
    plugins: &Path,
    name: &PluginName,
) -> Result<bool, ShelfError> {
    match storage.package(name.as_str()).await? {
        Some(package) => unpack(plugins, &package),
        None => Ok(false),
    }
}

/// Take every plugin on the shelf this replica does not have as it is there; how many.
pub async fn take_all(storage: &Storage, plugins: &Path) -> Result<usize, ShelfError> {
    let mut taken = 0;
    for package in storage.packages().await? {
        taken += usize::from(unpack(plugins, &package)?);
    }
    Ok(taken)
}

/// The plugin in `folder` as the shelf keeps it.
fn pack(folder: &Path) -> std::io::Result<StoredPackage> {
    let manifest_text = std::fs::read_to_string(folder.join("plugin.toml"))?;
    let manifest = Manifest::parse(&manifest_text).map_err(std::io::Error::other)?;
    let component_file = manifest.component.display().to_string();
    let signature = std::fs::read_to_string(folder.join("plugin.sig")).ok();
    let vouch = trust::vouched(folder, &manifest).map(|vouch| match vouch {
        Vouch::LocalBuild => "local".to_owned(),
        Vouch::Unsigned => "unsigned".to_owned(),
    });
    Ok(StoredPackage {
        name: manifest.name.to_string(),
        digest: trust::content_digest(folder, &manifest)?,
        manifest: manifest_text,
        component: std::fs::read(folder.join(&component_file))?,
        component_file,
        signature,
        vouch,
    })
}

/// Put `package` into `plugins` as its folder, unless the folder already holds it: the
/// folder it replaces is kept as `<name>.previous`, the operator's vouch recorded. Whether
/// anything changed.
fn unpack(plugins: &Path, package: &StoredPackage) -> Result<bool, ShelfError> {
    let damaged = |reason: String| ShelfError::Damaged { name: package.name.clone(), reason };
    let name = PluginName::new(&package.name).map_err(damaged)?;
    let plain = Path::new(&package.component_file).file_name().and_then(|f| f.to_str());
    if plain != Some(package.component_file.as_str()) || package.component_file.starts_with('.') {
        return Err(damaged(format!("`{}` is not a file name", package.component_file)));
    }
    let folder = plugins.join(name.as_str());
    let held = Manifest::load(&folder.join("plugin.toml"))
        .ok()
        .and_then(|manifest| trust::content_digest(&folder, &manifest).ok());
    if held.as_deref() == Some(package.digest.as_str()) {
        return Ok(false);
    }
    let files = |source| ShelfError::Files { folder: folder.display().to_string(), source };
    let staging = plugins.join(format!(".shelf-{name}"));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(files)?;
    std::fs::write(staging.join("plugin.toml"), &package.manifest).map_err(files)?;
    std::fs::write(staging.join(&package.component_file), &package.component).map_err(files)?;
    if let Some(signature) = &package.signature {
        std::fs::write(staging.join(trust::SIGNATURE_FILE), signature).map_err(files)?;
    }
    let manifest = Manifest::load(&staging.join("plugin.toml")).map_err(|e| damaged(e.to_string()));
    let digest = manifest.and_then(|m| {
        let named = m.name == name && m.component.as_os_str() == package.component_file.as_str();
        if !named {
            return Err(damaged("its manifest names another plugin or component".to_owned()));
        }
        trust::content_digest(&staging, &m).map_err(|e| damaged(e.to_string()))
    });
    match digest {
        Ok(digest) if digest == package.digest => {}
        Ok(digest) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(damaged(format!("its files' digest is {digest}, not {}", package.digest)));
        }
        Err(error) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(error);
        }
    }
    let vouch = match package.vouch.as_deref() {
        Some("local") => Some(Vouch::LocalBuild),
        Some("unsigned") => Some(Vouch::Unsigned),
        _ => None,
    };
    if let Some(vouch) = vouch {
        trust::record(plugins, name.as_str(), &package.digest, vouch).map_err(files)?;
    }
    let previous = plugins.join(format!("{name}.previous"));
    if folder.exists() {
        let _ = std::fs::remove_dir_all(&previous);
        std::fs::rename(&folder, &previous).map_err(files)?;
    }
    std::fs::rename(&staging, &folder).map_err(files)?;
    tracing::info!(plugin = %name, digest = %package.digest, "took a plugin another replica installed");
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPONENT: &[u8] = include_bytes!("../../../tests/fixtures/wit-0.1.0.wasm");

    #[tokio::test]
    async fn a_replica_takes_what_another_put_on_the_shelf_checked_and_vouched_as_there() {
        let storage = Storage::open("mem://").await.unwrap();
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let folder = a.path().join("hello");
        std::fs::create_dir_all(&folder).unwrap();
        let manifest = "name = \"hello\"\nversion = \"0.1.0\"\nrole = \"persona\"\ncomponent = \"hello.wasm\"\n";
        std::fs::write(folder.join("plugin.toml"), manifest).unwrap();
        std::fs::write(folder.join("hello.wasm"), COMPONENT).unwrap();
        let parsed = Manifest::parse(manifest).unwrap();
        let digest = trust::content_digest(&folder, &parsed).unwrap();
        trust::record(a.path(), "hello", &digest, Vouch::Unsigned).unwrap();

        publish(&storage, &folder).await.unwrap();
        let hello = PluginName::new("hello").unwrap();
        assert!(take(&storage, b.path(), &hello).await.unwrap());
        let taken = b.path().join("hello");
        assert_eq!(std::fs::read(taken.join("hello.wasm")).unwrap(), COMPONENT);
        assert_eq!(trust::vouched(&taken, &parsed), Some(Vouch::Unsigned), "vouched as there");
        assert!(!take(&storage, b.path(), &hello).await.unwrap(), "nothing new the second time");
        assert_eq!(take_all(&storage, b.path()).await.unwrap(), 0);

        // A row whose files are not what its digest says is refused, and nothing changes.
        let mut damaged = storage.package("hello").await.unwrap().unwrap();
        damaged.component.push(0);
        damaged.digest = "sha256:0000".into();
        storage.put_package(&damaged).await.unwrap();
        let error = take(&storage, b.path(), &hello).await.unwrap_err();
        assert!(matches!(error, ShelfError::Damaged { .. }), "{error}");
        assert_eq!(std::fs::read(taken.join("hello.wasm")).unwrap(), COMPONENT);
        // One naming a folder outside the plugins directory, too.
        damaged.component_file = "../escape.wasm".into();
        storage.put_package(&damaged).await.unwrap();
        assert!(take(&storage, b.path(), &hello).await.is_err());
        assert!(!b.path().join("escape.wasm").exists());
    }
}
