//! A memory-eval dataset (`tests/data/memory-eval/`, or LoCoMo converted): conversations,
//! each a user's turns and the questions whose answers are among them. A turn may say when
//! it was told, and a question when it is asked (`"at"`: a date, `2023-05-08`, or an RFC 3339
//! time); the eval moves the bot's clock there, so "in May" and "last week" are read as of
//! then.

use std::path::Path;

use serde::{Deserialize, Deserializer};

#[derive(Debug, Deserialize)]
pub struct Dataset {
    pub conversations: Vec<Conversation>,
}

#[derive(Debug, Deserialize)]
pub struct Conversation {
    pub user: String,
    pub turns: Vec<Turn>,
    pub questions: Vec<Question>,
}

#[derive(Debug, Deserialize)]
pub struct Turn {
    pub id: String,
    pub text: String,
    /// When it was told, in ms since the Unix epoch.
    #[serde(default, rename = "at", deserialize_with = "time")]
    pub at_ms: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub struct Question {
    pub id: String,
    pub text: String,
    /// The turns holding the answer; recalling any one of them counts.
    pub answers: Vec<String>,
    /// What kind of question: `paraphrase`, `keyword` or `mixed`.
    pub kind: String,
    /// When it is asked, in ms since the Unix epoch; without it, when the last turn of its
    /// conversation was told.
    #[serde(default, rename = "at", deserialize_with = "time")]
    pub at_ms: Option<u64>,
}

impl Conversation {
    /// When its last turn was told, if its turns say.
    pub fn last_told_ms(&self) -> Option<u64> {
        self.turns.iter().filter_map(|turn| turn.at_ms).max()
    }
}

/// A date (`2023-05-08`, taken at noon UTC, so that it is the same day in every time zone
/// but the farthest ones) or an RFC 3339 time, as ms since the Unix epoch.
fn time<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let Some(text) = Option::<String>::deserialize(deserializer)? else { return Ok(None) };
    let at = match chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        Ok(date) => date.and_hms_opt(12, 0, 0).map(|noon| noon.and_utc()),
        Err(_) => chrono::DateTime::parse_from_rfc3339(&text).ok().map(|at| at.to_utc()),
    };
    let ms = at.and_then(|at| u64::try_from(at.timestamp_millis()).ok());
    ms.map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "\"at\": expected a date (2023-05-08) or an RFC 3339 time after 1970, got {text:?}"
        ))
    })
}

impl Dataset {
    pub fn load(path: &Path) -> anyhow::Result<Dataset> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the dataset {}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("the dataset {} does not read: {e}", path.display()))
    }

    pub fn questions(&self) -> usize {
        self.conversations.iter().map(|c| c.questions.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_turn_at(at: &str) -> String {
        format!(
            r#"{{"conversations": [{{"user": "u", "turns": [{{"id": "t", "text": "hi", "at": {at}}}],
            "questions": [{{"id": "q", "text": "hi?", "answers": ["t"], "kind": "k"}}]}}]}}"#
        )
    }

    #[test]
    fn a_turn_is_told_at_noon_of_its_date_or_at_its_time_and_a_bad_time_is_named() {
        let read = |at: &str| serde_json::from_str::<Dataset>(&with_turn_at(at));
        let told = |at: &str| read(at).unwrap().conversations[0].turns[0].at_ms;
        assert_eq!(told(r#""2023-05-08""#), Some(1_683_547_200_000));
        assert_eq!(told(r#""2023-05-08T09:30:00+02:00""#), Some(1_683_531_000_000));
        assert_eq!(told("null"), None);
        for bad in [r#""8 May 2023""#, r#""2023-02-30""#, r#""1969-12-31""#] {
            let error = read(bad).unwrap_err().to_string();
            assert!(error.contains(r#""at": expected a date (2023-05-08)"#), "{bad}: {error}");
            assert!(error.contains(bad), "{bad}: {error}");
        }
        let dataset = read(r#""2023-05-08""#).unwrap();
        assert_eq!(dataset.conversations[0].last_told_ms(), Some(1_683_547_200_000));
        assert_eq!(dataset.conversations[0].questions[0].at_ms, None);
    }
}
