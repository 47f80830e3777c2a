//! Reciprocal rank fusion: one ranking from the vector search and the keyword search.
//!
//! The two searches score on scales that cannot be compared (cosine similarity against BM25),
//! so only the ranks are used: an id earns `weight / (k + rank)` from each list it is in. A
//! memory both searches rank well beats one that only one of them found at the top, and `k`
//! damps how much the very first places dominate. Cormack, Clarke and Büttcher (2009) found
//! `k = 60` a good constant across collections.

use std::collections::{HashMap, HashSet};

/// How the two rankings are weighed against each other.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fusion {
    /// Added to every rank; larger flattens the difference between first and tenth place.
    pub k: f32,
    /// Weight of the vector (meaning) search.
    pub vector_weight: f32,
    /// Weight of the keyword (exact words) search.
    pub keyword_weight: f32,
}

impl Default for Fusion {
    fn default() -> Self {
        Fusion { k: 60.0, vector_weight: 1.0, keyword_weight: 1.0 }
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

    /// The ids of both lists (each best first) with their fused scores, best first.
    ///
    /// Ties keep the order in which ids first appear, the vector list before the keyword
    /// list, so the same input always gives the same ranking. An id repeated within one list
    /// counts once, at its best rank. A list whose weight is 0 is left out entirely, so its
    /// ids appear only if the other list has them. Parameters that do not
    /// [`validate`](Fusion::validate) give a meaningless ranking but never a panic.
    pub fn fuse<S: AsRef<str>>(&self, vector: &[S], keyword: &[S]) -> Vec<(String, f32)> {
        let mut fused: Vec<(String, f32)> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (list, weight) in [(vector, self.vector_weight), (keyword, self.keyword_weight)] {
            if weight == 0.0 {
                continue;
            }
            let mut seen = HashSet::new();
            let firsts = list.iter().map(AsRef::as_ref).filter(|id| seen.insert(*id));
            for (index_in_list, id) in firsts.enumerate() {
                let rank = index_in_list as f32 + 1.0;
                let score = weight / (self.k + rank);
                let at = *index.entry(id).or_insert_with(|| {
                    fused.push((id.to_owned(), 0.0));
                    fused.len() - 1
                });
                if let Some((_, total)) = fused.get_mut(at) {
                    *total += score;
                }
            }
        }
        sort_best_first(&mut fused);
        fused
    }
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

    #[test]
    fn scores_are_weight_over_k_plus_rank_summed_over_lists() {
        let fusion = Fusion { k: 10.0, vector_weight: 2.0, keyword_weight: 1.0 };
        let fused = fusion.fuse(&["a", "b"], &["b", "c"]);
        let score = |id: &str| fused.iter().find(|(of, _)| of == id).map(|(_, score)| *score);
        assert_eq!(score("a"), Some(2.0 / 11.0));
        assert_eq!(score("b"), Some(2.0 / 12.0 + 1.0 / 11.0));
        assert_eq!(score("c"), Some(1.0 / 12.0));
        assert_eq!(ids(&fused), ["b", "a", "c"]);
    }

    #[test]
    fn found_by_both_beats_first_in_one() {
        let fused = Fusion::default().fuse(&["x", "both"], &["y", "both"]);
        assert_eq!(ids(&fused), ["both", "x", "y"]);
    }

    #[test]
    fn ties_keep_first_appearance_vector_list_first() {
        let fused = Fusion::default().fuse(&["v1", "v2"], &["k1", "k2"]);
        assert_eq!(ids(&fused), ["v1", "k1", "v2", "k2"]);
        let again = Fusion::default().fuse(&["v1", "v2"], &["k1", "k2"]);
        assert_eq!(fused, again);
    }

    #[test]
    fn many_ties_stay_in_order() {
        let vector: Vec<String> = (0..100).map(|i| format!("v{i}")).collect();
        let keyword: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        let fused = Fusion::default().fuse(&vector, &keyword);
        let expected: Vec<&str> =
            vector.iter().zip(&keyword).flat_map(|(v, k)| [v.as_str(), k.as_str()]).collect();
        assert_eq!(ids(&fused), expected);
    }

    #[test]
    fn a_repeated_id_counts_once_at_its_best_rank() {
        let fusion = Fusion::default();
        let repeated = fusion.fuse(&["a", "b", "a", "a"], &[]);
        assert_eq!(repeated, fusion.fuse(&["a", "b"], &[]));
    }

    #[test]
    fn a_list_of_weight_zero_is_left_out() {
        let fusion = Fusion { keyword_weight: 0.0, ..Fusion::default() };
        let fused = fusion.fuse(&["a"], &["b", "a"]);
        assert_eq!(fused, [("a".to_owned(), 1.0 / 61.0)]);
    }

    #[test]
    fn empty_lists_give_an_empty_ranking() {
        let none: [&str; 0] = [];
        assert!(Fusion::default().fuse(&none, &none).is_empty());
    }

    #[test]
    fn owned_ids_work_too() {
        let vector = vec!["a".to_owned()];
        let fused = Fusion::default().fuse(&vector, &[]);
        assert_eq!(ids(&fused), ["a"]);
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
            (Fusion { vector_weight: 0.0, keyword_weight: 0.0, k: 60.0 }, "both be 0"),
        ];
        for (fusion, expected) in cases {
            let error = fusion.validate().unwrap_err();
            assert!(error.contains(expected), "{fusion:?} gave {error:?}");
        }
        assert_eq!(Fusion { vector_weight: 0.0, ..Fusion::default() }.validate(), Ok(()));
    }

    #[test]
    fn invalid_parameters_do_not_panic() {
        for k in [-1.0, 0.0, f32::NAN, f32::INFINITY] {
            let fusion = Fusion { k, vector_weight: f32::NAN, keyword_weight: -1.0 };
            assert_eq!(fusion.fuse(&["a", "b"], &["b"]).len(), 2);
        }
    }
}
