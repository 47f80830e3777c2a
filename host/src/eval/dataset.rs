//! A memory-eval dataset (`tests/data/memory-eval/`, or LoCoMo converted): conversations,
//! each a user's turns and the questions whose answers are among them.

use std::path::Path;

use serde::Deserialize;

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
}

#[derive(Debug, Deserialize)]
pub struct Question {
    pub id: String,
    pub text: String,
    /// The turns holding the answer; recalling any one of them counts.
    pub answers: Vec<String>,
    /// What kind of question: `paraphrase`, `keyword` or `mixed`.
    pub kind: String,
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
