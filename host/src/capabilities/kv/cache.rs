//! What a plugin's kv holds, as far as this process read or wrote it: reads cost no query.
//! Only where this process is the one writer (an embedded store).

/// What one plugin's kv holds, as far as this process has read or written it (absent keys
/// included). Bounded: past [`CACHE_MAX_BYTES`] it starts over empty.
#[derive(Default)]
pub(super) struct ReadCache {
    entries: std::sync::Mutex<CacheEntries>,
}

#[derive(Default)]
struct CacheEntries {
    values: std::collections::HashMap<String, Option<Vec<u8>>>,
    bytes: usize,
}

/// Keys and values one plugin's cache holds at most.
pub(super) const CACHE_MAX_BYTES: usize = 16 << 20;

impl ReadCache {
    fn entries(&self) -> std::sync::MutexGuard<'_, CacheEntries> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `Some(value)` when the cache knows the key (`Some(None)`: it does not exist).
    pub(super) fn get(&self, key: &str) -> Option<Option<Vec<u8>>> {
        self.entries().values.get(key).cloned()
    }

    pub(super) fn fill(&self, key: &str, value: &Option<Vec<u8>>) {
        let size = key.len() + value.as_ref().map_or(0, Vec::len);
        let mut entries = self.entries();
        if entries.bytes + size > CACHE_MAX_BYTES {
            entries.values.clear();
            entries.bytes = 0;
        }
        if let Some(old) = entries.values.insert(key.to_owned(), value.clone()) {
            entries.bytes -= key.len() + old.map_or(0, |old| old.len());
        }
        entries.bytes += size;
    }

    pub(super) fn forget(&self, key: &str) {
        let mut entries = self.entries();
        if let Some(old) = entries.values.remove(key) {
            entries.bytes -= key.len() + old.map_or(0, |old| old.len());
        }
    }
}

impl ReadCache {
    /// The keys and values held, in bytes.
    #[cfg(test)]
    pub(super) fn bytes(&self) -> usize {
        self.entries().bytes
    }
}
