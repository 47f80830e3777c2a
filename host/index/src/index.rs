//! [`Index`]: one collection's documents, kept in the structures each query kind needs.

use crate::analyzer;
use crate::bm25;
use crate::docs::Docs;
use crate::kernels;
use crate::keys::{Candidates, Keys};
use crate::nearest;
use crate::text::Text;
use crate::topk::Scored;
use crate::vectors::Vectors;

/// How [`Index::nearest_by`] ranks.
#[derive(Clone, Copy)]
enum Method {
    TwoPass,
    Exact,
}

/// In `slots`: the document has no vector.
const NO_SLOT: u32 = u32::MAX;

/// One collection's in-memory index: documents with an id, equality keys, an optional vector
/// and an optional text.
///
/// It is a cache of the durable store, rebuilt from it at open and updated on every write, so
/// it never fails: inputs the host has already validated are trusted, and a vector the host
/// should have refused (wrong length, NaN or infinity) panics in debug builds and is dropped in
/// release ones.
///
/// Queries take `&self`, so one writer and many readers can share it behind an `RwLock`.
#[derive(Debug)]
pub struct Index {
    docs: Docs,
    keys: Keys,
    /// `None` when the collection has no vectors.
    vectors: Option<Vectors>,
    /// Per document number, its vector's slot or [`NO_SLOT`]: a dense array, as filtered
    /// nearest-neighbour queries look it up for every candidate.
    slots: Vec<u32>,
    text: Text,
}

impl Index {
    /// An empty index; `dimensions` is the vectors' length, `None` if there are none.
    pub fn new(dimensions: Option<usize>) -> Index {
        Index {
            docs: Docs::default(),
            keys: Keys::default(),
            vectors: dimensions.map(Vectors::new),
            slots: Vec::new(),
            text: Text::default(),
        }
    }

    /// How many documents there are.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.len() == 0
    }

    /// Whether document `id` is present.
    pub fn contains(&self, id: &str) -> bool {
        self.docs.number(id).is_some()
    }

    /// Insert or replace document `id`: whatever it had before (keys, vector, text) is gone.
    pub fn upsert(
        &mut self,
        id: &str,
        keys: &[(String, String)],
        vector: Option<&[f32]>,
        text: Option<&str>,
    ) {
        let vector = vector.filter(|v| self.acceptable(v));
        let doc = match self.docs.number(id) {
            Some(doc) => {
                self.clear_keys(doc);
                self.text.remove(doc);
                doc
            }
            None => self.docs.add(id),
        };
        if self.slots.len() < self.docs.capacity() {
            self.slots.resize(self.docs.capacity(), NO_SLOT);
        }
        self.set_keys(doc, keys);
        self.set_vector(doc, vector);
        if let Some(text) = text {
            self.text.add(doc, text);
        }
    }

    /// Remove document `id`; whether it was present.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some((doc, record)) = self.docs.remove(id) else { return false };
        for (key, value) in &record.keys {
            self.keys.remove(doc, key, value);
        }
        self.set_vector(doc, None);
        self.text.remove(doc);
        true
    }

    /// The `limit` documents nearest `query` by cosine similarity (score = cosine, higher is
    /// nearer), among those whose keys equal every (key, value) in `filter`; best first, ties
    /// by id. Documents without a vector are never returned.
    pub fn nearest(
        &self,
        query: &[f32],
        filter: &[(String, String)],
        limit: usize,
    ) -> Vec<(String, f32)> {
        self.nearest_by(Method::TwoPass, query, filter, limit)
    }

    /// [`Index::nearest`] by an exact scan of every candidate: the baseline the default
    /// two-pass search is measured against. Slower; the same results but for rare near-ties.
    pub fn nearest_exact(
        &self,
        query: &[f32],
        filter: &[(String, String)],
        limit: usize,
    ) -> Vec<(String, f32)> {
        self.nearest_by(Method::Exact, query, filter, limit)
    }

    /// BM25 (k1 = 1.2, b = 0.75) over the documents' text, OR over the query's terms, among
    /// those matching `filter`; best first, ties by id. Documents with no query term are not
    /// returned. The query goes through the same analyzer as the texts; a term repeated in it
    /// counts once.
    pub fn search(
        &self,
        query: &str,
        filter: &[(String, String)],
        limit: usize,
    ) -> Vec<(String, f32)> {
        if limit == 0 {
            return Vec::new();
        }
        let mut terms = analyzer::analyze(query);
        terms.sort_unstable();
        terms.dedup();
        let candidates = match self.candidates(filter) {
            Candidates::All => None,
            Candidates::Only(docs) => Some(docs),
        };
        let found = bm25::search(&self.text, &terms, candidates.as_deref(), limit, |a, b| {
            self.docs.by_id(a, b)
        });
        self.identified(found, |doc| doc)
    }

    /// The documents `filter` admits, as [`Candidates::All`] when that is every document: the
    /// common case of one user owning the whole collection then scans without a filter.
    fn candidates(&self, filter: &[(String, String)]) -> Candidates<'_> {
        match self.keys.filter(filter) {
            // A posting list holds distinct live documents, so its length alone tells.
            Candidates::Only(docs) if docs.len() == self.docs.len() => Candidates::All,
            candidates => candidates,
        }
    }

    /// Whether the host kept its promise about `vector`.
    fn acceptable(&self, vector: &[f32]) -> bool {
        let fits = self.vectors.as_ref().is_some_and(|v| v.dimensions() == vector.len());
        let finite = vector.iter().all(|x| x.is_finite());
        debug_assert!(fits, "a vector of {} dimensions for {:?}", vector.len(), self.dimensions());
        debug_assert!(finite, "a vector with NaN or infinity");
        fits && finite
    }

    /// The vectors' length, `None` if the collection has none.
    pub fn dimensions(&self) -> Option<usize> {
        self.vectors.as_ref().map(Vectors::dimensions)
    }

    fn set_keys(&mut self, doc: u32, keys: &[(String, String)]) {
        let mut pairs: Vec<(Box<str>, Box<str>)> =
            keys.iter().map(|(k, v)| (k.as_str().into(), v.as_str().into())).collect();
        pairs.sort_unstable();
        pairs.dedup();
        for (key, value) in &pairs {
            self.keys.add(doc, key, value);
        }
        self.docs.record_mut(doc).keys = pairs;
    }

    fn clear_keys(&mut self, doc: u32) {
        for (key, value) in std::mem::take(&mut self.docs.record_mut(doc).keys) {
            self.keys.remove(doc, &key, &value);
        }
    }

    /// Give `doc` `vector` (or none), keeping `slots` in step with the vector store.
    fn set_vector(&mut self, doc: u32, vector: Option<&[f32]>) {
        let Some(vectors) = self.vectors.as_mut() else { return };
        let slot = self.slots[doc as usize];
        match (slot, vector) {
            (NO_SLOT, None) => {}
            (NO_SLOT, Some(vector)) => self.slots[doc as usize] = vectors.push(doc, vector),
            (slot, Some(vector)) => vectors.replace(slot, vector),
            (slot, None) => {
                self.slots[doc as usize] = NO_SLOT;
                if let Some(moved) = vectors.swap_remove(slot) {
                    self.slots[moved.doc as usize] = moved.slot;
                }
            }
        }
    }

    /// Both nearest-neighbour searches: the candidate slots, ranked by `method`.
    fn nearest_by(
        &self,
        method: Method,
        query: &[f32],
        filter: &[(String, String)],
        limit: usize,
    ) -> Vec<(String, f32)> {
        let Some(vectors) = &self.vectors else { return Vec::new() };
        if limit == 0 || !self.acceptable(query) {
            return Vec::new();
        }
        let query = kernels::normalized(query);
        let rank = |slots: &mut dyn Iterator<Item = u32>, count: usize| {
            let by_id = |a: u32, b: u32| self.docs.by_id(vectors.owner(a), vectors.owner(b));
            match method {
                Method::TwoPass => nearest::nearest(vectors, &query, slots, count, limit, by_id),
                Method::Exact => nearest::exact(vectors, &query, slots, limit, by_id),
            }
        };
        let found = match self.candidates(filter) {
            Candidates::All => rank(&mut (0..len_u32(vectors)), vectors.len()),
            Candidates::Only(docs) => {
                let slots = &self.slots;
                let mut candidates =
                    docs.iter().map(|&doc| slots[doc as usize]).filter(|&slot| slot != NO_SLOT);
                rank(&mut candidates, docs.len())
            }
        };
        self.identified(found, |slot| vectors.owner(slot))
    }

    /// Results as (id, score), `number` turning what they hold into a document number.
    fn identified(&self, found: Vec<Scored>, number: impl Fn(u32) -> u32) -> Vec<(String, f32)> {
        found.into_iter().map(|s| (self.docs.id(number(s.doc)).to_owned(), s.score)).collect()
    }
}

fn len_u32(vectors: &Vectors) -> u32 {
    u32::try_from(vectors.len()).expect("fewer than 2^32 vectors")
}
