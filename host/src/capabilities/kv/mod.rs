//! `dcmaid:bot/kv`: a key-value store private to the calling plugin, kept in the plugin's own
//! database ([`table`]).

mod cache;
mod table;

pub use table::{KvTable, WriteError};

use super::access::{Access, NotGranted};
use super::provider::{PluginInfo, PrepareError, Prepared, Provider, linked};
use crate::core::Capability;
use crate::storage::{Storage, within};
use crate::wit::latest::dcmaid::bot::kv::{self as wit, KvError};

pub const KV_MAX_KEY_BYTES: usize = 512;
pub const KV_MAX_VALUE_BYTES: usize = 1 << 20;
/// The most keys one `list-keys` returns, whatever the plugin asks for.
const KV_MAX_LIST: u32 = 1000;

/// The `kv` capability.
pub struct Kv;

impl Provider for Kv {
    const GRANT: Option<Capability> = Some(Capability::Kv);
    type Shared = Storage;
    type Plugin = KvTable;

    async fn prepare(storage: &Storage, info: &PluginInfo<'_>) -> Prepared<KvTable> {
        let opened = KvTable::open(storage, info.database, info.budget.clone()).await;
        opened.map_err(|e| PrepareError(format!("cannot open its storage: {e}")))
    }

    linked!(wit);
}

impl From<NotGranted> for KvError {
    fn from(_: NotGranted) -> Self {
        KvError::NotGranted
    }
}

fn check_key(key: &str) -> Result<(), KvError> {
    if key.is_empty() || key.len() > KV_MAX_KEY_BYTES {
        return Err(KvError::InvalidKey(format!(
            "keys are 1 to {KV_MAX_KEY_BYTES} bytes; this one is {}",
            key.len()
        )));
    }
    if key.chars().any(char::is_control) {
        return Err(KvError::InvalidKey("keys cannot contain control characters".into()));
    }
    Ok(())
}

fn unavailable(error: impl std::fmt::Display) -> KvError {
    KvError::Unavailable(error.to_string())
}

impl From<WriteError> for KvError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::Limited(refusal) => KvError::Limited(refusal.into()),
            WriteError::Storage(error) => unavailable(error),
        }
    }
}

impl wit::Host for Access<KvTable> {
    async fn get(&mut self, key: String) -> Result<Option<Vec<u8>>, KvError> {
        check_key(&key)?;
        let table = self.granted()?;
        within(table.deadline(), table.get(&key)).await.map_err(unavailable)?.map_err(unavailable)
    }

    async fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), KvError> {
        check_key(&key)?;
        if value.len() > KV_MAX_VALUE_BYTES {
            return Err(KvError::TooLarge(KV_MAX_VALUE_BYTES as u64));
        }
        let table = self.granted()?;
        Ok(within(table.deadline(), table.set(&key, value)).await.map_err(unavailable)??)
    }

    async fn delete(&mut self, key: String) -> Result<bool, KvError> {
        check_key(&key)?;
        let table = self.granted()?;
        Ok(within(table.deadline(), table.delete(&key)).await.map_err(unavailable)??)
    }

    async fn list_keys(&mut self, prefix: String, limit: u32) -> Result<Vec<String>, KvError> {
        let table = self.granted()?;
        let listed = table.list_keys(&prefix, limit.min(KV_MAX_LIST));
        within(table.deadline(), listed).await.map_err(unavailable)?.map_err(unavailable)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::budget::{Budgets, KvBudget, PluginBudget};
    use crate::core::{PluginName, Role};

    /// The capability alone, without a component: prepared for a plugin as the loader does,
    /// and called through its WIT `Host` trait.
    #[tokio::test]
    async fn the_capability_serves_a_granted_plugin_and_names_a_missing_grant() {
        let storage = Storage::open("mem://").await.unwrap();
        let name = PluginName::new("alpha").unwrap();
        let mut kv = prepared(&storage, &name, Budgets::default()).await;
        wit::Host::set(&mut kv, "a".into(), b"1".to_vec()).await.unwrap();
        assert_eq!(wit::Host::get(&mut kv, "a".into()).await.unwrap(), Some(b"1".to_vec()));
        let bad = wit::Host::set(&mut kv, "".into(), Vec::new()).await;
        assert!(matches!(bad, Err(KvError::InvalidKey(_))), "{bad:?}");
        let big = wit::Host::set(&mut kv, "b".into(), vec![0; KV_MAX_VALUE_BYTES + 1]).await;
        assert!(matches!(big, Err(KvError::TooLarge(_))), "{big:?}");

        let mut refused: Access<KvTable> = Access::refused_to(name, Capability::Kv);
        let refusal = wit::Host::get(&mut refused, "a".into()).await;
        assert!(matches!(refusal, Err(KvError::NotGranted)), "{refusal:?}");
    }

    async fn prepared(storage: &Storage, name: &PluginName, budgets: Budgets) -> Access<KvTable> {
        let granted = BTreeSet::from([Capability::Kv]);
        let empty = toml::Table::new();
        let budget = PluginBudget::standalone(name.clone(), budgets);
        let info = PluginInfo {
            name,
            database: name.as_str(),
            role: Role::Tool,
            granted: &granted,
            defaults: &empty,
            overrides: &empty,
            http_hosts: Vec::new(),
            http_grants: &Default::default(),
            fires: false,
            budget: &budget,
        };
        Access::granted_to(name.clone(), Kv::prepare(storage, &info).await.unwrap())
    }

    fn limit_of(result: Result<(), KvError>) -> String {
        match result {
            Err(KvError::Limited(limit)) => limit.name,
            other => panic!("expected a limit, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn writes_keep_to_the_quota_and_what_is_stored_stays_readable() {
        let storage = Storage::open("mem://").await.unwrap();
        let name = PluginName::new("alpha").unwrap();
        let quota = Budgets { kv: KvBudget { max_keys: 2, max_bytes: 100 }, ..Budgets::default() };
        let mut kv = prepared(&storage, &name, quota.clone()).await;
        wit::Host::set(&mut kv, "a".into(), vec![1; 40]).await.unwrap();
        wit::Host::set(&mut kv, "b".into(), vec![2; 40]).await.unwrap();
        assert_eq!(limit_of(wit::Host::set(&mut kv, "c".into(), vec![3]).await), "kv.max_keys");
        assert_eq!(
            limit_of(wit::Host::set(&mut kv, "a".into(), vec![1; 70]).await),
            "kv.max_bytes"
        );
        wit::Host::set(&mut kv, "a".into(), vec![1; 50]).await.unwrap();
        assert_eq!(wit::Host::get(&mut kv, "b".into()).await.unwrap(), Some(vec![2; 40]));
        assert!(wit::Host::delete(&mut kv, "b".into()).await.unwrap());
        wit::Host::set(&mut kv, "c".into(), vec![3; 10]).await.unwrap();

        // A budget that starts afresh (the bot restarted) measures what is stored.
        let mut again = prepared(&storage, &name, quota).await;
        assert_eq!(limit_of(wit::Host::set(&mut again, "d".into(), vec![4]).await), "kv.max_keys");
        assert_eq!(wit::Host::get(&mut again, "a".into()).await.unwrap(), Some(vec![1; 50]));
    }
}
