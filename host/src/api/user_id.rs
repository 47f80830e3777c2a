//! A user id as the API takes it (`web:alice`, `discord:8035...`): the same rule in the
//! schema (so a client knows it before it asks) and in the server (so nothing else gets
//! through): 1 to 160 characters, not all blank, no control characters, which a plugin's
//! storage keys refuse.

/// The longest user id, in characters.
pub const MAX_CHARS: usize = 160;

/// The schema's pattern: no C0 or C1 control character (nor DEL), and one that is not blank.
/// The operations' validators must write it literally (a macro attribute takes no constant);
/// a test holds them to it.
#[cfg(test)]
const PATTERN: &str = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$";

/// Why `user_id` is not one, if it is not.
pub fn refusal(user_id: &str) -> Option<String> {
    if user_id.trim().is_empty() || user_id.chars().count() > MAX_CHARS {
        return Some(format!("`user_id` must be 1 to {MAX_CHARS} characters, not all blank"));
    }
    if user_id.chars().any(char::is_control) {
        return Some("`user_id` must not contain control characters".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schemas_pattern_and_the_servers_rule_agree() {
        // The pattern as the schema's validators read it (`\s`, `\xNN`), here with Rust's
        // regex-free reading: each character class by hand.
        let control = |c: char| matches!(c as u32, 0x00..=0x1F | 0x7F..=0x9F);
        for id in ["web:alice", "discord:80351110224678912", " a ", "ünïcödé", "a b"] {
            assert_eq!(refusal(id), None, "{id}");
            assert!(!id.chars().any(control) && id.chars().any(|c| !c.is_whitespace()));
        }
        for id in ["", "   ", "a\u{0}b", "a\u{89}b", "tab\tin", &"x".repeat(161)] {
            assert!(refusal(id).is_some(), "{id:?}");
        }
    }

    #[test]
    fn every_user_id_in_the_schema_has_the_pattern() {
        let written = format!("pattern = r\"{PATTERN}\"");
        for (file, text, uses) in [
            ("memories.rs", include_str!("memories.rs"), 3),
            ("chat.rs", include_str!("chat.rs"), 1),
        ] {
            assert_eq!(text.matches(&written).count(), uses, "{file}");
        }
    }
}
