//! Text a plugin or a user wrote, made safe to keep: cut to a size on a character boundary,
//! silently or with a marker that says so; and made safe to log, on one line.

use std::fmt::Write;

/// `text` cut to at most `max` bytes on a character boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` whole when it fits in `max` bytes; else cut on a character boundary and ended by
/// a marker that says how much was left out, all of it within `max` bytes. `None` when it
/// fit.
pub fn cut_marked(text: &str, max: usize) -> Option<String> {
    if text.len() <= max {
        return None;
    }
    let marker = format!(" [… cut: {} of {} bytes shown]", max, text.len());
    let keep = max.saturating_sub(marker.len());
    let mut cut = truncate(text, keep).to_owned();
    cut.push_str(&marker);
    Some(cut)
}

/// `message` on one line: control characters (newlines among them), line separators and
/// the characters that reorder text on screen are written as escapes.
pub fn one_line(message: &str) -> std::borrow::Cow<'_, str> {
    let tricky = |c: char| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !message.chars().any(tricky) {
        return message.into();
    }
    let mut line = String::with_capacity(message.len() + 16);
    for c in message.chars() {
        match c {
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            '\t' => line.push_str("\\t"),
            c if tricky(c) => {
                let _ = write!(line, "\\u{{{:x}}}", c as u32);
            }
            c => line.push(c),
        }
    }
    line.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_cannot_start_another_or_turn_text_around() {
        assert_eq!(one_line("plain words"), "plain words");
        let forged = "ok\n2026-12-03T10:00:00Z  INFO dcmaid: plugin loaded\r\u{1b}[2J\u{202e}";
        let line = one_line(forged);
        assert!(!line.contains('\n') && !line.contains('\r') && !line.contains('\u{1b}'));
        assert_eq!(
            line,
            "ok\\n2026-12-03T10:00:00Z  INFO dcmaid: plugin loaded\\r\\u{1b}[2J\\u{202e}"
        );
    }

    #[test]
    fn a_cut_stays_within_the_cap_on_a_character_boundary_and_says_so() {
        assert_eq!(cut_marked("short", 16), None);
        let long = "é".repeat(100); // 200 bytes
        let cut = cut_marked(&long, 80).unwrap();
        assert!(cut.len() <= 80, "{} bytes", cut.len());
        assert!(cut.starts_with("éé"));
        assert!(cut.ends_with("[… cut: 80 of 200 bytes shown]"), "{cut}");
    }
}
