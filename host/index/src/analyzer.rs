//! Text analysis: the host's SurrealDB analyzer
//! (`TOKENIZERS blank, punct FILTERS lowercase, ascii, snowball(english)`), re-implemented so
//! that this index and SurrealDB split and normalise text the same way.
//!
//! SurrealDB's tokenizers keep runs of alphabetic or numeric characters together; whitespace
//! and any other character that is not ASCII punctuation end a token and are dropped. The one
//! deliberate difference: SurrealDB's `punct` tokenizer keeps each ASCII punctuation mark as a
//! one-character term, so a query "what's up?" would match every document holding a `?`. Here
//! punctuation only separates words and is never a term.
//!
//! Each token then goes through the same filters, in the same order, using the same crates:
//! Unicode lowercase, `deunicode` ASCII folding, and the Snowball English stemmer (which
//! lowercases its input again, as SurrealDB's filter does, since folding can bring back
//! capitals: "Æ" folds to "AE").

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

/// Built once: the stemmer is a table of function pointers, cheap to share between threads.
static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// The terms of `text`, in order, repeats kept (term frequencies need them).
pub fn analyze(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for token in text.split(|c: char| !is_word_char(c)) {
        if let Some(term) = normalize(token) {
            terms.push(term);
        }
    }
    terms
}

/// A character that belongs to a word: SurrealDB's alphabetic and numeric classes.
fn is_word_char(c: char) -> bool {
    c.is_alphabetic() || c.is_numeric()
}

/// One token through the filters; `None` when a filter leaves nothing (as SurrealDB drops
/// empty terms).
fn normalize(token: &str) -> Option<String> {
    if token.is_empty() {
        return None;
    }
    // ASCII tokens, nearly all of them, skip the Unicode work: for ASCII input `deunicode` is
    // the identity and Unicode lowercase is ASCII lowercase.
    let folded = if token.is_ascii() {
        token.to_ascii_lowercase()
    } else {
        deunicode::deunicode(&token.to_lowercase()).to_lowercase()
    };
    let stemmed = ENGLISH.stem(&folded).into_owned();
    (!stemmed.is_empty()).then_some(stemmed)
}

#[cfg(test)]
mod tests {
    use super::analyze;

    #[test]
    fn splits_on_whitespace_and_punctuation() {
        assert_eq!(
            analyze("hello, world!  foo-bar\tbaz.qux"),
            ["hello", "world", "foo", "bar", "baz", "qux"]
        );
        assert_eq!(analyze("don't"), ["don", "t"]);
        assert_eq!(analyze("a@b.com"), ["a", "b", "com"]);
    }

    #[test]
    fn punctuation_and_symbols_alone_give_no_terms() {
        assert!(analyze("?!... --- ,;: € →").is_empty());
        assert!(analyze("").is_empty());
        assert!(analyze("   \n\t").is_empty());
    }

    #[test]
    fn lowercases() {
        assert_eq!(analyze("HELLO Hello hello"), ["hello", "hello", "hello"]);
    }

    #[test]
    fn folds_to_ascii() {
        assert_eq!(analyze("Tromsø"), ["tromso"]);
        assert_eq!(analyze("café"), ["cafe"]);
        assert_eq!(analyze("CAFÉ"), ["cafe"]);
        assert_eq!(analyze("Ærø"), ["aero"]);
    }

    #[test]
    fn stems_english() {
        assert_eq!(analyze("running runs dogs"), ["run", "run", "dog"]);
        assert_eq!(analyze("Connection connected connecting"), ["connect", "connect", "connect"]);
    }

    #[test]
    fn keeps_numbers_and_mixed_tokens() {
        assert_eq!(analyze("2024 mp3 v1.2"), ["2024", "mp3", "v1", "2"]);
    }
}
