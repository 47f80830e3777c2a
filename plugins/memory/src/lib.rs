//! The memory plugin: long-term memory per user on the host's `store`.
//!
//! Every conversational turn (and every `/remember`) becomes a memory: its text, its vector
//! (from the host's `embed`), and relations to the memories it is near. Recall runs a vector
//! search and a keyword (BM25) search, fuses them (by standard scores, or by reciprocal rank
//! fusion), and follows strong relations one hop. With a language model configured, facts are extracted from each
//! turn and stored beside it, related to it with the model's reason.

mod commands;
mod facts;
mod keywords;
mod memories;
mod recall;
mod remember;

use dcmaid_memory_core::settings::Settings;
use dcmaid_sdk::prelude::*;

struct MemoryPlugin;

/// The plugin's settings; a bad one was refused at load by `validate`.
fn settings() -> Result<Settings, PluginError> {
    Settings::from_json(&config::all().to_string()).map_err(PluginError::InvalidInput)
}

impl Plugin for MemoryPlugin {
    fn commands() -> Vec<CommandSpec> {
        commands::specs()
    }

    fn run(invocation: Invocation) -> Result<Reply, PluginError> {
        commands::run(invocation)
    }

    /// The settings must read, embeddings must work, and the collection is defined for the
    /// vectors they give; otherwise the plugin refuses to start, saying what to do.
    fn validate() -> Result<(), PluginError> {
        settings()?;
        memories::define()
    }
}

impl Memory for MemoryPlugin {
    fn remember(message: Message, reply: String) -> Result<(), PluginError> {
        remember::turn(&message, &reply)
    }

    fn recall(user_id: String, query: String, limit: u32) -> Result<Vec<Recalled>, PluginError> {
        recall::recall(&user_id, &query, limit)
    }

    fn forget(user_id: String, memory_id: String) -> Result<bool, PluginError> {
        memories::forget(&user_id, &memory_id)
    }

    fn relate(
        source: String,
        target: String,
        strength: f32,
        reason: String,
    ) -> Result<(), PluginError> {
        if !(0.0..=1.0).contains(&strength) {
            return Err(PluginError::InvalidInput(format!(
                "a relation's strength is 0.0 to 1.0, not {strength}"
            )));
        }
        memories::relate(&source, &target, strength, &reason)
    }
}

dcmaid_sdk::memory!(MemoryPlugin);
