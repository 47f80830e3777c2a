//! Remembering: a turn (or a note) becomes one memory per chunk, related to the memories of
//! the same user it is near; with a language model, the facts in it are stored beside it.

use dcmaid_memory_core::chunk::chunk;
use dcmaid_memory_core::relation::NEAR_THRESHOLD;
use dcmaid_sdk::prelude::*;
use dcmaid_sdk::store;

use crate::memories::{self, COLLECTION, Kind, Memory};

/// How many of its nearest memories a new one is compared with.
const NEAR_CANDIDATES: u32 = 4;

/// Remember what the user said in `message`, as told when the message arrived: the host
/// may hand the turn over seconds or minutes later (its queue, a restart), and "what did I
/// say yesterday" asks about the time the user said it. The bot's reply is not stored:
/// what the user tells is what the bot should remember of them.
pub fn turn(message: &Message, reply: &str) -> Result<(), PluginError> {
    let _ = reply;
    let at_ms = message.received_at_ms;
    let ids = text(&message.user.id, &message.text, Kind::Turn, at_ms)?;
    if let Some(first) = ids.first() {
        crate::facts::extract(&message.user.id, &message.text, first, at_ms)?;
    }
    Ok(())
}

/// Store `text` for `user_id` as memories of `kind` told at `at_ms`, one per chunk; returns
/// their ids.
pub fn text(user_id: &str, text: &str, kind: Kind, at_ms: u64) -> Result<Vec<String>, PluginError> {
    let settings = crate::settings()?;
    let chunks = chunk(text, settings.chunk_tokens, settings.chunk_overlap);
    if chunks.is_empty() {
        return Ok(Vec::new());
    }
    let vectors = memories::embed(&chunks)?;
    let mut ids = Vec::with_capacity(chunks.len());
    for (text, vector) in chunks.into_iter().zip(vectors) {
        let memory = Memory { user_id: user_id.to_owned(), kind, text, at_ms };
        let id = memories::insert(&memory, &vector)?;
        if settings.relations {
            relate_near(user_id, &id, &vector)?;
        }
        ids.push(id);
    }
    Ok(ids)
}

/// Relate memory `id` to the user's memories at least [`NEAR_THRESHOLD`] similar to it, the
/// similarity as the strength.
fn relate_near(user_id: &str, id: &str, vector: &[f32]) -> Result<(), PluginError> {
    let near =
        store::nearest(COLLECTION, vector, &memories::of_user(user_id), NEAR_CANDIDATES + 1)?;
    for hit in near.iter().filter(|hit| hit.id != id && hit.score >= NEAR_THRESHOLD) {
        let reason = format!("similar in meaning (cosine {:.2})", hit.score);
        memories::relate(id, &hit.id, hit.score.min(1.0), &reason)?;
    }
    Ok(())
}
