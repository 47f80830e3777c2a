//! Facts from turns, by the language model: short statements about the user, stored as
//! memories of their own and related to the turn they came from, with the model's reason.
//! Without a model this does nothing; a model that fails or answers nonsense costs the facts
//! of that turn, never the turn itself.

use dcmaid_sdk::prelude::*;
use serde::Deserialize;

use crate::memories::{self, Kind, Memory};

const INSTRUCTIONS: &str = "You extract lasting facts about a user from one chat message. \
Answer with JSON only: {\"facts\": [{\"fact\": \"...\", \"reason\": \"...\"}]}. Each fact is \
one short sentence in the third person about the user (\"The user's dog is called Biscuit.\"); \
`reason` says in a few words why it follows from the message. Small talk, questions and \
opinions about nothing lasting give {\"facts\": []}. At most 5 facts.";

#[derive(Debug, Deserialize)]
struct Extracted {
    #[serde(default)]
    facts: Vec<Fact>,
}

#[derive(Debug, Deserialize)]
struct Fact {
    fact: String,
    #[serde(default)]
    reason: String,
}

/// Extract the facts of `text` (stored as memory `turn_id`) and store each, related to it.
pub fn extract(user_id: &str, text: &str, turn_id: &str, at_ms: u64) -> Result<(), PluginError> {
    let request = llm::Inference {
        messages: vec![
            llm::ChatMessage::new(llm::Role::System, INSTRUCTIONS),
            llm::ChatMessage::new(llm::Role::User, text),
        ],
        tools: Vec::new(),
        max_tokens: Some(400),
        temperature: Some(0.0),
    };
    let answer = match llm::infer(&request) {
        Ok(llm::Completion::Text(answer)) => answer,
        Ok(llm::Completion::ToolCalls(_)) => return Ok(()),
        // No model: memories are the turns alone.
        Err(llm::LlmError::NotConfigured) => return Ok(()),
        Err(error) => {
            log::warn(format!("no facts extracted from a turn: {error:?}"));
            return Ok(());
        }
    };
    let Some(extracted) = parse(&answer) else {
        log::warn("the model's facts were not the JSON asked for; none kept");
        return Ok(());
    };
    let facts: Vec<Fact> =
        extracted.facts.into_iter().filter(|f| !f.fact.trim().is_empty()).take(5).collect();
    if facts.is_empty() {
        return Ok(());
    }
    let texts: Vec<String> = facts.iter().map(|f| f.fact.trim().to_owned()).collect();
    let vectors = memories::embed(&texts)?;
    for ((fact, text), vector) in facts.iter().zip(texts).zip(vectors) {
        let memory = Memory { user_id: user_id.to_owned(), kind: Kind::Fact, text, at_ms };
        let id = memories::insert(&memory, &vector)?;
        let reason = match fact.reason.trim() {
            "" => "stated in this turn",
            reason => reason,
        };
        memories::relate(&id, turn_id, 1.0, reason)?;
    }
    Ok(())
}

/// The JSON object in the model's answer, which may come wrapped in prose or a code fence.
fn parse(answer: &str) -> Option<Extracted> {
    let start = answer.find('{')?;
    let end = answer.rfind('}')?;
    serde_json::from_str(answer.get(start..=end)?).ok()
}
