//! Long-term memory in the conversation: before the model answers, the memory plugin's
//! recollections of the user go into the persona's prompt; after the reply, the turn is
//! remembered. Memory is a help, never a gate: a failing memory plugin is logged and the
//! conversation goes on without it.

use crate::plugin::{Output, Plugins, Recalled};
use crate::wit::Message;

/// How many memories go into a prompt.
pub const RECALL_LIMIT: u32 = 5;

/// What the memory plugin recalls of `message`'s user that bears on it; nothing when no
/// memory plugin is loaded or it fails.
pub async fn recollect(plugins: &Plugins, message: &Message) -> Vec<Recalled> {
    let Some(memory) = plugins.memory() else {
        return Vec::new();
    };
    match memory.recall(&message.user.id, &message.text, RECALL_LIMIT).await {
        // At most the few asked for, each kept to the memory plugin's prompt cap.
        Ok(recalled) => recalled
            .into_iter()
            .take(RECALL_LIMIT as usize)
            .map(|memory_of| Recalled {
                text: memory.capped(memory_of.text, Output::Prompt),
                ..memory_of
            })
            .collect(),
        Err(error) => {
            tracing::warn!(plugin = %memory.name(), "recall failed; answering without memories: {error}");
            Vec::new()
        }
    }
}

/// Keep the turn of `message` answered by `reply`.
pub async fn remember(plugins: &Plugins, message: &Message, reply: &str) {
    let Some(memory) = plugins.memory() else {
        return;
    };
    if let Err(error) = memory.remember(message, reply).await {
        tracing::warn!(plugin = %memory.name(), "the turn was not remembered: {error}");
    }
}

/// `system_prompt` with `recalled` appended as what the bot remembers of the user.
pub fn with_memories(system_prompt: &str, recalled: &[Recalled]) -> String {
    if recalled.is_empty() {
        return system_prompt.to_owned();
    }
    let mut prompt = format!(
        "{system_prompt}\n\nWhat you remember about this user from earlier conversations \
         (use it when it helps; do not recite it):"
    );
    for memory in recalled {
        prompt.push_str("\n- ");
        prompt.push_str(memory.text.trim());
    }
    prompt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memories_follow_the_persona_prompt_one_per_line() {
        assert_eq!(with_memories("Be kind.", &[]), "Be kind.");
        let recalled = [
            Recalled { id: "a".into(), text: "My dog is Biscuit ".into(), score: 0.9 },
            Recalled { id: "b".into(), text: "I live in Oslo".into(), score: 0.5 },
        ];
        let prompt = with_memories("Be kind.", &recalled);
        assert!(prompt.starts_with("Be kind.\n\nWhat you remember"));
        assert!(prompt.ends_with(":\n- My dog is Biscuit\n- I live in Oslo"), "{prompt}");
    }
}
