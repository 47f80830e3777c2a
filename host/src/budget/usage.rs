//! What a plugin keeps in one kind of storage (its kv table, its documents): how many items
//! and how many bytes, against its quota. The usage is measured from the database the first
//! time it is needed and kept up to date by every write after; a write reserves what it adds
//! before it is made, so concurrent writes cannot pass the quota together.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use super::limit::{LimitName, Refusal};

/// One kind of storage's usage and quota.
pub struct Usage {
    items: AtomicU64,
    bytes: AtomicU64,
    measured: OnceCell<()>,
    quota: Quota,
}

/// A quota: items and bytes, and the names of the two limits.
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    pub max_items: u64,
    pub max_bytes: u64,
    pub items_limit: LimitName,
    pub bytes_limit: LimitName,
    /// What an item is, for messages: "keys", "documents".
    pub items_are: &'static str,
}

/// Usage beside its quota, for the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Object)]
pub struct UsageView {
    pub items: u64,
    pub max_items: u64,
    pub bytes: u64,
    pub max_bytes: u64,
}

/// A change to the usage, applied as soon as it is allowed; dropped without
/// [`Change::keep`] (the write failed), it is undone.
#[must_use]
pub struct Change<'a> {
    usage: &'a Usage,
    items: i64,
    bytes: i64,
    kept: bool,
}

impl Usage {
    pub fn new(quota: Quota) -> Usage {
        Usage {
            items: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            measured: OnceCell::new(),
            quota,
        }
    }

    /// Make sure the usage has been measured, with `measure` (items, bytes) the first time.
    pub async fn measure_once<E>(
        &self,
        measure: impl AsyncFnOnce() -> Result<(u64, u64), E>,
    ) -> Result<(), E> {
        self.measured
            .get_or_try_init(async || {
                let (items, bytes) = measure().await?;
                self.items.fetch_add(items, Ordering::SeqCst);
                self.bytes.fetch_add(bytes, Ordering::SeqCst);
                Ok(())
            })
            .await
            .map(|_| ())
    }

    /// Whether the usage has been measured yet.
    pub fn is_measured(&self) -> bool {
        self.measured.initialized()
    }

    /// Add `items` and `bytes` (either may be negative). What grows is checked against the
    /// quota first: past it, nothing changes and the refusal says which limit.
    pub fn change(&self, items: i64, bytes: i64) -> Result<Change<'_>, Refusal> {
        let quota = &self.quota;
        if let Err(now) = grow(&self.items, items, quota.max_items) {
            let what = format!("{now} {} stored, {} more refused", quota.items_are, items);
            return Err(Refusal::quota(quota.items_limit, quota.max_items, &what));
        }
        if let Err(now) = grow(&self.bytes, bytes, quota.max_bytes) {
            shrink(&self.items, items);
            let what = format!("{now} bytes stored, {bytes} more refused");
            return Err(Refusal::quota(quota.bytes_limit, quota.max_bytes, &what));
        }
        Ok(Change { usage: self, items, bytes, kept: false })
    }

    pub fn view(&self) -> UsageView {
        UsageView {
            items: self.items.load(Ordering::SeqCst),
            max_items: self.quota.max_items,
            bytes: self.bytes.load(Ordering::SeqCst),
            max_bytes: self.quota.max_bytes,
        }
    }
}

impl Change<'_> {
    /// The write was made: keep the change.
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Change<'_> {
    fn drop(&mut self) {
        if !self.kept {
            shrink(&self.usage.items, self.items);
            shrink(&self.usage.bytes, self.bytes);
        }
    }
}

/// Add `delta` to `value` unless a positive one takes it past `max`; `Err` with the value.
fn grow(value: &AtomicU64, delta: i64, max: u64) -> Result<(), u64> {
    if delta <= 0 {
        let by = delta.unsigned_abs();
        let _ =
            value.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| Some(v.saturating_sub(by)));
        return Ok(());
    }
    let by = delta as u64;
    value
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| {
            v.checked_add(by).filter(|sum| *sum <= max)
        })
        .map(|_| ())
}

/// Undo `grow(value, delta)`.
fn shrink(value: &AtomicU64, delta: i64) {
    let _ = value.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| {
        Some(if delta >= 0 {
            v.saturating_sub(delta as u64)
        } else {
            v.saturating_add(delta.unsigned_abs())
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage() -> Usage {
        Usage::new(Quota {
            max_items: 2,
            max_bytes: 100,
            items_limit: LimitName::KvMaxKeys,
            bytes_limit: LimitName::KvMaxBytes,
            items_are: "keys",
        })
    }

    #[test]
    fn a_change_past_the_quota_is_refused_and_changes_nothing() {
        let usage = usage();
        usage.change(1, 60).unwrap().keep();
        let refused = usage.change(1, 50).err().unwrap();
        assert_eq!(refused.limit, LimitName::KvMaxBytes);
        assert_eq!(refused.allowed, 100);
        assert_eq!(usage.view().items, 1, "the item reserved with the refused bytes is undone");
        usage.change(1, 40).unwrap().keep();
        let refused = usage.change(1, 0).err().unwrap();
        assert_eq!(refused.limit, LimitName::KvMaxKeys);
        usage.change(-1, -60).unwrap().keep();
        assert_eq!((usage.view().items, usage.view().bytes), (1, 40));
    }

    #[test]
    fn a_change_dropped_unkept_is_undone() {
        let usage = usage();
        drop(usage.change(1, 30).unwrap());
        assert_eq!((usage.view().items, usage.view().bytes), (0, 0));
    }
}
