//! Discord takes at most 2,000 characters a message. A longer reply is sent as several,
//! each cut at the last paragraph, line or word break that fits, so no word is torn apart
//! unless it alone is longer than a message.

/// Discord's limit, in characters (Unicode scalar values, as Discord counts).
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// `text` in pieces of at most `max` characters that, joined, give `text` back. Linear in
/// the text: each cut looks at one message's worth of characters, never from the start.
pub fn split(text: &str, max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    // While more than `max` characters are left: the byte offset just past the first `max`.
    while let Some((limit, _)) = rest.char_indices().nth(max) {
        let window = &rest[..limit];
        let cut = ["\n\n", "\n", " "]
            .iter()
            .find_map(|separator| window.rfind(separator).map(|at| at + separator.len()))
            .filter(|&cut| cut > 0)
            .unwrap_or(limit);
        pieces.push(rest[..cut].to_owned());
        rest = &rest[cut..];
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(rest.to_owned());
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_replies_are_one_message() {
        assert_eq!(split("hello", 10), ["hello"]);
        assert_eq!(split("", 10), [""]);
    }

    #[test]
    fn long_replies_break_at_paragraphs_then_lines_then_words() {
        assert_eq!(split("aaaa\n\nbbbb cc", 8), ["aaaa\n\n", "bbbb cc"]);
        assert_eq!(split("aaa bbb\nccc ddd", 10), ["aaa bbb\n", "ccc ddd"]);
        assert_eq!(split("aaa bbb ccc", 8), ["aaa bbb ", "ccc"]);
        assert_eq!(split("abcdefghij", 4), ["abcd", "efgh", "ij"], "a word longer than a message");
    }

    #[test]
    fn pieces_fit_and_join_back_whatever_the_characters() {
        let text = "日本語のテキスト 👋🏽 and words ".repeat(300);
        let pieces = split(&text, MAX_MESSAGE_CHARS);
        assert!(pieces.len() > 1);
        assert!(pieces.iter().all(|piece| piece.chars().count() <= MAX_MESSAGE_CHARS));
        assert_eq!(pieces.concat(), text);
    }
}
