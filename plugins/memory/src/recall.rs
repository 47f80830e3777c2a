//! Recall: vector kNN and BM25 (weighed by how much of the question a memory holds) over the
//! user's memories, fused into one ranking
//! (`dcmaid_memory_core::fusion`), memories naming the query's identifiers first
//! (`dcmaid_memory_core::identifier`), memories told in the period the query names lifted
//! (`dcmaid_memory_core::when`);
//! then relations of the best hits are followed one hop (faded by their age) and blended into
//! the ranking, and the two best memories, recalled together, get related or strengthened.

use std::collections::HashMap;

use dcmaid_memory_core::coverage::Question;
use dcmaid_memory_core::expand::{Neighbour, expand};
use dcmaid_memory_core::identifier::Identifiers;
use dcmaid_memory_core::relation::{DEFAULT_REINFORCE, decayed, reinforced};
use dcmaid_memory_core::settings::{MAX_RECALL_LIMIT, Settings};
use dcmaid_memory_core::when;
use dcmaid_sdk::prelude::*;
use dcmaid_sdk::store::{self, Hit};

use crate::keywords;
use crate::memories::{self, COLLECTION, Memory, RELATION, Relation};

/// Each search returns this many candidates per memory asked for (at least 20).
const CANDIDATES_PER_RESULT: u32 = 4;
/// How many relations of each hit are looked at.
const RELATIONS_PER_HIT: u32 = 8;

/// A recall, with what the two searches said of each memory: `/recall` lists only those a
/// search found close enough.
pub struct Judged {
    pub memories: Vec<Recalled>,
    /// The vector search's cosine similarity to the question, of the memories it found.
    similarity: HashMap<String, f32>,
    /// The memories a keyword of the question matched.
    matched: std::collections::HashSet<String>,
    /// When each memory a search found was told (ms since the Unix epoch).
    told: HashMap<String, u64>,
}

impl Judged {
    /// When memory `id` was told, if a search found it.
    pub fn told(&self, id: &str) -> Option<u64> {
        self.told.get(id).copied()
    }

    /// The memories at or above `floor` (cosine similarity) or matched by a keyword, and
    /// those related to them; none when no memory is close enough.
    pub fn relevant(&self, floor: f32) -> Vec<&Recalled> {
        let found = |id: &str| self.similarity.contains_key(id) || self.matched.contains(id);
        let close = |id: &str| {
            self.matched.contains(id) || self.similarity.get(id).is_some_and(|s| *s >= floor)
        };
        if !self.memories.iter().any(|memory| close(&memory.id)) {
            return Vec::new();
        }
        // A memory neither search found came through a relation of a hit: it stays.
        self.memories.iter().filter(|memory| close(&memory.id) || !found(&memory.id)).collect()
    }
}

pub fn recall(user_id: &str, query: &str, limit: u32) -> Result<Vec<Recalled>, PluginError> {
    Ok(judged(user_id, query, limit)?.memories)
}

/// [`recall`], with what each search said of the memories.
pub fn judged(user_id: &str, query: &str, limit: u32) -> Result<Judged, PluginError> {
    let settings = crate::settings()?;
    let limit = limit.clamp(1, MAX_RECALL_LIMIT);
    let period = match settings.dates {
        true => when::named_in(query, when::day_of(memories::now_ms())),
        false => None,
    };
    // A period narrows the question to fewer memories, which may rank lower in the searches.
    let widen = if period.is_some() { 2 } else { 1 };
    let candidates = (limit * CANDIDATES_PER_RESULT).max(20) * widen;
    let of_user = memories::of_user(user_id);
    let mut texts: HashMap<String, String> = HashMap::new();
    let mut told: HashMap<String, u64> = HashMap::new();
    let mut scored = |hits: Vec<Hit>| -> Result<Vec<(String, f32)>, PluginError> {
        let mut scored = Vec::with_capacity(hits.len());
        for hit in hits {
            let memory: Memory = store::parse(&hit.fields)?;
            told.insert(hit.id.clone(), memory.at_ms);
            texts.insert(hit.id.clone(), memory.text);
            scored.push((hit.id, hit.score));
        }
        Ok(scored)
    };
    let by_vector = match settings.fusion.vector_weight > 0.0 {
        true => {
            let vector = memories::embed(&[query.to_owned()])?.pop().unwrap_or_default();
            scored(store::nearest(COLLECTION, &vector, &of_user, candidates)?)?
        }
        false => Vec::new(),
    };
    let words = keywords::of(query);
    let by_keyword = match settings.fusion.keyword_weight > 0.0 && !words.is_empty() {
        true => {
            let mut hits = scored(store::search(COLLECTION, &words, &of_user, candidates)?)?;
            let question = Question::of(&words);
            for (id, score) in &mut hits {
                let text = texts.get(id).map_or("", String::as_str);
                *score = question.weigh(*score, text);
            }
            hits.sort_by(|a, b| b.1.total_cmp(&a.1));
            hits
        }
        false => Vec::new(),
    };
    let mut fused = settings.fusion.fuse(&by_vector, &by_keyword);
    // The period first: a memory naming the identifier asked about stays ahead of one that
    // was only told at the time asked about.
    if let Some(period) = &period {
        when::lift(&mut fused, period, |id| told.get(id).copied());
    }
    if settings.promotes_identifiers() {
        Identifiers::of(query).promote(&mut fused, |id| texts.get(id).map(String::as_str));
    }
    let ranked = match settings.expansion() {
        Some(expansion) => {
            let expansion =
                dcmaid_memory_core::expand::Expansion { limit: limit as usize, ..expansion };
            let neighbours = neighbours(&fused, limit as usize, &settings)?;
            let ranked = expand(&fused, &neighbours, &expansion);
            strengthen_together(&ranked, &fused, settings.half_life_ms)?;
            ranked
        }
        None => fused.into_iter().take(limit as usize).collect(),
    };
    let mut recalled = Vec::with_capacity(ranked.len());
    for (id, score) in ranked {
        let text = match texts.remove(&id) {
            Some(text) => text,
            // A related memory that neither search found.
            None => match memories::get(user_id, &id)? {
                Some(memory) => {
                    told.insert(id.clone(), memory.at_ms);
                    memory.text
                }
                None => continue,
            },
        };
        recalled.push(Recalled { id, text, score });
    }
    let similarity = by_vector.into_iter().collect();
    let matched = by_keyword.into_iter().map(|(id, _)| id).collect();
    Ok(Judged { memories: recalled, similarity, matched, told })
}

/// The relations of the best `top` hits, their strengths faded to now.
fn neighbours(
    fused: &[(String, f32)],
    top: usize,
    settings: &Settings,
) -> Result<Vec<Neighbour>, PluginError> {
    let now = memories::now_ms();
    let mut neighbours = Vec::new();
    for (id, _) in fused.iter().take(top) {
        for edge in store::related(COLLECTION, RELATION, id, RELATIONS_PER_HIT)? {
            let Ok(relation) = store::parse::<Relation>(&edge.fields) else { continue };
            let strength =
                decayed(relation.strength, edge.updated_at_ms, now, settings.half_life_ms);
            let other = if edge.source == *id { edge.target } else { edge.source };
            neighbours.push(Neighbour { from: id.clone(), to: other, strength });
        }
    }
    Ok(neighbours)
}

/// Relate the two best memories of a recall, both found by the searches, or strengthen the
/// relation they have: memories that keep coming up together belong together.
fn strengthen_together(
    ranked: &[(String, f32)],
    fused: &[(String, f32)],
    half_life_ms: u64,
) -> Result<(), PluginError> {
    let found = |id: &str| fused.iter().any(|(hit, _)| hit == id);
    let [(first, _), (second, _), ..] = ranked else { return Ok(()) };
    if !found(first) || !found(second) {
        return Ok(());
    }
    let now = memories::now_ms();
    let existing = store::related(COLLECTION, RELATION, first, RELATIONS_PER_HIT)?
        .into_iter()
        .find(|edge| edge.source == *second || edge.target == *second);
    let (source, target, relation) = match existing {
        Some(edge) => {
            let old: Relation = store::parse(&edge.fields)?;
            let strength = decayed(old.strength, edge.updated_at_ms, now, half_life_ms);
            let strength = reinforced(strength, DEFAULT_REINFORCE);
            (edge.source, edge.target, Relation { strength, ..old })
        }
        None => {
            let relation = Relation {
                strength: DEFAULT_REINFORCE,
                reason: "recalled together".to_owned(),
                created_at_ms: now,
            };
            (first.clone(), second.clone(), relation)
        }
    };
    Ok(store::relate(COLLECTION, RELATION, &source, &target, &store::fields(&relation)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(similarity: &[(&str, f32)], matched: &[&str], ranked: &[&str]) -> Judged {
        let memories = ranked
            .iter()
            .map(|id| Recalled { id: (*id).to_owned(), text: String::new(), score: 0.0 })
            .collect();
        Judged {
            memories,
            similarity: similarity.iter().map(|(id, s)| ((*id).to_owned(), *s)).collect(),
            matched: matched.iter().map(|id| (*id).to_owned()).collect(),
            told: HashMap::new(),
        }
    }

    fn ids(relevant: Vec<&Recalled>) -> Vec<&str> {
        relevant.into_iter().map(|memory| memory.id.as_str()).collect()
    }

    #[test]
    fn only_close_or_matched_memories_and_their_relations_are_relevant() {
        let recall =
            judged(&[("dog", 0.5), ("hello", 0.22)], &["oslo"], &["dog", "oslo", "hello", "kin"]);
        // `kin` came through a relation: it stays with the hits it is related to.
        assert_eq!(ids(recall.relevant(0.3)), ["dog", "oslo", "kin"]);
        assert_eq!(ids(recall.relevant(0.2)), ["dog", "oslo", "hello", "kin"]);
        let far = judged(&[("hello", 0.1)], &[], &["hello", "kin"]);
        assert!(far.relevant(0.3).is_empty(), "nothing close: its relations do not count");
    }
}
