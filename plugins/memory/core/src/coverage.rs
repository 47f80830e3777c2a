//! How much of a question a memory covers: the share of the question's terms it holds.
//!
//! BM25 adds up what each matched term is worth, so a memory that holds one rare term of the
//! question twice can outscore one that holds every term of it once. Weighing a keyword hit
//! by its coverage, squared, is Lucene's classic `coord` factor made steeper: on LoCoMo it
//! lifted keyword recall@5 more than any other single change to fusion (see
//! `BENCHMARKS.md`), and on the in-repo sets it changed nothing. Terms are counted the way
//! the store's BM25 matches them ([`dcmaid_index::analyze`]: folded, lowercased, stemmed),
//! so "dogs" covers "dog", in any language the analyzer folds to ASCII.

use std::collections::HashSet;

/// The distinct terms of a question, for [`Question::coverage`].
pub struct Question {
    terms: HashSet<String>,
}

impl Question {
    /// The terms of `words`: the words of the question the keyword search was asked.
    pub fn of(words: &str) -> Question {
        Question { terms: dcmaid_index::analyze(words).into_iter().collect() }
    }

    /// The share of the question's terms `text` holds, 0 to 1; 1 for a question without terms
    /// (nothing to cover).
    pub fn coverage(&self, text: &str) -> f32 {
        if self.terms.is_empty() {
            return 1.0;
        }
        let held: HashSet<String> = dcmaid_index::analyze(text).into_iter().collect();
        let covered = self.terms.iter().filter(|term| held.contains(*term)).count();
        covered as f32 / self.terms.len() as f32
    }

    /// `score`, a keyword search's score of `text`, weighed by the coverage squared.
    pub fn weigh(&self, score: f32, text: &str) -> f32 {
        let coverage = self.coverage(text);
        score * coverage * coverage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_counts_distinct_terms_as_the_store_matches_them() {
        let question = Question::of("dogs walking park");
        assert_eq!(question.coverage("I walked my dog in the Park"), 1.0);
        assert_eq!(question.coverage("my dog, my dog, my dog"), 1.0 / 3.0);
        assert_eq!(question.coverage("nothing here"), 0.0);
        assert_eq!(Question::of("Café").coverage("the cafe on the corner"), 1.0);
    }

    #[test]
    fn a_memory_holding_all_the_question_outweighs_one_repeating_a_term() {
        let question = Question::of("biscuit vet appointment");
        let repeating = question.weigh(9.0, "biscuit biscuit biscuit");
        let answering = question.weigh(6.0, "Biscuit has a vet appointment on Friday");
        assert!(answering > repeating, "{answering} against {repeating}");
        assert_eq!(answering, 6.0);
    }

    #[test]
    fn a_question_without_terms_leaves_scores_alone() {
        let question = Question::of("?!");
        assert_eq!(question.weigh(2.5, "anything"), 2.5);
    }
}
