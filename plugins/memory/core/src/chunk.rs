//! Long texts cut into overlapping chunks for embedding. An embedding of a whole document
//! blurs its topics together and embedding models truncate long inputs, so a memory is
//! stored as pieces of about [`MAX_TOKENS`] tokens; the overlap keeps a thought that
//! straddles a cut findable from either side.
//!
//! There is no tokenizer in the plugin, so tokens are estimated per word (see
//! [`estimate_tokens`]). Cuts go at sentence ends where possible and at word boundaries when a
//! single sentence is longer than a chunk, never inside a word. A chunk is a slice of the
//! original text, so its punctuation and line breaks are kept.

use std::ops::Range;

/// The default size of a chunk, in estimated tokens: well within the input limit of common
/// embedding models, and small enough that one chunk is about one topic.
pub const MAX_TOKENS: usize = 500;

/// The default overlap between consecutive chunks, in estimated tokens: a sentence or two.
pub const OVERLAP_TOKENS: usize = 50;

/// The estimated tokens of `text`: each whitespace-separated word counts as a quarter of its
/// characters, rounded up, and at least 1. English averages about four characters per token,
/// and counting per word means a word never straddles two chunks' budgets.
pub fn estimate_tokens(text: &str) -> usize {
    text.split_whitespace().map(word_tokens).fold(0, usize::saturating_add)
}

/// A word is never empty, so this is at least 1.
fn word_tokens(word: &str) -> usize {
    word.chars().count().div_ceil(4)
}

/// `text` cut into chunks of at most `max_tokens` estimated tokens, each after the first
/// starting with the last sentences (or words) of the one before, totalling at most
/// `overlap_tokens`.
///
/// Text of at most `max_tokens` comes back as one chunk, trimmed; blank text gives no chunks.
/// A single word longer than `max_tokens` becomes a chunk of its own rather than being cut.
/// `max_tokens` of 0 is taken as 1, and `overlap_tokens` is clamped to half of `max_tokens`
/// so that every chunk brings new text and the cutting always ends.
pub fn chunk(text: &str, max_tokens: usize, overlap_tokens: usize) -> Vec<String> {
    let max = max_tokens.max(1);
    let overlap = overlap_tokens.min(max / 2);
    let units = units(text, max);
    let mut chunks = Vec::new();
    // The chunk being filled is `units[start..i]`, worth `tokens`.
    let mut start = 0;
    let mut tokens: usize = 0;
    for (i, unit) in units.iter().enumerate() {
        if i > start && tokens.saturating_add(unit.tokens) > max {
            chunks.push(slice(text, &units[start..i]));
            // Step back over the last units of the closed chunk that fit in the overlap.
            let mut next = i;
            let mut carried: usize = 0;
            while next > start && carried.saturating_add(units[next - 1].tokens) <= overlap {
                next -= 1;
                carried += units[next].tokens;
            }
            // Drop carried units again if they leave no room for this one. This also keeps
            // the whole closed chunk from being carried: it plus this unit did not fit.
            while next < i && carried.saturating_add(unit.tokens) > max {
                carried -= units[next].tokens;
                next += 1;
            }
            start = next;
            tokens = carried;
        }
        tokens = tokens.saturating_add(unit.tokens);
    }
    if start < units.len() {
        chunks.push(slice(text, &units[start..]));
    }
    chunks
}

/// The smallest pieces a chunk is built from: a sentence, or a word of a sentence that does
/// not fit in a chunk by itself.
struct Unit {
    /// Byte range in the text, trimmed, never empty.
    span: Range<usize>,
    tokens: usize,
}

fn units(text: &str, max: usize) -> Vec<Unit> {
    let mut units = Vec::new();
    for sentence in sentences(text) {
        let words = words(text, sentence.clone());
        let tokens = words.iter().map(|word| word_tokens(&text[word.clone()])).sum();
        if tokens <= max {
            units.push(Unit { span: sentence, tokens });
        } else {
            units.extend(words.into_iter().map(|word| {
                let tokens = word_tokens(&text[word.clone()]);
                Unit { span: word, tokens }
            }));
        }
    }
    units
}

/// The sentences of `text` as trimmed, non-empty byte ranges. A sentence ends after `.`, `!`
/// or `?` followed by whitespace, and at every line break, so lists and chat logs split per
/// line. Abbreviations like "e.g. " end a sentence too; a cut there costs nothing.
fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut sentences = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let end = match c {
            '\n' => at,
            '.' | '!' | '?' if chars.peek().is_some_and(|(_, next)| next.is_whitespace()) => {
                at + c.len_utf8()
            }
            _ => continue,
        };
        push_trimmed(text, start..end, &mut sentences);
        start = end;
    }
    push_trimmed(text, start..text.len(), &mut sentences);
    sentences
}

fn push_trimmed(text: &str, range: Range<usize>, into: &mut Vec<Range<usize>>) {
    let Some(piece) = text.get(range.clone()) else { return };
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if !trimmed.is_empty() {
        let start = range.start + lead;
        into.push(start..start + trimmed.len());
    }
}

/// The words of `text[range]` as byte ranges into `text`.
fn words(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let Some(piece) = text.get(range.clone()) else { return Vec::new() };
    let mut words = Vec::new();
    let mut word_start = None;
    for (at, c) in piece.char_indices() {
        match (c.is_whitespace(), word_start) {
            (true, Some(start)) => {
                words.push(range.start + start..range.start + at);
                word_start = None;
            }
            (false, None) => word_start = Some(at),
            _ => {}
        }
    }
    if let Some(start) = word_start {
        words.push(range.start + start..range.end);
    }
    words
}

/// The text from the first unit's start to the last unit's end.
fn slice(text: &str, units: &[Unit]) -> String {
    match (units.first(), units.last()) {
        (Some(first), Some(last)) => {
            text.get(first.span.start..last.span.end).unwrap_or_default().to_owned()
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sentences of the given lengths, of distinct four-letter words (one token each; the
    /// last word of a sentence carries the full stop and so counts two).
    fn prose(lengths: impl IntoIterator<Item = usize>) -> String {
        let mut next = 0u32;
        let mut word = || {
            let n = next;
            next += 1;
            (0..4)
                .rev()
                .map(|place| {
                    char::from(b'a' + u8::try_from(n / 26u32.pow(place) % 26).unwrap_or(0))
                })
                .collect::<String>()
        };
        let sentences: Vec<String> = lengths
            .into_iter()
            .map(|length| format!("{}.", (0..length).map(|_| word()).collect::<Vec<_>>().join(" ")))
            .collect();
        sentences.join(" ")
    }

    #[test]
    fn tokens_are_a_quarter_of_each_words_characters_rounded_up() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("a"), 1);
        assert_eq!(estimate_tokens("abcd"), 1);
        assert_eq!(estimate_tokens("abcde"), 2);
        assert_eq!(estimate_tokens("  a  bb\tccc\ndddd "), 4);
        assert_eq!(estimate_tokens("日本語の文"), 2, "characters, not bytes");
    }

    #[test]
    fn blank_text_gives_no_chunks() {
        assert!(chunk("", 10, 2).is_empty());
        assert!(chunk(" \n\t  \n", 10, 2).is_empty());
    }

    #[test]
    fn short_text_comes_back_whole_and_trimmed() {
        let text = "  First line.\nSecond one!  ";
        assert_eq!(chunk(text, 10, 2), ["First line.\nSecond one!"]);
        assert_eq!(chunk("exactly four tiny words", 6, 1), ["exactly four tiny words"]);
    }

    #[test]
    fn cuts_fall_at_sentence_ends() {
        let text = "a b c. d e f! g h i? j k.";
        assert_eq!(chunk(text, 6, 0), ["a b c. d e f!", "g h i? j k."]);
        assert_eq!(chunk(text, 8, 0), ["a b c. d e f!", "g h i? j k."], "not mid-sentence");
        for mark in ['.', '!', '?'] {
            let text = format!("a b c{mark} d e. f g h.");
            assert_eq!(
                chunk(&text, 4, 0),
                [format!("a b c{mark}"), "d e.".into(), "f g h.".into()]
            );
        }
    }

    #[test]
    fn line_breaks_end_sentences_and_are_kept_inside_a_chunk() {
        let text = "ab cd\nef gh\r\nij kl";
        assert_eq!(chunk(text, 4, 0), ["ab cd\nef gh", "ij kl"]);
        // Without the line break this would be one sentence, cut after "gh".
        assert_eq!(chunk("ab cd ef\ngh ij", 4, 0), ["ab cd ef", "gh ij"]);
    }

    #[test]
    fn a_dot_inside_a_word_does_not_end_a_sentence() {
        let text = "see example.com now. and 3.14 too";
        assert_eq!(chunk(text, 5, 0), ["see example.com now.", "and 3.14 too"]);
    }

    #[test]
    fn overlap_repeats_the_last_sentences_of_the_previous_chunk() {
        let text = "a b. c d. e f. g h. i j.";
        assert_eq!(chunk(text, 4, 2), ["a b. c d.", "c d. e f.", "e f. g h.", "g h. i j."]);
    }

    #[test]
    fn overlap_gives_way_when_the_next_sentence_needs_the_room() {
        // "d e f." would fit in the overlap, but not together with the 5-token sentence.
        let text = "a b c. d e f. g h i j k.";
        assert_eq!(chunk(text, 6, 3), ["a b c. d e f.", "g h i j k."]);
        // Here the overlap fits beside the next sentence.
        assert_eq!(chunk("a b c. d e f. g h.", 6, 3), ["a b c. d e f.", "d e f. g h."]);
    }

    #[test]
    fn overlap_is_at_most_the_given_tokens() {
        // The last sentence is 3 tokens, more than the overlap of 2: nothing is carried.
        let text = "a b c. d e f. g h i.";
        assert_eq!(chunk(text, 6, 2), ["a b c. d e f.", "g h i."]);
    }

    #[test]
    fn a_sentence_longer_than_a_chunk_is_cut_between_words() {
        let text = prose([25]);
        let chunks = chunk(&text, 10, 0);
        assert_eq!(chunks.len(), 3);
        for piece in &chunks {
            assert!(estimate_tokens(piece) <= 10, "{piece:?}");
        }
        assert_eq!(chunks.join(" "), text, "nothing lost, nothing repeated");
    }

    #[test]
    fn word_overlap_is_used_within_a_long_sentence() {
        let chunks = chunk("aa bb cc dd ee ff gg", 4, 2);
        assert_eq!(chunks, ["aa bb cc dd", "cc dd ee ff", "ee ff gg"]);
    }

    #[test]
    fn a_word_longer_than_a_chunk_is_never_cut() {
        let long = "x".repeat(100);
        let text = format!("short words here {long} and more");
        let chunks = chunk(&text, 5, 0);
        assert_eq!(chunks, ["short words here", long.as_str(), "and more"]);
    }

    #[test]
    fn overlap_at_or_above_the_maximum_still_ends() {
        let text = prose([200]);
        for (max, overlap) in [(10, 10), (10, 50), (1, 1), (0, 0), (2, usize::MAX)] {
            let chunks = chunk(&text, max, overlap);
            assert!(!chunks.is_empty());
            assert!(chunks.len() <= 200, "{max}/{overlap} gave {} chunks", chunks.len());
            assert!(chunks.iter().all(|piece| !piece.is_empty()));
        }
        // Clamped to half: a chunk of 10 words carries its last 5 into the next.
        let chunks = chunk(&text, 10, 50);
        let first: Vec<&str> = chunks[0].split_whitespace().collect();
        let second: Vec<&str> = chunks[1].split_whitespace().collect();
        assert_eq!(first.len(), 10);
        assert_eq!(first[5..], second[..5]);
        assert_ne!(first[6..], second[..4], "not more than the overlap");
    }

    #[test]
    fn every_chunk_fits_brings_new_text_and_starts_where_the_last_one_ended() {
        let text = prose((0..300).map(|i| 1 + i % 7));
        for (max, overlap) in [(MAX_TOKENS, OVERLAP_TOKENS), (12, 5), (9, 0), (3, 1)] {
            let chunks = chunk(&text, max, overlap);
            assert!(chunks.len() > 1);
            assert!(chunks.iter().all(|piece| estimate_tokens(piece) <= max));
            for pair in chunks.windows(2) {
                // The words are distinct, so where the next chunk's first word sits in the
                // previous chunk tells the overlap; absent, the next chunk starts afresh.
                let first_word = pair[1].split_whitespace().next().unwrap_or_default();
                match pair[0].split_whitespace().position(|word| word == first_word) {
                    Some(at) => {
                        let carried: Vec<&str> = pair[0].split_whitespace().skip(at).collect();
                        assert!(pair[1].starts_with(&carried.join(" ")));
                        assert!(estimate_tokens(&carried.join(" ")) <= overlap.min(max / 2));
                        assert!(at > 0, "the whole previous chunk repeated");
                    }
                    None => assert!(text.contains(&format!("{} {}", pair[0], pair[1]))),
                }
            }
            let words: Vec<&str> = text.split_whitespace().collect();
            let covered: std::collections::HashSet<&str> =
                chunks.iter().flat_map(|piece| piece.split_whitespace()).collect();
            assert_eq!(covered.len(), words.len(), "every word in some chunk");
        }
    }

    #[test]
    fn unicode_and_odd_punctuation_do_not_panic() {
        let texts = ["?!. .\n\n", "é. ü! 日本?\u{a0}x", "…!?\u{2028}end.", ". . . ."];
        for text in texts {
            for max in 0..6 {
                for piece in chunk(text, max, 1) {
                    assert!(!piece.trim().is_empty());
                    assert_eq!(piece, piece.trim());
                }
            }
        }
    }
}
