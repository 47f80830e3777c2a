//! The `memories` collection: what a memory holds, and the relations between memories.

use dcmaid_sdk::prelude::*;
use dcmaid_sdk::store::{self, Collection};
use serde::{Deserialize, Serialize};

pub const COLLECTION: &str = "memories";
/// The kind of relation between memories.
pub const RELATION: &str = "related";

/// What a memory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Something the user said in conversation (or a chunk of it).
    Turn,
    /// What the user asked to be remembered with `/remember`.
    Note,
    /// A fact the language model extracted from a turn.
    Fact,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Turn => "turn",
            Kind::Note => "note",
            Kind::Fact => "fact",
        }
    }
}

/// A memory's fields in the store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Memory {
    pub user_id: String,
    pub kind: Kind,
    pub text: String,
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// A relation's fields, as the seed's `memory_relations`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Relation {
    /// 0.0 to 1.0, as of the relation's last write; it fades from there.
    pub strength: f32,
    pub reason: String,
    pub created_at_ms: u64,
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis().try_into().unwrap_or(u64::MAX))
}

/// The embeddings of `texts`, or the error that says how to get an embedding model.
pub fn embed(texts: &[String]) -> Result<Vec<Vec<f32>>, PluginError> {
    match llm::embed(texts) {
        Ok(vectors) => Ok(vectors),
        Err(llm::LlmError::NotConfigured) => Err(PluginError::Unavailable(
            "the memory plugin needs embeddings, and none are configured: run \
             `scripts/fetch-model.sh` to install the local embedding model (or set \
             `[embed] model_dir` to its folder), or set `[llm] embedding_model` for an \
             embeddings API"
                .to_owned(),
        )),
        Err(error) => Err(error.into()),
    }
}

/// Define the collection for the embedding model's vectors.
pub fn define() -> Result<(), PluginError> {
    let probe = embed(&["dimensions".to_owned()])?;
    let dimensions = probe.first().map_or(0, Vec::len);
    let collection = Collection {
        name: COLLECTION.to_owned(),
        dimensions: Some(u32::try_from(dimensions).unwrap_or(u32::MAX)),
        text_field: Some("text".to_owned()),
        keys: vec!["user_id".to_owned(), "kind".to_owned()],
    };
    Ok(store::define(&collection)?)
}

/// Only `user_id`'s memories.
pub fn of_user(user_id: &str) -> Vec<(String, String)> {
    vec![store::equals("user_id", user_id)]
}

/// Store a new memory with its vector; returns its id.
pub fn insert(memory: &Memory, vector: &[f32]) -> Result<String, PluginError> {
    Ok(store::insert(COLLECTION, &store::fields(memory)?, Some(vector))?)
}

/// Memory `id` if it exists and is `user_id`'s.
pub fn get(user_id: &str, id: &str) -> Result<Option<Memory>, PluginError> {
    let Some(entry) = store::get(COLLECTION, id)? else {
        return Ok(None);
    };
    let memory: Memory = store::parse(&entry.fields)?;
    Ok((memory.user_id == user_id).then_some(memory))
}

/// Forget `user_id`'s memory `id` and its relations; false when there was none.
pub fn forget(user_id: &str, id: &str) -> Result<bool, PluginError> {
    if get(user_id, id)?.is_none() {
        return Ok(false);
    }
    Ok(store::remove(COLLECTION, id)?)
}

/// Relate `source` to `target`, replacing the relation between them if there is one.
pub fn relate(source: &str, target: &str, strength: f32, reason: &str) -> Result<(), PluginError> {
    let relation = Relation { strength, reason: reason.to_owned(), created_at_ms: now_ms() };
    Ok(store::relate(COLLECTION, RELATION, source, target, &store::fields(&relation)?)?)
}
