//! Fusion: one ranking from the vector search and the keyword search.
//!
//! The two searches score on scales that cannot be compared (cosine similarity against BM25),
//! so each list is first put on a scale of its own, by one of two rules:
//!
//! - **z-score** (the default): how far a hit's score stands out from the rest of its list,
//!   in standard deviations. A hit counts only by how far it stands out beyond [`STANDOUT`]
//!   above its list's mean, in either list. A query that names something rare (a name, an
//!   order number) gives a keyword list whose first hits tower over the rest, and those hits
//!   rise; a query whose words are common gives a flat list of chance matches ("job",
//!   "trip"), and it leaves the vector's ranking alone. The same holds the other way: a
//!   question the model cannot place gives a flat list of similarities, and then the keyword
//!   search decides. Rank fusion cannot tell the two apart: it gives the first chance match
//!   as much as the best hit of the other list, and in a large memory those chance matches
//!   push the answer out of the top five (see `BENCHMARKS.md`).
//! - **rrf**, reciprocal rank fusion: only the ranks are used, an id earns
//!   `weight / (k + rank)` from each list it is in; `k` damps how much the very first places
//!   dominate. Cormack, Clarke and Büttcher (2009) found `k = 60` a good constant.
//!
//! Either way a memory both searches rank well beats one only one of them found.

use std::collections::{HashMap, HashSet};

/// How far above its list's mean, in standard deviations, a hit's score must be before it adds
/// to the fused score. Chance matches sit near the mean; half a standard deviation was the
/// middle of the plateau where no evaluation set lost against either search alone (0.25 to
/// 0.75 scored alike). Applied to the keyword list only, the vector list's flat tails of
/// near-misses outvoted a keyword hit that named the answer (LoCoMo, see `BENCHMARKS.md`).
pub const STANDOUT: f32 = 0.5;

/// How each list's scores are made comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Standard scores: how far each hit stands out from its list.
    ZScore,
    /// Reciprocal rank fusion: `weight / (k + rank)`.
    ReciprocalRank,
}

impl Rule {
    /// The rule a setting names: `"z-score"` or `"rrf"`.
    pub fn named(name: &str) -> Option<Rule> {
        match name {
            "z-score" => Some(Rule::ZScore),
            "rrf" => Some(Rule::ReciprocalRank),
            _ => None,
        }
    }
}

/// How the two rankings are weighed against each other.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fusion {
    pub rule: Rule,
    /// Added to every rank by [`Rule::ReciprocalRank`]; larger flattens the difference
    /// between first and tenth place.
    pub k: f32,
    /// Weight of the vector (meaning) search.
    pub vector_weight: f32,
    /// Weight of the keyword (exact words) search.
    pub keyword_weight: f32,
}

impl Default for Fusion {
    fn default() -> Self {
        Fusion { rule: Rule::ZScore, k: 60.0, vector_weight: 1.0, keyword_weight: 1.0 }
    }
}

impl Fusion {
    /// Whether the parameters make a ranking; the error names the field at fault.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.k.is_finite() && self.k > 0.0) {
            return Err(format!("k: expected a finite number above 0, got {}", self.k));
        }
        for (name, weight) in
            [("vector_weight", self.vector_weight), ("keyword_weight", self.keyword_weight)]
        {
            if !(weight.is_finite() && weight >= 0.0) {
                return Err(format!("{name}: expected a finite number of 0 or more, got {weight}"));
            }
        }
        if self.vector_weight == 0.0 && self.keyword_weight == 0.0 {
            return Err("vector_weight, keyword_weight: must not both be 0".to_owned());
        }
        Ok(())
    }

    /// The ids of both lists (each best first, with its search's score) and their fused
    /// scores, best first. Fused scores are 0 or more.
    ///
    /// Ties keep the order in which ids first appear, the vector list before the keyword
    /// list, so the same input always gives the same ranking. An id repeated within one list
    /// counts once, at its best rank. A list whose weight is 0 is left out entirely, so its
    /// ids appear only if the other list has them. Parameters that do not
    /// [`validate`](Fusion::validate), or scores that are not finite, give a meaningless
    /// ranking but never a panic.
    pub fn fuse<S: AsRef<str>>(
        &self,
        vector: &[(S, f32)],
        keyword: &[(S, f32)],
    ) -> Vec<(String, f32)> {
        let mut fused: Vec<(String, f32)> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let lists = [(vector, self.vector_weight), (keyword, self.keyword_weight)];
        for (list, weight) in lists {
            if weight == 0.0 {
                continue;
            }
            let mut seen = HashSet::new();
            let firsts: Vec<(&str, f32)> = list
                .iter()
                .map(|(id, score)| (id.as_ref(), *score))
                .filter(|(id, _)| seen.insert(*id))
                .collect();
            let worth = match self.rule {
                Rule::ReciprocalRank => reciprocal_ranks(firsts.len(), self.k),
                Rule::ZScore => standing(&firsts),
            };
            for ((id, _), worth) in firsts.into_iter().zip(worth) {
                let at = *index.entry(id).or_insert_with(|| {
                    fused.push((id.to_owned(), 0.0));
                    fused.len() - 1
                });
                if let Some((_, total)) = fused.get_mut(at) {
                    *total += weight * worth;
                }
            }
        }
        sort_best_first(&mut fused);
        fused
    }
}

/// `1 / (k + rank)` for ranks 1 to `count`.
fn reciprocal_ranks(count: usize, k: f32) -> Vec<f32> {
    (1..=count).map(|rank| 1.0 / (k + rank as f32)).collect()
}

/// Each hit's standing in its list, in standard deviations beyond [`STANDOUT`] above the
/// list's mean (0 for those that do not stand out). A list of fewer than two distinct scores
/// stands out nowhere: all 0. A score that is not finite counts as 0 and is left out of the
/// statistics.
fn standing(list: &[(&str, f32)]) -> Vec<f32> {
    let scores: Vec<f32> = list.iter().map(|(_, score)| *score).filter(|s| s.is_finite()).collect();
    let count = scores.len() as f32;
    let mean = scores.iter().sum::<f32>() / count;
    let spread = (scores.iter().map(|s| (s - mean).powi(2)).sum::<f32>() / count).sqrt();
    if !(spread.is_finite() && spread > 0.0) {
        return vec![0.0; list.len()];
    }
    list.iter()
        .map(|(_, score)| match score.is_finite() {
            false => 0.0,
            true => ((score - mean) / spread - STANDOUT).max(0.0),
        })
        .collect()
}

/// Sorts by score, highest first, keeping the current order among equal scores; a NaN score
/// counts as the lowest rather than scrambling the order.
pub(crate) fn sort_best_first(ranking: &mut [(String, f32)]) {
    let key = |score: f32| if score.is_nan() { f32::NEG_INFINITY } else { score };
    ranking.sort_by(|a, b| key(b.1).total_cmp(&key(a.1)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(ranking: &[(String, f32)]) -> Vec<&str> {
        ranking.iter().map(|(id, _)| id.as_str()).collect()
    }

    /// `ids` best first, with scores falling by one from `ids.len()`.
    fn ranked<'a>(ids: &[&'a str]) -> Vec<(&'a str, f32)> {
        ids.iter().enumerate().map(|(n, id)| (*id, (ids.len() - n) as f32)).collect()
    }

    const RRF: Fusion =
        Fusion { rule: Rule::ReciprocalRank, k: 60.0, vector_weight: 1.0, keyword_weight: 1.0 };

    #[test]
    fn rrf_scores_are_weight_over_k_plus_rank_summed_over_lists() {
        let fusion = Fusion { k: 10.0, vector_weight: 2.0, ..RRF };
        let fused = fusion.fuse(&ranked(&["a", "b"]), &ranked(&["b", "c"]));
        let score = |id: &str| fused.iter().find(|(of, _)| of == id).map(|(_, score)| *score);
        assert_eq!(score("a"), Some(2.0 / 11.0));
        assert_eq!(score("b"), Some(2.0 / 12.0 + 1.0 / 11.0));
        assert_eq!(score("c"), Some(1.0 / 12.0));
        assert_eq!(ids(&fused), ["b", "a", "c"]);
    }

    #[test]
    fn found_by_both_beats_first_in_one() {
        for fusion in [RRF, Fusion::default()] {
            let fused = fusion.fuse(
                &[("x", 0.9), ("both", 0.8), ("v", 0.1)],
                &[("y", 9.0), ("both", 8.9), ("k", 1.0), ("l", 1.0), ("m", 1.0)],
            );
            assert_eq!(ids(&fused)[0], "both", "{fusion:?}: {fused:?}");
        }
    }

    #[test]
    fn a_hit_standing_out_in_either_list_rises_over_the_others_chance_matches() {
        let near_misses = [("job", 0.62), ("answer", 0.60), ("pet", 0.41), ("trip", 0.40)];
        // A rare word: one hit far above the rest, which share a common word.
        let rare = [("answer", 12.0), ("noise1", 2.1), ("noise2", 2.0), ("noise3", 1.9)];
        let fused = Fusion::default().fuse(&near_misses, &rare);
        assert_eq!(ids(&fused)[0], "answer");
        // The other way round: the model places the question, the words match by chance.
        let placed = [("answer", 0.80), ("job", 0.41), ("pet", 0.40), ("trip", 0.39)];
        let chance = [("noise1", 2.1), ("noise2", 2.0), ("noise3", 1.9), ("noise4", 1.8)];
        let fused = Fusion::default().fuse(&placed, &chance);
        assert_eq!(ids(&fused)[0], "answer");
        // Hits near their list's mean add nothing, whichever list they are in.
        let score = |id: &str| fused.iter().find(|(of, _)| of == id).map(|(_, score)| *score);
        assert_eq!((score("job"), score("noise3")), (Some(0.0), Some(0.0)));
    }

    #[test]
    fn fused_scores_are_never_negative() {
        let fused = Fusion::default()
            .fuse(&[("a", -0.2), ("b", -0.5), ("c", -0.9)], &[("d", 0.1), ("e", 5.0)]);
        assert!(fused.iter().all(|(_, score)| *score >= 0.0), "{fused:?}");
    }

    #[test]
    fn one_list_alone_keeps_its_order() {
        let list = ranked(&["a", "b", "c", "d"]);
        for fusion in [RRF, Fusion::default()] {
            let vector_only = Fusion { keyword_weight: 0.0, ..fusion };
            assert_eq!(ids(&vector_only.fuse(&list, &list)), ["a", "b", "c", "d"]);
            // Keyword hits that do not stand out all score 0, and ties keep their order.
            let keyword_only = Fusion { vector_weight: 0.0, ..fusion };
            assert_eq!(ids(&keyword_only.fuse(&[], &list)), ["a", "b", "c", "d"]);
        }
    }

    #[test]
    fn ties_keep_first_appearance_vector_list_first() {
        for fusion in [RRF, Fusion::default()] {
            let vector = [("v1", 0.5), ("v2", 0.5)];
            let keyword = [("k1", 1.0), ("k2", 1.0)];
            let fused = fusion.fuse(&vector, &keyword);
            let expected: &[&str] = match fusion.rule {
                Rule::ReciprocalRank => &["v1", "k1", "v2", "k2"],
                Rule::ZScore => &["v1", "v2", "k1", "k2"],
            };
            assert_eq!(ids(&fused), expected);
            assert_eq!(fused, fusion.fuse(&vector, &keyword));
        }
    }

    #[test]
    fn many_ties_stay_in_order() {
        let vector: Vec<(String, f32)> = (0..100).map(|i| (format!("v{i}"), 1.0)).collect();
        let keyword: Vec<(String, f32)> = (0..100).map(|i| (format!("k{i}"), 1.0)).collect();
        let fused = RRF.fuse(&vector, &keyword);
        let expected: Vec<&str> = vector
            .iter()
            .zip(&keyword)
            .flat_map(|((v, _), (k, _))| [v.as_str(), k.as_str()])
            .collect();
        assert_eq!(ids(&fused), expected);
    }

    #[test]
    fn a_repeated_id_counts_once_at_its_best_rank() {
        for fusion in [RRF, Fusion::default()] {
            let repeated = fusion.fuse(&[("a", 3.0), ("b", 2.0), ("a", 1.0), ("a", 0.5)], &[]);
            let once = fusion.fuse(&[("a", 3.0), ("b", 2.0), ("a", 1.0)], &[]);
            assert_eq!(ids(&repeated), ["a", "b"]);
            assert_eq!(ids(&once), ["a", "b"]);
        }
    }

    #[test]
    fn a_list_of_weight_zero_is_left_out() {
        let fusion = Fusion { keyword_weight: 0.0, ..RRF };
        let fused = fusion.fuse(&[("a", 1.0)], &ranked(&["b", "a"]));
        assert_eq!(fused, [("a".to_owned(), 1.0 / 61.0)]);
    }

    #[test]
    fn empty_lists_give_an_empty_ranking() {
        let none: [(&str, f32); 0] = [];
        for fusion in [RRF, Fusion::default()] {
            assert!(fusion.fuse(&none, &none).is_empty());
        }
    }

    #[test]
    fn rules_are_named_as_the_setting_names_them() {
        assert_eq!(Rule::named("z-score"), Some(Rule::ZScore));
        assert_eq!(Rule::named("rrf"), Some(Rule::ReciprocalRank));
        assert_eq!(Rule::named("RRF"), None);
    }

    #[test]
    fn validation_names_the_field() {
        assert_eq!(Fusion::default().validate(), Ok(()));
        let cases = [
            (Fusion { k: 0.0, ..Fusion::default() }, "k:"),
            (Fusion { k: f32::NAN, ..Fusion::default() }, "k:"),
            (Fusion { k: f32::INFINITY, ..Fusion::default() }, "k:"),
            (Fusion { vector_weight: -1.0, ..Fusion::default() }, "vector_weight:"),
            (Fusion { keyword_weight: f32::NAN, ..Fusion::default() }, "keyword_weight:"),
            (Fusion { vector_weight: 0.0, keyword_weight: 0.0, ..Fusion::default() }, "both be 0"),
        ];
        for (fusion, expected) in cases {
            let error = fusion.validate().unwrap_err();
            assert!(error.contains(expected), "{fusion:?} gave {error:?}");
        }
        assert_eq!(Fusion { vector_weight: 0.0, ..Fusion::default() }.validate(), Ok(()));
    }

    #[test]
    fn invalid_parameters_and_scores_do_not_panic() {
        for rule in [Rule::ZScore, Rule::ReciprocalRank] {
            for k in [-1.0, 0.0, f32::NAN, f32::INFINITY] {
                let fusion = Fusion { rule, k, vector_weight: f32::NAN, keyword_weight: -1.0 };
                let odd = [("a", f32::NAN), ("b", f32::INFINITY), ("c", 1.0)];
                assert_eq!(fusion.fuse(&odd, &[("b", f32::NEG_INFINITY)]).len(), 3);
            }
        }
    }
}
