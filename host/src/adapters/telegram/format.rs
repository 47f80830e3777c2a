//! Telegram's text rules: MarkdownV2 escaping and the 4,096-character message limit.

/// Telegram refuses longer messages.
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// The characters MarkdownV2 reserves, plus the backslash that escapes them.
fn is_reserved(c: char) -> bool {
    matches!(
        c,
        '_' | '*'
            | '['
            | ']'
            | '('
            | ')'
            | '~'
            | '`'
            | '>'
            | '#'
            | '+'
            | '-'
            | '='
            | '|'
            | '{'
            | '}'
            | '.'
            | '!'
            | '\\'
    )
}

/// `text` as MarkdownV2 that renders exactly as `text`: every reserved character is escaped.
pub fn escape_markdown_v2(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        if is_reserved(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Split `text` into pieces of at most `max` characters, escaped, preferring to break at a
/// line break, then at a space, and only then inside a word. The limit applies to the
/// escaped text, so that no piece is refused.
pub fn split_escaped(text: &str, max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let end = longest_fitting_prefix(rest, max);
        let cut = if end == rest.len() {
            end
        } else {
            let head = &rest[..end];
            head.rfind('\n').or_else(|| head.rfind(' ')).filter(|&at| at > 0).unwrap_or(end)
        };
        pieces.push(escape_markdown_v2(rest[..cut].trim_end()));
        rest = rest[cut..].trim_start();
    }
    pieces
}

/// The byte length of the longest prefix of `text` whose escaped form has at most `max`
/// characters.
fn longest_fitting_prefix(text: &str, max: usize) -> usize {
    let mut escaped_chars = 0;
    for (at, c) in text.char_indices() {
        let width = if is_reserved(c) { 2 } else { 1 };
        if escaped_chars + width > max {
            return at;
        }
        escaped_chars += width;
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_reserved_character() {
        assert_eq!(
            escape_markdown_v2("Hi! (1+1=2) a_b *c* [d] ~e~ `f` >g #h |i| {j} k-l \\"),
            "Hi\\! \\(1\\+1\\=2\\) a\\_b \\*c\\* \\[d\\] \\~e\\~ \\`f\\` \\>g \\#h \\|i\\| \\{j\\} k\\-l \\\\"
        );
        assert_eq!(escape_markdown_v2("plain words ✨"), "plain words ✨");
    }

    #[test]
    fn splits_at_line_breaks_then_spaces_within_the_limit() {
        let text = format!("{}\n{}", "a".repeat(10), "b ".repeat(10));
        let pieces = split_escaped(&text, 12);
        assert_eq!(pieces[0], "a".repeat(10));
        assert!(pieces.iter().all(|p| p.chars().count() <= 12), "{pieces:?}");
        assert_eq!(
            pieces.concat().replace(' ', ""),
            format!("{}{}", "a".repeat(10), "b".repeat(10))
        );
    }

    #[test]
    fn the_limit_counts_escapes_and_long_words_are_cut() {
        let pieces = split_escaped(&"!".repeat(5), 4);
        assert_eq!(pieces, ["\\!\\!", "\\!\\!", "\\!"]);
        let pieces = split_escaped(&"x".repeat(9000), MAX_MESSAGE_CHARS);
        assert_eq!(pieces.len(), 3);
        assert!(pieces.iter().all(|p| p.chars().count() <= MAX_MESSAGE_CHARS));
    }
}
