//! Sorted lists of document numbers: the shape every posting list here takes.
//!
//! Sorted vectors rather than hash sets because queries walk them in order (merging several
//! lists, or a list against a filter) far more often than writes change them, and an in-order
//! walk over a `Vec<u32>` is as fast as memory allows. Rebuilding at open appends in
//! increasing order, which is the cheap end of `insert`.

/// Insert `doc` into the sorted `list`; no-op when present.
pub fn insert(list: &mut Vec<u32>, doc: u32) {
    if list.last().is_none_or(|&last| last < doc) {
        list.push(doc);
    } else if let Err(at) = list.binary_search(&doc) {
        list.insert(at, doc);
    }
}

/// Remove `doc` from the sorted `list`; whether it was there.
pub fn remove(list: &mut Vec<u32>, doc: u32) -> bool {
    match list.binary_search(&doc) {
        Ok(at) => {
            list.remove(at);
            true
        }
        Err(_) => false,
    }
}

/// The documents in every one of `lists`, sorted.
///
/// Walks the shortest list and looks each of its documents up in the others with a galloping
/// search that resumes where the last one stopped, so the cost follows the shortest list, not
/// the longest: "this user's documents in this conversation" costs what the conversation
/// does.
pub fn intersect(lists: &[&[u32]]) -> Vec<u32> {
    let Some(shortest) = lists.iter().min_by_key(|list| list.len()) else {
        return Vec::new();
    };
    let mut cursors: Vec<Cursor<'_>> = lists.iter().map(|list| Cursor::new(list)).collect();
    shortest.iter().copied().filter(|&doc| cursors.iter_mut().all(|c| c.seek(doc))).collect()
}

/// A forward-only position in a sorted list, for membership tests in increasing order.
pub struct Cursor<'a> {
    list: &'a [u32],
    at: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(list: &'a [u32]) -> Self {
        Cursor { list, at: 0 }
    }

    /// Where the last `seek` stopped: the found document's index, or the next one's.
    pub fn position(&self) -> usize {
        self.at
    }

    /// Whether `doc` is in the list; `doc` must not be below any earlier call's.
    pub fn seek(&mut self, doc: u32) -> bool {
        // Gallop: double the step until past `doc`, then binary-search that last stretch.
        let rest = &self.list[self.at..];
        let mut bound = 1;
        while bound < rest.len() && rest[bound] < doc {
            bound *= 2;
        }
        let start = bound / 2;
        let end = (bound + 1).min(rest.len());
        match rest[start..end].binary_search(&doc) {
            Ok(found) => {
                self.at += start + found;
                true
            }
            Err(next) => {
                self.at += start + next;
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_keeps_order_and_uniqueness() {
        let mut list = Vec::new();
        for doc in [5, 1, 9, 5, 3, 9, 0] {
            insert(&mut list, doc);
        }
        assert_eq!(list, [0, 1, 3, 5, 9]);
        assert!(remove(&mut list, 3));
        assert!(!remove(&mut list, 3));
        assert_eq!(list, [0, 1, 5, 9]);
    }

    #[test]
    fn intersects() {
        let a: Vec<u32> = (0..1000).collect();
        let b: Vec<u32> = (0..1000).step_by(7).collect();
        let c = [0, 7, 8, 14, 700, 999, 2000];
        assert_eq!(intersect(&[&a, &b, &c]), [0, 7, 14, 700]);
        assert_eq!(intersect(&[&a]), a);
        assert!(intersect(&[&a, &[]]).is_empty());
        assert!(intersect(&[]).is_empty());
    }

    #[test]
    fn cursor_finds_members_in_order() {
        let list: Vec<u32> = (0..100).map(|n| n * 3).collect();
        let mut cursor = Cursor::new(&list);
        for doc in 0..320 {
            assert_eq!(cursor.seek(doc), doc % 3 == 0 && doc < 300, "{doc}");
        }
    }
}
