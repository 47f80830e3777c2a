//! Related memories blended into a recall. A search finds what matches the query; relations
//! add what has come up together with those matches before, even when it shares no words or
//! meaning with the query itself ("her cat" finds the memory of the cat's name through the
//! memory about the cat). A related memory earns a share of its parent's score, so it ranks
//! below strong direct matches unless several of them point at it, and never above the best
//! hit that points at it: among many near-duplicate memories, all related to each other,
//! the one the query names keeps its place.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::fusion::sort_best_first;

/// The share of a parent's score a related memory gets at full strength: half, so a neighbour
/// of the best hit can outrank a weak direct hit but not the best hit itself.
pub const DEFAULT_BLEND: f32 = 0.5;

/// A relation from a hit to another memory, with its strength already decayed to now.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    /// The hit the relation was looked up for.
    pub from: String,
    /// The related memory.
    pub to: String,
    /// 0 to 1; see [`crate::relation::decayed`].
    pub strength: f32,
}

/// How relations are blended into a ranking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Expansion {
    /// The share of the parent's score a neighbour gets, times the relation's strength.
    pub blend: f32,
    /// Relations weaker than this are not followed.
    pub threshold: f32,
    /// How many memories the final ranking keeps.
    pub limit: usize,
}

/// The final ranking from the fused `hits` (best first) and the `neighbours` of some of them.
///
/// Each relation from a hit, at least `threshold` strong, is worth
/// `parent score × strength × blend` to the memory it points to: added to its score when it
/// is already a hit, or as its score when it is not. Only one hop is taken: scores of
/// neighbours never feed other neighbours, so the order of `neighbours` does not matter.
/// Several relations to one memory add up, but a relation listed twice counts once, at its
/// strongest, and what they add stops at the score of the best hit among its parents (a
/// memory above that already keeps its own). Relations from memories that are not hits, to themselves, or worth nothing are
/// ignored. The result is best first, ties in order of first appearance (hits, then new
/// memories in the order of `neighbours`), at most `limit` long.
pub fn expand(
    hits: &[(String, f32)],
    neighbours: &[Neighbour],
    expansion: &Expansion,
) -> Vec<(String, f32)> {
    let blend = if expansion.blend.is_finite() { expansion.blend.max(0.0) } else { 0.0 };
    // The hits' own scores: the parents' shares come from these, never from boosted scores.
    let mut parents: HashMap<&str, f32> = HashMap::new();
    let mut ranking: Vec<(String, f32)> = Vec::with_capacity(hits.len());
    for (id, score) in hits {
        if let Entry::Vacant(entry) = parents.entry(id.as_str()) {
            entry.insert(*score);
            ranking.push((id.clone(), *score));
        }
    }
    // The strongest share per (from, to), in the order relations are first listed.
    let mut shares: Vec<(&str, &str, f32)> = Vec::new();
    let mut listed: HashMap<(&str, &str), usize> = HashMap::new();
    for neighbour in neighbours {
        let (from, to) = (neighbour.from.as_str(), neighbour.to.as_str());
        let strong_enough = neighbour.strength >= expansion.threshold; // false for NaN
        if !strong_enough || from == to {
            continue;
        }
        let Some(parent) = parents.get(from) else { continue };
        let share = parent * neighbour.strength.min(1.0) * blend;
        if share.is_nan() || share <= 0.0 {
            continue;
        }
        match listed.entry((from, to)) {
            Entry::Occupied(at) => {
                if let Some((_, _, best)) = shares.get_mut(*at.get()) {
                    *best = best.max(share);
                }
            }
            Entry::Vacant(entry) => {
                entry.insert(shares.len());
                shares.push((from, to, share));
            }
        }
    }
    // What relations add to each memory, and the best score among the hits that point at
    // it: together they never lift a memory above that.
    let mut lifts: Vec<(&str, f32, f32)> = Vec::new();
    let mut lifted: HashMap<&str, usize> = HashMap::new();
    for (from, to, share) in shares {
        let parent = parents[from];
        match lifted.entry(to) {
            Entry::Occupied(at) => {
                if let Some((_, total, cap)) = lifts.get_mut(*at.get()) {
                    *total += share;
                    *cap = cap.max(parent);
                }
            }
            Entry::Vacant(entry) => {
                entry.insert(lifts.len());
                lifts.push((to, share, parent));
            }
        }
    }
    let mut index: HashMap<String, usize> =
        ranking.iter().enumerate().map(|(at, (id, _))| (id.clone(), at)).collect();
    for (to, lift, cap) in lifts {
        match index.get(to) {
            Some(&at) => {
                if let Some((_, score)) = ranking.get_mut(at) {
                    *score = score.max((*score + lift).min(cap));
                }
            }
            None => {
                index.insert(to.to_owned(), ranking.len());
                ranking.push((to.to_owned(), lift.min(cap)));
            }
        }
    }
    sort_best_first(&mut ranking);
    ranking.truncate(expansion.limit);
    ranking
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relation::FOLLOW_THRESHOLD;

    const EXPANSION: Expansion =
        Expansion { blend: DEFAULT_BLEND, threshold: FOLLOW_THRESHOLD, limit: 10 };

    fn hits(scores: &[(&str, f32)]) -> Vec<(String, f32)> {
        scores.iter().map(|(id, score)| ((*id).to_owned(), *score)).collect()
    }

    fn link(from: &str, to: &str, strength: f32) -> Neighbour {
        Neighbour { from: from.to_owned(), to: to.to_owned(), strength }
    }

    fn close(ranking: &[(String, f32)], expected: &[(&str, f32)]) -> bool {
        ranking.len() == expected.len()
            && ranking
                .iter()
                .zip(expected)
                .all(|((id, score), (want_id, want))| id == want_id && (score - want).abs() < 1e-6)
    }

    #[test]
    fn a_new_neighbour_gets_a_share_of_its_parents_score() {
        let ranking = expand(&hits(&[("a", 1.0), ("b", 0.2)]), &[link("a", "n", 0.8)], &EXPANSION);
        assert!(close(&ranking, &[("a", 1.0), ("n", 0.4), ("b", 0.2)]), "{ranking:?}");
    }

    #[test]
    fn a_neighbour_that_is_already_a_hit_is_boosted() {
        let ranking = expand(&hits(&[("a", 1.0), ("b", 0.3)]), &[link("a", "b", 0.5)], &EXPANSION);
        assert!(close(&ranking, &[("a", 1.0), ("b", 0.55)]), "{ranking:?}");
    }

    #[test]
    fn relations_below_the_threshold_are_not_followed() {
        let neighbours = [link("a", "weak", 0.29), link("a", "nan", f32::NAN)];
        let ranking = expand(&hits(&[("a", 1.0)]), &neighbours, &EXPANSION);
        assert!(close(&ranking, &[("a", 1.0)]), "{ranking:?}");
    }

    #[test]
    fn only_one_hop_is_taken_from_the_original_scores() {
        // b is boosted by a, but b's relation to c uses b's own score, not the boosted one,
        // and n (not a hit) leads nowhere.
        let neighbours = [link("b", "c", 1.0), link("a", "b", 1.0), link("n", "x", 1.0)];
        let ranking = expand(&hits(&[("a", 1.0), ("b", 0.4)]), &neighbours, &EXPANSION);
        assert!(close(&ranking, &[("a", 1.0), ("b", 0.9), ("c", 0.2)]), "{ranking:?}");
        let reversed: Vec<Neighbour> = neighbours.iter().rev().cloned().collect();
        assert_eq!(ranking, expand(&hits(&[("a", 1.0), ("b", 0.4)]), &reversed, &EXPANSION));
    }

    #[test]
    fn several_parents_add_up_but_a_repeated_relation_counts_once() {
        let neighbours =
            [link("a", "n", 0.5), link("b", "n", 0.5), link("a", "n", 1.0), link("a", "n", 0.4)];
        let ranking = expand(&hits(&[("a", 1.0), ("b", 0.8)]), &neighbours, &EXPANSION);
        assert!(close(&ranking, &[("a", 1.0), ("b", 0.8), ("n", 0.7)]), "{ranking:?}");
    }

    #[test]
    fn what_relations_add_never_lifts_a_memory_above_its_best_parent() {
        // Near-duplicates all related to each other: b and c would each overtake a, the
        // best match, if their shares simply added up.
        let all = [("a", 0.032), ("b", 0.031), ("c", 0.030), ("d", 0.029)];
        let mut neighbours = Vec::new();
        for (from, _) in all {
            for (to, _) in all {
                neighbours.push(link(from, to, 0.9));
            }
        }
        let ranking = expand(&hits(&all), &neighbours, &EXPANSION);
        assert_eq!(ranking[0].0, "a", "{ranking:?}");
        assert!(ranking.iter().all(|(_, score)| *score <= 0.032 + 1e-6), "{ranking:?}");
        // A memory that scores above its parents keeps its own score.
        let ranking = expand(&hits(&[("a", 1.0), ("b", 0.2)]), &[link("b", "a", 1.0)], &EXPANSION);
        assert!(close(&ranking, &[("a", 1.0), ("b", 0.2)]), "{ranking:?}");
    }

    #[test]
    fn self_relations_and_zero_blend_change_nothing() {
        let base = hits(&[("a", 1.0), ("b", 0.5)]);
        let ranking = expand(&base, &[link("a", "a", 1.0)], &EXPANSION);
        assert_eq!(ranking, base);
        for blend in [0.0, -1.0, f32::NAN, f32::INFINITY] {
            let expansion = Expansion { blend, ..EXPANSION };
            assert_eq!(expand(&base, &[link("a", "n", 1.0)], &expansion), base, "{blend}");
        }
    }

    #[test]
    fn ties_keep_hits_first_then_neighbours_in_order() {
        let neighbours = [link("a", "y", 1.0), link("a", "x", 1.0)];
        let ranking = expand(&hits(&[("a", 1.0), ("b", 0.5)]), &neighbours, &EXPANSION);
        let ids: Vec<&str> = ranking.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "y", "x"]);
    }

    #[test]
    fn the_ranking_is_truncated_to_the_limit() {
        let neighbours = [link("a", "n", 1.0)];
        let expansion = Expansion { limit: 2, ..EXPANSION };
        let ranking =
            expand(&hits(&[("a", 1.0), ("b", 0.1), ("c", 0.05)]), &neighbours, &expansion);
        assert!(close(&ranking, &[("a", 1.0), ("n", 0.5)]), "{ranking:?}");
        assert!(expand(&hits(&[("a", 1.0)]), &[], &Expansion { limit: 0, ..EXPANSION }).is_empty());
    }

    #[test]
    fn repeated_hits_keep_their_first_score() {
        let ranking = expand(&hits(&[("a", 1.0), ("a", 0.1)]), &[], &EXPANSION);
        assert_eq!(ranking, hits(&[("a", 1.0)]));
    }

    #[test]
    fn strength_above_one_counts_as_one() {
        let ranking = expand(&hits(&[("a", 1.0)]), &[link("a", "n", 9.0)], &EXPANSION);
        assert!(close(&ranking, &[("a", 1.0), ("n", 0.5)]), "{ranking:?}");
    }
}
