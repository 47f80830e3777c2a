//! Identifiers a query names: order numbers, parcel and ticket numbers, versions, error codes,
//! booking references. The keyword index cuts them into pieces at every punctuation mark
//! ("INV-2025-0784" is "inv", "2025" and "0784" to it; "v4.30.1" is "v4", "30" and "1"), so
//! it ranks a memory of INV-2025-0751 or v4.30.12 nearly as high as the one asked about, and
//! a sentence's embedding hardly tells two such numbers apart at all. A memory that names
//! the identifier itself, as a whole word, is what the question is about: it comes first.
//!
//! An identifier is a word with a digit in it, two characters or more, compared without
//! case and without the punctuation around it ("#A-40306," names "a-40306"; "locker 98?"
//! names "98").

/// The identifiers of a query, lowercased, each once, in the order they first appear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identifiers(Vec<String>);

impl Identifiers {
    /// The identifiers `query` names; none when it names no word with a digit.
    pub fn of(query: &str) -> Identifiers {
        let mut found: Vec<String> = Vec::new();
        for word in words(query).filter(|word| is_identifier(word)) {
            if !found.contains(&word) {
                found.push(word);
            }
        }
        Identifiers(found)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many of the identifiers `text` names, each as a whole word.
    pub fn named_in(&self, text: &str) -> usize {
        if self.0.is_empty() {
            return 0;
        }
        let named: Vec<String> = words(text).filter(|word| self.0.contains(word)).collect();
        self.0.iter().filter(|identifier| named.contains(identifier)).count()
    }

    /// Lifts the hits of `ranking` (best first, scores 0 or more) whose text names
    /// identifiers above every hit that names fewer, keeping the order among hits that name
    /// as many. Each identifier a hit names adds one more than the best score of the ranking,
    /// so the lift survives relations blended in afterwards, which never add more than a
    /// parent's own score. A hit without a text (`text_of` gives `None`) names none.
    pub fn promote<'a>(
        &self,
        ranking: &mut [(String, f32)],
        text_of: impl Fn(&str) -> Option<&'a str>,
    ) {
        if self.0.is_empty() {
            return;
        }
        let best =
            ranking.iter().map(|(_, score)| *score).filter(|s| s.is_finite()).fold(0.0, f32::max);
        let lift = best + 1.0;
        for (id, score) in ranking.iter_mut() {
            let named = text_of(id).map_or(0, |text| self.named_in(text));
            *score += named as f32 * lift;
        }
        crate::fusion::sort_best_first(ranking);
    }
}

/// The words of `text`: split at white space, stripped of the punctuation around them and of
/// a possessive "'s", lowercased. Punctuation inside a word stays ("inv-2025-0784", "v4.30.1").
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split_whitespace().filter_map(|word| {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        let word = ["'s", "’s"].iter().find_map(|s| word.strip_suffix(s)).unwrap_or(word);
        (!word.is_empty()).then(|| word.to_lowercase())
    })
}

fn is_identifier(word: &str) -> bool {
    word.chars().count() >= 2 && word.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(query: &str) -> Vec<String> {
        Identifiers::of(query).0
    }

    #[test]
    fn identifiers_are_words_with_a_digit_without_the_punctuation_around_them() {
        assert_eq!(of("What was invoice INV-2025-0784 for?"), ["inv-2025-0784"]);
        assert_eq!(of("What's case #A-40306 about?"), ["a-40306"]);
        assert_eq!(of("What's different in release v4.30.1?"), ["v4.30.1"]);
        assert_eq!(of("What did I leave in locker number 98?"), ["98"]);
        assert_eq!(of("Is BJJU48's date (BJJU48) the same as F12?"), ["bjju48", "f12"]);
    }

    #[test]
    fn words_without_digits_and_single_digits_are_not_identifiers() {
        assert!(Identifiers::of("Where does my sister Lena live?").is_empty());
        assert!(Identifiers::of("Do I have 2 cats?").is_empty());
        assert!(Identifiers::of("").is_empty());
    }

    #[test]
    fn a_text_names_an_identifier_only_as_a_whole_word() {
        let ids = Identifiers::of("What's new in v4.30.1?");
        assert_eq!(ids.named_in("Release v4.30.1, finally."), 1);
        assert_eq!(ids.named_in("Upgraded to V4.30.1: faster."), 1);
        assert_eq!(ids.named_in("Release v4.30.12 is out."), 0);
        assert_eq!(ids.named_in("v4 30 1"), 0);
        let two = Identifiers::of("Is INV-2025-0784 for order 4417?");
        assert_eq!(two.named_in("INV-2025-0784 covers order 4417."), 2);
        assert_eq!(two.named_in("Order 4417 shipped."), 1);
    }

    #[test]
    fn hits_naming_the_identifier_come_first_in_their_order() {
        let ids = Identifiers::of("What was invoice INV-2025-0784 for?");
        let texts = [
            ("a", "Invoice INV-2025-0751 was for a website."),
            ("b", "Need to follow up on my invoice INV-2025-0784."),
            ("c", "Invoices are such a chore."),
            ("d", "Raised INV-2025-0784 to cover tutoring."),
        ];
        let mut ranking: Vec<(String, f32)> = [("a", 3.0), ("c", 2.5), ("b", 1.0), ("d", 0.2)]
            .map(|(id, s)| (id.to_owned(), s))
            .to_vec();
        let text_of = |id: &str| texts.iter().find(|(of, _)| *of == id).map(|(_, text)| *text);
        ids.promote(&mut ranking, text_of);
        let order: Vec<&str> = ranking.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(order, ["b", "d", "a", "c"]);
        assert!(ranking[1].1 > 3.0, "above the best score before: {ranking:?}");
    }

    #[test]
    fn a_query_without_identifiers_leaves_the_ranking_alone() {
        let mut ranking = vec![("a".to_owned(), 1.0), ("b".to_owned(), 2.0)];
        Identifiers::of("what do I like?").promote(&mut ranking, |_| Some("42 42"));
        assert_eq!(ranking, [("a".to_owned(), 1.0), ("b".to_owned(), 2.0)]);
    }

    #[test]
    fn odd_scores_and_missing_texts_do_not_panic() {
        let ids = Identifiers::of("order 4417");
        let mut ranking = vec![
            ("a".to_owned(), f32::NAN),
            ("b".to_owned(), f32::INFINITY),
            ("c".to_owned(), 0.0),
        ];
        ids.promote(&mut ranking, |id| (id == "c").then_some("order 4417"));
        assert_eq!(ranking[0].0, "b");
        assert_eq!(ranking.len(), 3);
    }
}
