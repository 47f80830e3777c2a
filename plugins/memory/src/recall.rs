//! Recall: vector kNN and BM25 over the user's memories, fused into one ranking
//! (`dcmaid_memory_core::fusion`), memories naming the query's identifiers first
//! (`dcmaid_memory_core::identifier`);
//! then relations of the best hits are followed one hop (faded by their age) and blended into
//! the ranking, and the two best memories, recalled together, get related or strengthened.

use std::collections::HashMap;

use dcmaid_memory_core::expand::{Neighbour, expand};
use dcmaid_memory_core::identifier::Identifiers;
use dcmaid_memory_core::relation::{DEFAULT_REINFORCE, decayed, reinforced};
use dcmaid_memory_core::settings::{MAX_RECALL_LIMIT, Settings};
use dcmaid_sdk::prelude::*;
use dcmaid_sdk::store::{self, Hit};

use crate::keywords;
use crate::memories::{self, COLLECTION, Memory, RELATION, Relation};

/// Each search returns this many candidates per memory asked for (at least 20).
const CANDIDATES_PER_RESULT: u32 = 4;
/// How many relations of each hit are looked at.
const RELATIONS_PER_HIT: u32 = 8;

pub fn recall(user_id: &str, query: &str, limit: u32) -> Result<Vec<Recalled>, PluginError> {
    let settings = crate::settings()?;
    let limit = limit.clamp(1, MAX_RECALL_LIMIT);
    let candidates = (limit * CANDIDATES_PER_RESULT).max(20);
    let of_user = memories::of_user(user_id);
    let mut texts: HashMap<String, String> = HashMap::new();
    let mut scored = |hits: Vec<Hit>| -> Result<Vec<(String, f32)>, PluginError> {
        let mut scored = Vec::with_capacity(hits.len());
        for hit in hits {
            let memory: Memory = store::parse(&hit.fields)?;
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
        true => scored(store::search(COLLECTION, &words, &of_user, candidates)?)?,
        false => Vec::new(),
    };
    let mut fused = settings.fusion.fuse(&by_vector, &by_keyword);
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
                Some(memory) => memory.text,
                None => continue,
            },
        };
        recalled.push(Recalled { id, text, score });
    }
    Ok(recalled)
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
