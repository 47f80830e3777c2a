//! The inverted index over the documents' text: per term, the documents holding it with their
//! term frequencies; per document, its length and its distinct terms (to undo its postings).
//!
//! Scoring lives in [`crate::bm25`]; this module only keeps the statistics right under
//! inserts and removals.

use std::collections::HashMap;

use crate::analyzer;

/// One term's postings, as parallel sorted arrays: the document numbers alone are a plain
/// `[u32]`, so the same galloping cursor serves postings and filters.
#[derive(Debug, Default)]
pub struct Postings {
    pub docs: Vec<u32>,
    pub frequencies: Vec<u32>,
}

#[derive(Debug)]
struct Term {
    text: Box<str>,
    postings: Postings,
}

#[derive(Debug, Default)]
pub struct Text {
    ids: HashMap<Box<str>, u32>,
    /// Indexed by term id; a freed id's slot is `None` until reused.
    terms: Vec<Option<Term>>,
    free_terms: Vec<u32>,
    /// Per document number: its distinct term ids, or `None` if it has no text.
    doc_terms: Vec<Option<Box<[u32]>>>,
    /// Per document number: its length in terms (0 if no text).
    lengths: Vec<u32>,
    /// Documents with text, and the sum of their lengths, for BM25's N and average length.
    documents: u32,
    total_length: u64,
}

impl Text {
    /// Index `text` as document `doc`'s, which must currently have none.
    pub fn add(&mut self, doc: u32, text: &str) {
        let at = doc as usize;
        if self.doc_terms.len() <= at {
            self.doc_terms.resize(at + 1, None);
            self.lengths.resize(at + 1, 0);
        }
        debug_assert!(self.doc_terms[at].is_none(), "document {doc} already has text");
        let mut analyzed = analyzer::analyze(text);
        let length = u32::try_from(analyzed.len()).unwrap_or(u32::MAX);
        analyzed.sort_unstable();
        let mut distinct = Vec::new();
        for run in analyzed.chunk_by(|a, b| a == b) {
            let term = self.intern(&run[0]);
            let postings = &mut self.terms[term as usize].as_mut().expect("interned").postings;
            let frequency = u32::try_from(run.len()).unwrap_or(u32::MAX);
            match postings.docs.binary_search(&doc) {
                Ok(_) => unreachable!("document {doc} was not indexed"),
                Err(i) => {
                    postings.docs.insert(i, doc);
                    postings.frequencies.insert(i, frequency);
                }
            }
            distinct.push(term);
        }
        self.doc_terms[at] = Some(distinct.into_boxed_slice());
        self.lengths[at] = length;
        self.documents += 1;
        self.total_length += u64::from(length);
    }

    /// Forget document `doc`'s text; whether it had any.
    pub fn remove(&mut self, doc: u32) -> bool {
        let at = doc as usize;
        let Some(terms) = self.doc_terms.get_mut(at).and_then(Option::take) else {
            return false;
        };
        for term in terms {
            let slot = &mut self.terms[term as usize];
            let entry = slot.as_mut().expect("a document's terms exist");
            if let Ok(i) = entry.postings.docs.binary_search(&doc) {
                entry.postings.docs.remove(i);
                entry.postings.frequencies.remove(i);
            }
            if entry.postings.docs.is_empty() {
                let entry = slot.take().expect("just seen");
                self.ids.remove(&entry.text);
                self.free_terms.push(term);
            }
        }
        self.documents -= 1;
        self.total_length -= u64::from(self.lengths[at]);
        self.lengths[at] = 0;
        true
    }

    fn intern(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let term = Term { text: text.into(), postings: Postings::default() };
        let id = match self.free_terms.pop() {
            Some(id) => {
                self.terms[id as usize] = Some(term);
                id
            }
            None => {
                self.terms.push(Some(term));
                u32::try_from(self.terms.len() - 1).expect("fewer than 2^32 terms")
            }
        };
        self.ids.insert(text.into(), id);
        id
    }

    /// A term's postings, if any document holds it.
    pub fn postings(&self, term: &str) -> Option<&Postings> {
        let id = *self.ids.get(term)?;
        self.terms[id as usize].as_ref().map(|term| &term.postings)
    }

    /// Per document number, its length in terms.
    pub fn lengths(&self) -> &[u32] {
        &self.lengths
    }

    /// How many documents have text.
    pub fn documents(&self) -> u32 {
        self.documents
    }

    /// The mean length of the documents with text (0 when there are none).
    pub fn average_length(&self) -> f32 {
        if self.documents == 0 {
            0.0
        } else {
            (self.total_length as f64 / f64::from(self.documents)) as f32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_statistics_through_add_and_remove() {
        let mut text = Text::default();
        text.add(0, "dogs run, dogs bark");
        text.add(3, "cats run");
        assert_eq!(text.documents(), 2);
        assert_eq!(text.average_length(), 3.0);
        let dog = text.postings("dog").expect("indexed");
        assert_eq!((dog.docs.as_slice(), dog.frequencies.as_slice()), (&[0][..], &[2][..]));
        assert_eq!(text.postings("run").expect("indexed").docs, [0, 3]);
        assert!(text.remove(0));
        assert!(!text.remove(0));
        assert!(!text.remove(99));
        assert!(text.postings("dog").is_none());
        assert_eq!(text.postings("run").expect("indexed").docs, [3]);
        assert_eq!((text.documents(), text.average_length()), (1, 2.0));
        // A freed term id is reused without disturbing the others.
        text.add(1, "birds");
        assert_eq!(text.postings("bird").expect("indexed").docs, [1]);
        assert_eq!(text.postings("cat").expect("indexed").docs, [3]);
    }
}
