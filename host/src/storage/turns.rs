//! Turns waiting to be remembered (`crate::bot::remembering`): each is written here before
//! its reply goes out and removed once the memory plugin has stored it, so a crash between
//! the two loses nothing: the next start remembers what is left.
//!
//! Replicas on one server share the table. A turn is written claimed by the worker of the
//! replica that queued it, which remembers it from memory without reading it back; a claim
//! older than [`CLAIM_EXPIRES_MS`] is taken to be a dead replica's, and any other worker may
//! take the turn over (a worker never takes back its own: it holds them). Taking over, and
//! retrying a failed turn, is one conditional `UPDATE` per batch, which SurrealDB runs per
//! record atomically, so two workers never both get one turn. An embedded store has one
//! process only: whatever was claimed when it opens was its predecessor's, and is free again
//! at once.

use std::future::IntoFuture;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::RecordId;

use super::database::{Storage, StorageError, within};

/// A claim this old is a dead worker's: remembering a batch takes a second or two. (A batch
/// that took longer could be remembered twice, by two replicas: a duplicate, not a loss.)
pub const CLAIM_EXPIRES_MS: u64 = 60 * 1000;

const TABLE: &str = "remember_queue";
const SCHEMA: &str = "DEFINE TABLE IF NOT EXISTS remember_queue SCHEMALESS; \
     DEFINE INDEX IF NOT EXISTS remember_queue_order ON remember_queue FIELDS queued_at_ms;";

/// One turn as queued: the message as JSON (the host's own form of it), the reply, who it
/// is for and when it was queued; `attempts` counts failed rememberings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedTurn {
    pub key: String,
    pub user_id: String,
    pub message: serde_json::Value,
    pub reply: String,
    pub queued_at_ms: u64,
    #[serde(default)]
    pub attempts: u32,
}

/// The queue, on the host's own database `memory_queue`.
#[derive(Clone)]
pub struct TurnQueue {
    db: Surreal<Any>,
    deadline: Option<Duration>,
}

fn record(key: &str) -> RecordId {
    RecordId::new(TABLE, key.to_owned())
}

impl TurnQueue {
    pub async fn open(storage: &Storage) -> Result<TurnQueue, StorageError> {
        let deadline = storage.deadline();
        let db = within(deadline, storage.host_session("memory_queue")).await??;
        within(deadline, db.query(SCHEMA).into_future()).await??.check()?;
        if storage.is_embedded() {
            let free = "UPDATE remember_queue SET claimed_by = NONE, claimed_at_ms = NONE \
                 WHERE claimed_by != NONE RETURN NONE";
            db.query(free).await?.check()?;
        }
        Ok(TurnQueue { db, deadline })
    }

    /// Keep `turn` until it is [`removed`](TurnQueue::remove): claimed by `holder`, the
    /// queuing replica's worker, when it holds the turn in memory; free for any worker
    /// otherwise.
    pub async fn push(&self, turn: &QueuedTurn, holder: Option<&str>) -> Result<(), StorageError> {
        let claim = match holder {
            Some(_) => ", claimed_by: $holder, claimed_at_ms: $queued_at_ms",
            None => "",
        };
        let query = self
            .db
            .query(format!(
                "CREATE $id CONTENT {{ user_id: $user_id, message: $message, reply: $reply, \
                 queued_at_ms: $queued_at_ms, attempts: 0{claim} }} RETURN NONE"
            ))
            .bind(("id", record(&turn.key)))
            .bind(("holder", holder.unwrap_or_default().to_owned()))
            .bind(("user_id", turn.user_id.clone()))
            .bind(("message", turn.message.clone()))
            .bind(("reply", turn.reply.clone()))
            .bind(("queued_at_ms", turn.queued_at_ms as i64));
        within(self.deadline, query.into_future()).await??.check()?;
        Ok(())
    }

    /// Claim for worker `worker` up to `limit` turns, oldest first, that no live worker has
    /// claimed. Its own claims never expire for it: it holds those turns in memory.
    pub async fn claim(
        &self,
        worker: &str,
        now_ms: u64,
        limit: usize,
    ) -> Result<Vec<QueuedTurn>, StorageError> {
        let stale = now_ms.saturating_sub(CLAIM_EXPIRES_MS) as i64;
        let query = self
            .db
            .query(
                "LET $free = (SELECT VALUE id FROM remember_queue \
                     WHERE claimed_by = NONE OR (claimed_at_ms < $stale AND claimed_by != $worker) \
                     ORDER BY queued_at_ms LIMIT $limit); \
                 UPDATE $free SET claimed_by = $worker, claimed_at_ms = $now \
                     WHERE claimed_by = NONE OR (claimed_at_ms < $stale AND claimed_by != $worker) \
                     RETURN record::id(id) AS key, user_id, message, reply, queued_at_ms, attempts;",
            )
            .bind(("stale", stale))
            .bind(("limit", limit as i64))
            .bind(("worker", worker.to_owned()))
            .bind(("now", now_ms as i64));
        let mut response = within(self.deadline, query.into_future()).await??.check()?;
        let rows: surrealdb::types::Value = response.take(1)?;
        let mut turns: Vec<QueuedTurn> = serde_json::from_value(rows.into_json_value())
            .map_err(|e| StorageError::Decode(format!("{TABLE}: {e}")))?;
        turns.sort_by_key(|turn| turn.queued_at_ms);
        Ok(turns)
    }

    /// The turns `keys` are remembered: forget them.
    pub async fn remove(&self, keys: &[String]) -> Result<(), StorageError> {
        if keys.is_empty() {
            return Ok(());
        }
        let ids: Vec<RecordId> = keys.iter().map(|key| record(key)).collect();
        let query = self.db.query("DELETE $ids RETURN NONE").bind(("ids", ids));
        within(self.deadline, query.into_future()).await??.check()?;
        Ok(())
    }

    /// Remembering turn `key` failed: count the attempt and free it for a later try.
    pub async fn release(&self, key: &str) -> Result<(), StorageError> {
        let query = self
            .db
            .query(
                "UPDATE $id SET attempts += 1, claimed_by = NONE, claimed_at_ms = NONE \
                 RETURN NONE",
            )
            .bind(("id", record(key)));
        within(self.deadline, query.into_future()).await??.check()?;
        Ok(())
    }

    /// How many turns wait, claimed or not.
    pub async fn depth(&self) -> Result<u64, StorageError> {
        let query = self.db.query("RETURN count(SELECT VALUE id FROM remember_queue)");
        let mut response = within(self.deadline, query.into_future()).await??.check()?;
        let count: Option<i64> = response.take(0)?;
        Ok(count.unwrap_or(0).max(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(key: &str, at: u64) -> QueuedTurn {
        QueuedTurn {
            key: key.to_owned(),
            user_id: "console:ann".to_owned(),
            message: serde_json::json!({"text": key}),
            reply: "ok".to_owned(),
            queued_at_ms: at,
            attempts: 0,
        }
    }

    #[tokio::test]
    async fn turns_are_claimed_once_oldest_first_and_a_dead_claim_is_taken_over() {
        let storage = Storage::open("mem://").await.unwrap();
        let queue = TurnQueue::open(&storage).await.unwrap();
        for (key, at) in [("b", 2), ("a", 1), ("c", 3)] {
            queue.push(&turn(key, at), Some("queuer")).await.unwrap();
        }
        assert_eq!(queue.depth().await.unwrap(), 3);
        assert!(queue.claim("one", 10, 10).await.unwrap().is_empty(), "a live replica's own");
        // The queuer died: after its claims expire, the others take its turns over, but a
        // worker never takes its own turns back (it holds them in memory).
        let later = 3 + CLAIM_EXPIRES_MS + 1;
        assert!(queue.claim("queuer", later, 10).await.unwrap().is_empty());
        let first = queue.claim("one", later, 2).await.unwrap();
        assert_eq!(first, [turn("a", 1), turn("b", 2)]);
        let second = queue.claim("two", later, 10).await.unwrap();
        assert_eq!(second, [turn("c", 3)], "claimed turns are not handed out again");
        assert!(queue.claim("two", later + 1, 10).await.unwrap().is_empty());
        // Worker one died too: after its claims expire, worker two takes them.
        let later = later + CLAIM_EXPIRES_MS + 1;
        let taken = queue.claim("two", later, 10).await.unwrap();
        assert_eq!(taken, [turn("a", 1), turn("b", 2)]);
        queue.release("a").await.unwrap();
        // A failed turn given back is free at once; worker two's own old claim on c is stale
        // for anyone else.
        let again = queue.claim("three", later, 10).await.unwrap();
        assert_eq!(again, [QueuedTurn { attempts: 1, ..turn("a", 1) }, turn("c", 3)]);
        queue.remove(&["a".to_owned(), "b".to_owned(), "c".to_owned()]).await.unwrap();
        assert_eq!(queue.depth().await.unwrap(), 0);
        // A turn no worker holds in memory is free at once.
        queue.push(&turn("d", 4), None).await.unwrap();
        assert_eq!(queue.claim("one", 5, 10).await.unwrap(), [turn("d", 4)]);
    }

    #[tokio::test]
    async fn the_queue_outlives_the_process() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("surrealkv://{}", dir.path().join("db").display());
        {
            let storage = Storage::open(&url).await.unwrap();
            let queue = TurnQueue::open(&storage).await.unwrap();
            queue.push(&turn("kept", 5), Some("gone")).await.unwrap();
        }
        {
            let storage = Storage::open(&url).await.unwrap();
            let queue = TurnQueue::open(&storage).await.unwrap();
            assert_eq!(queue.claim("dies", 6, 10).await.unwrap(), [turn("kept", 5)]);
        }
        // Its claim died with it: the next process takes the turn at once.
        let storage = Storage::open(&url).await.unwrap();
        let queue = TurnQueue::open(&storage).await.unwrap();
        assert_eq!(queue.claim("next", 7, 10).await.unwrap(), [turn("kept", 5)]);
    }
}
