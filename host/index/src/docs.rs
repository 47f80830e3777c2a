//! Document ids and the small numbers that stand for them everywhere else.
//!
//! Posting lists hold `u32` numbers, not strings: four bytes each, compared and merged in one
//! instruction. A removed document's number is reused by the next new one, so the numbers stay
//! dense and the per-number arrays (lengths, vector slots) stay as long as the collection.

use std::cmp::Ordering;
use std::collections::HashMap;

/// What the index must remember about a document to undo it later.
#[derive(Debug)]
pub struct Record {
    pub id: Box<str>,
    pub keys: Vec<(Box<str>, Box<str>)>,
}

#[derive(Debug, Default)]
pub struct Docs {
    numbers: HashMap<Box<str>, u32>,
    records: Vec<Option<Record>>,
    free: Vec<u32>,
}

impl Docs {
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn number(&self, id: &str) -> Option<u32> {
        self.numbers.get(id).copied()
    }

    /// A new number for `id`, which must not be present.
    pub fn add(&mut self, id: &str) -> u32 {
        debug_assert!(!self.numbers.contains_key(id));
        let record = Record { id: id.into(), keys: Vec::new() };
        let number = match self.free.pop() {
            Some(number) => {
                self.records[number as usize] = Some(record);
                number
            }
            None => {
                self.records.push(Some(record));
                u32::try_from(self.records.len() - 1).expect("fewer than 2^32 documents")
            }
        };
        self.numbers.insert(id.into(), number);
        number
    }

    /// How many numbers are in use or free: every number is below this.
    pub fn capacity(&self) -> usize {
        self.records.len()
    }

    /// Forget `id`; its record, for the caller to undo its postings.
    pub fn remove(&mut self, id: &str) -> Option<(u32, Record)> {
        let number = self.numbers.remove(id)?;
        let record = self.records[number as usize].take().expect("a numbered document has one");
        self.free.push(number);
        Some((number, record))
    }

    pub fn record(&self, number: u32) -> &Record {
        self.records[number as usize].as_ref().expect("a live document")
    }

    pub fn record_mut(&mut self, number: u32) -> &mut Record {
        self.records[number as usize].as_mut().expect("a live document")
    }

    pub fn id(&self, number: u32) -> &str {
        &self.record(number).id
    }

    /// Orders two documents by id: the tie-break that makes results deterministic.
    pub fn by_id(&self, a: u32, b: u32) -> Ordering {
        self.id(a).cmp(self.id(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_numbers() {
        let mut docs = Docs::default();
        assert_eq!(docs.add("a"), 0);
        assert_eq!(docs.add("b"), 1);
        let (number, record) = docs.remove("a").expect("present");
        assert_eq!((number, &*record.id), (0, "a"));
        assert!(docs.remove("a").is_none());
        assert_eq!(docs.add("c"), 0);
        assert_eq!((docs.len(), docs.id(0), docs.number("b")), (2, "c", Some(1)));
        assert_eq!(docs.by_id(1, 0), Ordering::Less);
    }
}
