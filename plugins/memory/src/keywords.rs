//! The words of a query worth a keyword search. The store matches any word of the query, so
//! words that occur in nearly every message ("what", "my", "the"), and the pieces of
//! contractions ("pup's" is "pup" and "s" to the index), would only add noise.

/// English words too common to tell memories apart.
const STOPWORDS: &[&str] = &[
    "about", "am", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could",
    "did", "do", "does", "don", "for", "from", "had", "has", "have", "how", "if", "in", "is", "it",
    "its", "ll", "me", "my", "of", "on", "or", "our", "please", "re", "remember", "so", "tell",
    "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "us", "ve",
    "was", "we", "were", "what", "when", "where", "which", "who", "why", "will", "with", "would",
    "you", "your",
];

/// The words of `query`, lowercased, without stopwords and one-letter pieces; empty when
/// nothing is left.
pub fn of(query: &str) -> String {
    query
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|word| word.chars().count() > 1 && !STOPWORDS.contains(&word.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}
