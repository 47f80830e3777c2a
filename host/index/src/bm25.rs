//! BM25 ranking over [`Text`]: a document's score is the sum, over the distinct query terms it
//! holds, of `idf × tf × (k1 + 1) / (tf + k1 × (1 − b + b × length / average length))`, with
//! Lucene's non-negative idf `ln(1 + (N − df + 0.5) / (df + 0.5))`.
//!
//! N and df are collection-wide, not restricted to the filter: that is what SurrealDB and
//! Lucene do, and it needs no counting per query.
//!
//! Only documents in some query term's postings are visited, document at a time: the term
//! lists are merged in document order and each document is scored once, so no accumulator
//! array is needed. A filter either rides along as one more sorted list, or, when it is
//! smaller than the postings, drives the walk itself.

use std::cmp::Ordering;

use crate::postings::Cursor;
use crate::text::{Postings, Text};
use crate::topk::{Scored, TopK};

const K1: f32 = 1.2;
const B: f32 = 0.75;

/// One query term's postings and weight.
struct Term<'a> {
    postings: &'a Postings,
    idf: f32,
}

/// The best `limit` documents of `candidates` (`None` = all) for the distinct `terms`.
pub fn search(
    text: &Text,
    terms: &[String],
    candidates: Option<&[u32]>,
    limit: usize,
    ties: impl Fn(u32, u32) -> Ordering,
) -> Vec<Scored> {
    let terms = weigh(text, terms);
    if limit == 0 || terms.is_empty() {
        return Vec::new();
    }
    let mut top = TopK::new(limit, ties);
    let scorer = Scorer::new(text);
    let postings: usize = terms.iter().map(|t| t.postings.docs.len()).sum();
    match candidates {
        // Each walk costs about its driving list's length (the other side is galloped over).
        Some(filter) if filter.len() < postings => by_filter(&terms, filter, &scorer, &mut top),
        _ => by_postings(&terms, candidates, &scorer, &mut top),
    }
    top.into_sorted()
}

/// The query terms some document holds, with their idf.
fn weigh<'a>(text: &'a Text, terms: &[String]) -> Vec<Term<'a>> {
    let n = text.documents() as f32;
    terms
        .iter()
        .filter_map(|term| text.postings(term))
        .map(|postings| {
            let df = postings.docs.len() as f32;
            Term { postings, idf: (1.0 + (n - df + 0.5) / (df + 0.5)).ln() }
        })
        .collect()
}

/// Length normalisation, from the document lengths and their mean.
struct Scorer<'a> {
    lengths: &'a [u32],
    /// `k1 × b / average length`, so a document's denominator is one multiply-add.
    per_length: f32,
}

impl<'a> Scorer<'a> {
    fn new(text: &'a Text) -> Self {
        let average = text.average_length();
        let per_length = if average > 0.0 { K1 * B / average } else { 0.0 };
        Scorer { lengths: text.lengths(), per_length }
    }

    /// `k1 × (1 − b + b × length / average)` for `doc`.
    fn norm(&self, doc: u32) -> f32 {
        K1 * (1.0 - B) + self.per_length * self.lengths[doc as usize] as f32
    }

    fn term(idf: f32, frequency: u32, norm: f32) -> f32 {
        let tf = frequency as f32;
        idf * tf * (K1 + 1.0) / (tf + norm)
    }
}

/// Walk the union of the term postings in document order, keeping those in `filter`.
fn by_postings<F: Fn(u32, u32) -> Ordering>(
    terms: &[Term<'_>],
    filter: Option<&[u32]>,
    scorer: &Scorer<'_>,
    top: &mut TopK<F>,
) {
    let mut filter = filter.map(Cursor::new);
    let mut at = vec![0usize; terms.len()];
    loop {
        // The smallest document any term is at: the next one to score.
        let next =
            terms.iter().zip(&at).filter_map(|(term, &i)| term.postings.docs.get(i).copied()).min();
        let Some(doc) = next else { break };
        let admitted = filter.as_mut().is_none_or(|f| f.seek(doc));
        let norm = scorer.norm(doc);
        let mut score = 0.0;
        for (term, i) in terms.iter().zip(&mut at) {
            if term.postings.docs.get(*i) == Some(&doc) {
                if admitted {
                    score += Scorer::term(term.idf, term.postings.frequencies[*i], norm);
                }
                *i += 1;
            }
        }
        if admitted {
            top.push(score, doc);
        }
    }
}

/// Walk `filter`'s documents, looking each up in the term postings.
fn by_filter<F: Fn(u32, u32) -> Ordering>(
    terms: &[Term<'_>],
    filter: &[u32],
    scorer: &Scorer<'_>,
    top: &mut TopK<F>,
) {
    let mut cursors: Vec<Cursor<'_>> =
        terms.iter().map(|term| Cursor::new(&term.postings.docs)).collect();
    for &doc in filter {
        let mut score = None;
        for (term, cursor) in terms.iter().zip(&mut cursors) {
            if cursor.seek(doc) {
                let frequency = term.postings.frequencies[cursor.position()];
                let norm = scorer.norm(doc);
                *score.get_or_insert(0.0) += Scorer::term(term.idf, frequency, norm);
            }
        }
        if let Some(score) = score {
            top.push(score, doc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(text: &Text, query: &[&str], filter: Option<&[u32]>) -> Vec<(u32, f32)> {
        let terms: Vec<String> = query.iter().map(|t| (*t).to_owned()).collect();
        search(text, &terms, filter, 100, |a, b| a.cmp(&b))
            .into_iter()
            .map(|s| (s.doc, s.score))
            .collect()
    }

    #[test]
    fn matches_the_formula() {
        let mut text = Text::default();
        text.add(0, "apple apple banana");
        text.add(1, "banana cherry");
        // N = 2, average length 2.5; "apple": df 1, tf 2 in a document of length 3.
        let idf = (1.0f32 + (2.0 - 1.0 + 0.5) / 1.5).ln();
        let norm = 1.2 * (1.0 - 0.75 + 0.75 * 3.0 / 2.5);
        let expected = idf * 2.0 * 2.2 / (2.0 + norm);
        let got = ranked(&text, &["appl"], None);
        assert_eq!(got.len(), 1);
        assert!((got[0].1 - expected).abs() < 1e-6, "{got:?} vs {expected}");
    }

    #[test]
    fn both_walks_agree_with_and_without_filters() {
        let mut text = Text::default();
        for doc in 0..200u32 {
            let words = ["alpha", "beta", "gamma", "delta"];
            let body: Vec<&str> =
                (0..(doc % 7 + 1)).map(|i| words[((doc + i * 3) % 4) as usize]).collect();
            text.add(doc, &body.join(" "));
        }
        let query = ["alpha".to_owned(), "gamma".to_owned()];
        let terms = weigh(&text, &query);
        let scorer = Scorer::new(&text);
        let walk = |filter: Option<&[u32]>, driven_by_filter: bool| {
            let mut top = TopK::new(1_000, |a: u32, b: u32| a.cmp(&b));
            match filter {
                Some(filter) if driven_by_filter => by_filter(&terms, filter, &scorer, &mut top),
                _ => by_postings(&terms, filter, &scorer, &mut top),
            }
            top.into_sorted()
        };
        let unfiltered = walk(None, false);
        assert!(!unfiltered.is_empty());
        let all: Vec<u32> = (0..200).collect();
        let some: Vec<u32> = (0..200).filter(|d| d % 5 != 0).collect();
        let expected: Vec<Scored> =
            unfiltered.iter().copied().filter(|s| some.contains(&s.doc)).collect();
        for driven_by_filter in [false, true] {
            assert_eq!(walk(Some(&all), driven_by_filter), unfiltered);
            assert_eq!(walk(Some(&some), driven_by_filter), expected);
            assert!(walk(Some(&[]), driven_by_filter).is_empty());
        }
    }
}
