//! A collection's relations in memory, by document: `related` answers in microseconds,
//! without a query to SurrealDB (which finds them through the relations' endpoint indexes).

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use serde_json::{Map, Value as Json};

use super::super::records::Edge;

/// A relation's identity, as the relations table keys it: one relation of each kind from a
/// source to a target.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
pub struct EdgeKey {
    pub kind: String,
    pub source: String,
    pub target: String,
}

/// A relation as the relations table holds it.
#[derive(Debug, Deserialize)]
pub struct StoredEdge {
    #[serde(flatten)]
    pub key: EdgeKey,
    #[serde(default)]
    pub fields: Map<String, Json>,
    #[serde(default)]
    pub updated_at: u64,
}

/// What a relation carries besides its key.
struct Carried {
    fields: Map<String, Json>,
    updated_at_ms: u64,
}

#[derive(Default)]
pub struct Edges {
    edges: HashMap<EdgeKey, Carried>,
    /// The relations from or to each document.
    touching: HashMap<String, HashSet<EdgeKey>>,
}

impl Edges {
    pub fn len(&self) -> usize {
        self.edges.len()
    }

    pub fn contains(&self, key: &EdgeKey) -> bool {
        self.edges.contains_key(key)
    }

    /// Add `edge`, or replace the relation of its key.
    pub fn upsert(&mut self, edge: StoredEdge) {
        for end in [&edge.key.source, &edge.key.target] {
            self.touching.entry(end.clone()).or_default().insert(edge.key.clone());
        }
        let carried = Carried { fields: edge.fields, updated_at_ms: edge.updated_at };
        self.edges.insert(edge.key, carried);
    }

    /// Drop every relation from or to document `id`.
    pub fn remove_document(&mut self, id: &str) {
        let Some(keys) = self.touching.remove(id) else { return };
        for key in keys {
            let other = if key.source == id { &key.target } else { &key.source };
            if let Some(others) = self.touching.get_mut(other) {
                others.remove(&key);
                if others.is_empty() {
                    self.touching.remove(other);
                }
            }
            self.edges.remove(&key);
        }
    }

    /// The relations of `kind` from or to `id`, most recently written first (ties in key
    /// order, so that the answer does not depend on hashing), at most `limit`.
    pub fn related(&self, kind: &str, id: &str, limit: usize) -> Vec<Edge> {
        let Some(keys) = self.touching.get(id) else { return Vec::new() };
        let mut found: Vec<(&EdgeKey, &Carried)> = keys
            .iter()
            .filter(|key| key.kind == kind)
            .filter_map(|key| Some((key, self.edges.get(key)?)))
            .collect();
        found.sort_by(|(a_key, a), (b_key, b)| {
            b.updated_at_ms
                .cmp(&a.updated_at_ms)
                .then_with(|| (&a_key.source, &a_key.target).cmp(&(&b_key.source, &b_key.target)))
        });
        found
            .into_iter()
            .take(limit)
            .map(|(key, carried)| Edge {
                source: key.source.clone(),
                target: key.target.clone(),
                fields: carried.fields.clone(),
                updated_at_ms: carried.updated_at_ms,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(kind: &str, source: &str, target: &str, at: u64) -> StoredEdge {
        let key = EdgeKey { kind: kind.into(), source: source.into(), target: target.into() };
        StoredEdge { key, fields: Map::new(), updated_at: at }
    }

    fn ends(edges: &[Edge]) -> Vec<(&str, &str)> {
        edges.iter().map(|e| (e.source.as_str(), e.target.as_str())).collect()
    }

    #[test]
    fn relations_either_way_newest_first_of_one_kind() {
        let mut edges = Edges::default();
        edges.upsert(edge("near", "a", "b", 10));
        edges.upsert(edge("near", "c", "a", 30));
        edges.upsert(edge("near", "a", "d", 20));
        edges.upsert(edge("fact", "a", "e", 40));
        assert_eq!(ends(&edges.related("near", "a", 10)), [("c", "a"), ("a", "d"), ("a", "b")]);
        assert_eq!(ends(&edges.related("near", "a", 2)), [("c", "a"), ("a", "d")]);
        assert_eq!(ends(&edges.related("fact", "e", 10)), [("a", "e")]);
        assert!(edges.related("near", "e", 10).is_empty());
        // Replaced, not added: the same key again.
        edges.upsert(edge("near", "a", "b", 50));
        assert_eq!(ends(&edges.related("near", "b", 10)), [("a", "b")]);
        assert_eq!(edges.related("near", "b", 10)[0].updated_at_ms, 50);
    }

    #[test]
    fn removing_a_document_takes_its_relations_from_both_ends() {
        let mut edges = Edges::default();
        edges.upsert(edge("near", "a", "b", 1));
        edges.upsert(edge("near", "c", "a", 2));
        edges.upsert(edge("near", "b", "c", 3));
        edges.remove_document("a");
        assert!(edges.related("near", "a", 10).is_empty());
        assert_eq!(ends(&edges.related("near", "b", 10)), [("b", "c")]);
        assert_eq!(ends(&edges.related("near", "c", 10)), [("b", "c")]);
        assert!(!edges.contains(&edge("near", "a", "b", 0).key));
        edges.remove_document("b");
        edges.remove_document("c");
        assert!(edges.edges.is_empty() && edges.touching.is_empty());
    }
}
