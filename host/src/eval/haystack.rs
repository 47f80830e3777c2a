//! A haystack for the memory evaluation: the memories a long-time user has piled up besides
//! the ones a question is about. A real user's memory holds thousands of turns, many of them
//! about the same kinds of things (other people's jobs, other trips); a dataset's 50 to 80
//! turns per user are a small part of that. The haystack of a user is other users' turns,
//! which are the same kinds of sentences about other people and places.
//!
//! A turn that names what one of the user's own turns names (a proper noun, a number, a
//! code) is left out: it could hold another answer to the user's question, and no method
//! should be blamed for finding it.

use std::collections::HashSet;

use super::dataset::Dataset;

/// The tokens of `text`: runs of letters and digits.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|token| !token.is_empty())
}

/// The names in `dataset`: tokens with a digit, and capitalised tokens never written in
/// lower case anywhere in it (so "Lena" and "Arequipa" but not "My" or "Saw").
fn names(dataset: &Dataset) -> HashSet<&str> {
    let texts = dataset.conversations.iter().flat_map(|c| c.turns.iter().map(|t| t.text.as_str()));
    let lowered: HashSet<String> = texts
        .clone()
        .flat_map(tokens)
        .filter(|token| token.starts_with(|c: char| c.is_lowercase()))
        .map(str::to_owned)
        .collect();
    texts
        .flat_map(tokens)
        .filter(|token| {
            token.contains(|c: char| c.is_ascii_digit())
                || (token.starts_with(|c: char| c.is_uppercase())
                    && !lowered.contains(&token.to_lowercase()))
        })
        .collect()
}

/// The turns that can be piled into other users' memories.
pub struct Haystack<'a> {
    dataset: &'a Dataset,
    names: HashSet<&'a str>,
}

impl<'a> Haystack<'a> {
    pub fn new(dataset: &'a Dataset) -> Self {
        Haystack { dataset, names: names(dataset) }
    }

    /// Up to `size` turns of the other users for conversation `of`, taken in order from the
    /// users after it (wrapping round), leaving out those that share a name with its own
    /// turns.
    pub fn for_user(&self, of: usize, size: usize) -> Vec<&'a str> {
        let conversations = &self.dataset.conversations;
        let own: HashSet<&str> = conversations[of]
            .turns
            .iter()
            .flat_map(|turn| tokens(&turn.text))
            .filter(|token| self.names.contains(token))
            .collect();
        let count = conversations.len();
        (1..count)
            .map(|step| &conversations[(of + step) % count])
            .flat_map(|conversation| conversation.turns.iter())
            .map(|turn| turn.text.as_str())
            .filter(|text| !tokens(text).any(|token| own.contains(token)))
            .take(size)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(users: &[&[&str]]) -> Dataset {
        let conversations: Vec<serde_json::Value> = users
            .iter()
            .enumerate()
            .map(|(n, turns)| {
                let turns: Vec<_> = turns
                    .iter()
                    .enumerate()
                    .map(|(t, text)| serde_json::json!({"id": format!("u{n}-t{t}"), "text": text}))
                    .collect();
                serde_json::json!({"user": format!("u{n}"), "turns": turns, "questions": []})
            })
            .collect();
        serde_json::from_value(serde_json::json!({ "conversations": conversations })).unwrap()
    }

    #[test]
    fn other_users_turns_without_the_users_own_names() {
        let set = dataset(&[
            &["Lena works as a nurse.", "My code is 4471."],
            &["My friend Lena is a pilot.", "Omar works as a baker.", "My pin is 4471."],
            &["Saw a fox today.", "my cat sleeps"],
        ]);
        let haystack = Haystack::new(&set);
        // "My" is written in lower case too: not a name. Lena and 4471 are user 0's.
        assert_eq!(
            haystack.for_user(0, 10),
            ["Omar works as a baker.", "Saw a fox today.", "my cat sleeps"]
        );
        assert_eq!(haystack.for_user(0, 1), ["Omar works as a baker."]);
        assert_eq!(
            haystack.for_user(2, 10),
            ["Lena works as a nurse.", "My code is 4471.", "My friend Lena is a pilot."]
                .into_iter()
                .chain(["Omar works as a baker.", "My pin is 4471."])
                .collect::<Vec<_>>()
        );
        assert!(haystack.for_user(1, 0).is_empty());
    }
}
