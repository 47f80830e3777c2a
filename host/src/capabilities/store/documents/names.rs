//! The names plugins give their collections, relations and fields. They end up in query text
//! (SurrealQL has no parameters for table and field names), so only a narrow alphabet is
//! accepted, and every table gets a prefix that keeps it apart from the host's own (`kv`).

use std::fmt;

/// The longest name accepted.
pub const MAX_NAME_BYTES: usize = 64;

/// A collection, relation or field name: `[a-z][a-z0-9_]*`, at most 64 bytes, without `__`
/// (which separates the parts of the host's table names).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(String);

impl Name {
    /// `what` says what the name is for, in the error.
    pub fn new(what: &str, name: &str) -> Result<Name, String> {
        let mut chars = name.chars();
        let starts_well = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !starts_well || !rest_ok || name.len() > MAX_NAME_BYTES || name.contains("__") {
            return Err(format!(
                "{what} name `{}` is not [a-z][a-z0-9_]* (at most {MAX_NAME_BYTES} bytes, no `__`)",
                name.escape_debug()
            ));
        }
        Ok(Name(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The table holding the documents of collection `self`.
    pub fn documents_table(&self) -> String {
        format!("c__{}", self.0)
    }

    /// The table holding the relations between the documents of collection `self`.
    pub fn relations_table(&self) -> String {
        format!("r__{}", self.0)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The longest document id accepted.
pub const MAX_ID_BYTES: usize = 128;

/// A document id: 1 to 128 bytes without control characters. Ids are bound as data.
pub fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > MAX_ID_BYTES || id.chars().any(char::is_control) {
        return Err(format!(
            "document id `{}` is not 1 to {MAX_ID_BYTES} bytes without control characters",
            id.escape_debug()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_names_and_refuses_the_rest() {
        for good in ["memories", "user_id", "a", "v2_facts"] {
            assert!(Name::new("field", good).is_ok(), "{good}");
        }
        let long = "a".repeat(65);
        for bad in ["", "Memories", "1abc", "_x", "a-b", "a b", "a__b", "kv;DELETE", "é", &long] {
            let error = Name::new("field", bad).unwrap_err();
            assert!(error.starts_with("field name"), "{error}");
        }
        assert_eq!(Name::new("collection", "memories").unwrap().documents_table(), "c__memories");
        assert!(check_id("m1").is_ok());
        assert!(check_id("").is_err());
        assert!(check_id("a\nb").is_err());
    }
}
