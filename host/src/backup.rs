//! Backups of the plugins' data: each plugin's database exported as SurrealQL into a
//! timestamped folder under `<data_dir>/backups`, the oldest folders removed past a
//! retention count, and a restore that imports a folder back (`dcmaid restore FOLDER`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::core::Progress;
use crate::storage::Storage;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("backup: cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("backup: cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("backup of `{database}` failed: {source}")]
    Export { database: String, source: Box<surrealdb::Error> },
    #[error("restore of {} failed: {source}", path.display())]
    Import { path: PathBuf, source: Box<surrealdb::Error> },
    #[error("backup: listing the databases failed: {0}")]
    List(Box<surrealdb::Error>),
}

/// Export every plugin's database into `<backups>/<timestamp>/<plugin>.surql`, then keep only
/// the newest `keep` backups. Returns the new folder.
pub async fn backup(
    storage: &Storage,
    backups: &Path,
    now: DateTime<Utc>,
    keep: usize,
) -> Result<PathBuf, BackupError> {
    let folder = backups.join(now.format("%Y%m%dT%H%M%S%.3fZ").to_string());
    std::fs::create_dir_all(&folder)
        .map_err(|source| BackupError::Write { path: folder.clone(), source })?;
    let root = storage.root().clone();
    let list = |source| BackupError::List(Box::new(source));
    let layout = storage.layout();
    root.use_ns(layout.plugins_namespace()).await.map_err(list)?;
    let databases: Option<surrealdb::types::Value> = root
        .query("INFO FOR NS")
        .await
        .and_then(|mut response| response.take((0, "databases")))
        .map_err(list)?;
    let databases: Vec<String> = match databases.map(surrealdb::types::Value::into_json_value) {
        Some(serde_json::Value::Object(databases)) => databases
            .into_iter()
            .filter_map(|(stored, _)| layout.plugin_database(&stored).map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    let mut progress = Progress::steps("backing up", databases.len() as u64);
    for database in databases {
        progress.advance(1, &database);
        let session = root.clone();
        let export =
            |source| BackupError::Export { database: database.clone(), source: Box::new(source) };
        let (namespace, stored) = layout.plugin(&database);
        session.use_ns(namespace).use_db(stored).await.map_err(export)?;
        session.export(folder.join(format!("{database}.surql"))).await.map_err(export)?;
    }
    progress.finish(&format!("into {}", folder.display()));
    prune(backups, keep)?;
    Ok(folder)
}

/// Import every `<plugin>.surql` of `folder` into that plugin's database.
pub async fn restore(storage: &Storage, folder: &Path) -> Result<usize, BackupError> {
    let read = |source| BackupError::Read { path: folder.to_owned(), source };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(read)? {
        let path = entry.map_err(read)?.path();
        if path.extension().and_then(|e| e.to_str()) == Some("surql") {
            files.push(path);
        }
    }
    let mut progress = Progress::steps("restoring", files.len() as u64);
    let mut restored = 0;
    for path in files {
        let Some(database) = path.file_stem().and_then(|s| s.to_str()) else { continue };
        progress.advance(1, database);
        let session = storage.root().clone();
        let import = |source| BackupError::Import { path: path.clone(), source: Box::new(source) };
        let (namespace, stored) = storage.layout().plugin(database);
        session.use_ns(namespace).use_db(stored).await.map_err(import)?;
        session.import(&path).await.map_err(import)?;
        restored += 1;
    }
    progress.finish(&format!("{restored} databases"));
    Ok(restored)
}

/// Remove all but the newest `keep` backup folders (their names sort by time).
fn prune(backups: &Path, keep: usize) -> Result<(), BackupError> {
    let read = |source| BackupError::Read { path: backups.to_owned(), source };
    let mut folders: Vec<PathBuf> = std::fs::read_dir(backups)
        .map_err(read)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    let excess = folders.len().saturating_sub(keep.max(1));
    for old in &folders[..excess] {
        std::fs::remove_dir_all(old)
            .map_err(|source| BackupError::Write { path: old.clone(), source })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::{Budgets, PluginBudget};
    use crate::capabilities::kv::KvTable;
    use crate::core::PluginName;

    fn alpha_name() -> PluginName {
        PluginName::new("alpha").unwrap()
    }

    fn alpha_budget() -> std::sync::Arc<PluginBudget> {
        PluginBudget::standalone(alpha_name(), Budgets::default())
    }

    #[tokio::test]
    async fn a_backup_restores_into_an_empty_store_and_old_ones_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open("mem://").await.unwrap();
        let alpha = KvTable::open(&storage, "alpha", alpha_budget()).await.unwrap();
        alpha.set("greeting", b"hello".to_vec()).await.unwrap();
        let backups = dir.path().join("backups");
        let base = Utc::now();
        let mut last = PathBuf::new();
        for n in 0..3 {
            last =
                backup(&storage, &backups, base + chrono::Duration::seconds(n), 2).await.unwrap();
        }
        assert_eq!(std::fs::read_dir(&backups).unwrap().count(), 2, "the oldest was pruned");
        assert!(last.join("alpha.surql").is_file());

        let fresh = Storage::open("mem://").await.unwrap();
        assert_eq!(restore(&fresh, &last).await.unwrap(), 1);
        let alpha = KvTable::open(&fresh, "alpha", alpha_budget()).await.unwrap();
        assert_eq!(alpha.get("greeting").await.unwrap(), Some(b"hello".to_vec()));
    }
}
