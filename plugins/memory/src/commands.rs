//! `/remember`, `/recall`, `/forget` and `/memories`: a user's view of what the bot keeps.

use dcmaid_sdk::prelude::*;
use dcmaid_sdk::store;

use crate::memories::{self, COLLECTION, Kind, Memory};

/// How many memories `/memories` lists.
const LISTED: u32 = 10;
/// How much of a memory's text a listing shows.
const SHOWN_CHARS: usize = 120;

pub fn specs() -> Vec<CommandSpec> {
    vec![
        CommandSpec::new("remember", "Remember something about you.", "/remember TEXT"),
        CommandSpec::new("recall", "What I remember about something.", "/recall QUERY"),
        CommandSpec::new("forget", "Forget one memory (its id from /memories).", "/forget ID"),
        CommandSpec::new("memories", "The latest things I remember about you.", "/memories"),
    ]
}

pub fn run(invocation: Invocation) -> Result<Reply, PluginError> {
    let user_id = invocation.message.user.id.as_str();
    let args = invocation.args.trim();
    let text = match invocation.name.as_str() {
        "remember" => remember(user_id, args)?,
        "recall" => recall(user_id, args)?,
        "forget" => forget(user_id, args)?,
        "memories" => list(user_id)?,
        other => {
            return Err(PluginError::InvalidInput(format!("I don't know the command /{other}.")));
        }
    };
    Ok(Reply::new(text))
}

fn usage(command: &str, usage: &str) -> PluginError {
    PluginError::InvalidInput(format!("Usage: /{command} {usage}"))
}

fn remember(user_id: &str, text: &str) -> Result<String, PluginError> {
    if text.is_empty() {
        return Err(usage("remember", "TEXT"));
    }
    let ids = crate::remember::text(user_id, text, Kind::Note, crate::memories::now_ms())?;
    Ok(format!("I'll remember that. (memory {})", ids.join(", ")))
}

fn recall(user_id: &str, query: &str) -> Result<String, PluginError> {
    if query.is_empty() {
        return Err(usage("recall", "QUERY"));
    }
    let settings = crate::settings()?;
    let judged = crate::recall::judged(user_id, query, settings.recall_limit)?;
    if judged.memories.is_empty() {
        return Ok("I don't remember anything about that.".to_owned());
    }
    let relevant = judged.relevant(settings.recall_floor);
    if relevant.is_empty() {
        return Ok("Nothing I remember is close enough to that.".to_owned());
    }
    let lines: Vec<String> = relevant
        .iter()
        .map(|memory| {
            let told = judged.told(&memory.id).map_or(String::new(), |at| format!(", {}", day(at)));
            format!("{} ({:.3}{told}): {}", memory.id, memory.score, shown(&memory.text))
        })
        .collect();
    Ok(lines.join("\n"))
}

fn forget(user_id: &str, id: &str) -> Result<String, PluginError> {
    if id.is_empty() || id.contains(char::is_whitespace) {
        return Err(usage("forget", "ID"));
    }
    Ok(match memories::forget(user_id, id)? {
        true => format!("Forgotten: {id}."),
        false => format!("You have no memory {id}."),
    })
}

fn list(user_id: &str) -> Result<String, PluginError> {
    let entries = store::find(COLLECTION, &memories::of_user(user_id), LISTED)?;
    if entries.is_empty() {
        return Ok("I don't remember anything about you yet.".to_owned());
    }
    let mut lines = Vec::with_capacity(entries.len());
    for entry in entries {
        let memory: Memory = store::parse(&entry.fields)?;
        let (kind, told) = (memory.kind.as_str(), day(memory.at_ms));
        lines.push(format!("{} [{kind}, {told}]: {}", entry.id, shown(&memory.text)));
    }
    Ok(lines.join("\n"))
}

/// The day (UTC) a memory was told, as `2023-05-08`: the same in every language.
fn day(at_ms: u64) -> String {
    dcmaid_memory_core::when::day_of(at_ms).to_string()
}

/// At most [`SHOWN_CHARS`] characters of `text`, on one line.
fn shown(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}
