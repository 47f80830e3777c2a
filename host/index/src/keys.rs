//! Equality keys: which documents hold each (key, value), so a filter narrows the candidates
//! without looking at every document.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::postings;

/// Posting lists per key, then per value. Nested maps so a lookup by `(&str, &str)` needs no
/// allocation; a value's entry goes when its last document does, so churn leaves no residue.
#[derive(Debug, Default)]
pub struct Keys {
    postings: HashMap<Box<str>, HashMap<Box<str>, Vec<u32>>>,
}

/// The documents a filter admits.
#[derive(Debug)]
pub enum Candidates<'a> {
    /// The empty filter: every document.
    All,
    /// Exactly these, sorted (possibly none).
    Only(Cow<'a, [u32]>),
}

impl Keys {
    pub fn add(&mut self, doc: u32, key: &str, value: &str) {
        let values = self.postings.entry(key.into()).or_default();
        postings::insert(values.entry(value.into()).or_default(), doc);
    }

    pub fn remove(&mut self, doc: u32, key: &str, value: &str) {
        let Some(values) = self.postings.get_mut(key) else { return };
        if let Some(docs) = values.get_mut(value) {
            postings::remove(docs, doc);
            if docs.is_empty() {
                values.remove(value);
            }
        }
        if values.is_empty() {
            self.postings.remove(key);
        }
    }

    /// The documents whose keys equal every (key, value) of `filter`.
    pub fn filter(&self, filter: &[(String, String)]) -> Candidates<'_> {
        let mut lists = Vec::with_capacity(filter.len());
        for (key, value) in filter {
            match self.postings.get(key.as_str()).and_then(|values| values.get(value.as_str())) {
                Some(docs) => lists.push(docs.as_slice()),
                None => return Candidates::Only(Cow::Borrowed(&[])),
            }
        }
        // A pair repeated in the filter names the same list: drop the repeat by identity.
        lists.sort_unstable_by_key(|docs| docs.as_ptr());
        lists.dedup_by_key(|docs| docs.as_ptr());
        match lists.as_slice() {
            [] => Candidates::All,
            // The common query, "this user's documents", borrows its list: no copy.
            [only] => Candidates::Only(Cow::Borrowed(only)),
            several => Candidates::Only(Cow::Owned(postings::intersect(several))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(filter: &[(&str, &str)]) -> Vec<(String, String)> {
        filter.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn only(candidates: Candidates<'_>) -> Vec<u32> {
        match candidates {
            Candidates::All => panic!("expected a list"),
            Candidates::Only(docs) => docs.into_owned(),
        }
    }

    #[test]
    fn filters_by_conjunction() {
        let mut keys = Keys::default();
        keys.add(1, "user", "a");
        keys.add(2, "user", "a");
        keys.add(3, "user", "b");
        keys.add(1, "topic", "x");
        keys.add(3, "topic", "x");
        assert!(matches!(keys.filter(&[]), Candidates::All));
        assert_eq!(only(keys.filter(&pairs(&[("user", "a")]))), [1, 2]);
        assert_eq!(only(keys.filter(&pairs(&[("user", "a"), ("topic", "x")]))), [1]);
        assert_eq!(only(keys.filter(&pairs(&[("user", "a"), ("user", "a")]))), [1, 2]);
        assert!(only(keys.filter(&pairs(&[("user", "c")]))).is_empty());
        assert!(only(keys.filter(&pairs(&[("nokey", "a")]))).is_empty());
    }

    #[test]
    fn removal_drops_empty_entries() {
        let mut keys = Keys::default();
        keys.add(1, "user", "a");
        keys.remove(1, "user", "a");
        keys.remove(1, "user", "a");
        assert!(keys.postings.is_empty());
    }
}
