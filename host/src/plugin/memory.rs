//! Calls into a `memory` plugin: remember a turn, recall what matters for a new one, forget.

use super::{CallError, Plugin};
use crate::bindings::Message;
pub use crate::bindings::exports::dcmaid::bot::memory::Recalled;

impl Plugin {
    /// `memory.remember`: keep one turn, what the user said and what the bot replied.
    pub async fn remember(&self, message: &Message, reply: &str) -> Result<(), CallError> {
        let memory = self.exports.memory(self)?;
        self.instantiate("memory.remember")
            .await?
            .run(async |store, instance| {
                memory.load(&mut *store, instance)?.call_remember(store, message, reply).await
            })
            .await
    }

    /// `memory.recall`: `user_id`'s memories most relevant to `query`, best first.
    pub async fn recall(
        &self,
        user_id: &str,
        query: &str,
        limit: u32,
    ) -> Result<Vec<Recalled>, CallError> {
        let memory = self.exports.memory(self)?;
        self.instantiate("memory.recall")
            .await?
            .run(async |store, instance| {
                memory.load(&mut *store, instance)?.call_recall(store, user_id, query, limit).await
            })
            .await
    }

    /// `memory.forget`: drop `user_id`'s memory `memory_id`; false when they have none such.
    pub async fn forget(&self, user_id: &str, memory_id: &str) -> Result<bool, CallError> {
        let memory = self.exports.memory(self)?;
        self.instantiate("memory.forget")
            .await?
            .run(async |store, instance| {
                memory.load(&mut *store, instance)?.call_forget(store, user_id, memory_id).await
            })
            .await
    }
}
