//! The turns this replica queued and has not yet seen remembered: per user, so that a recall
//! can wait for its own user's turns ([`Pending::settled`]), each holding its room in the
//! queue until it is done; and, in the order they were queued, the ones the worker has not
//! yet taken ([`Pending::take`]), so that it need not read back from the store what this
//! process wrote.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use tokio::sync::{Notify, OwnedSemaphorePermit};

use crate::storage::QueuedTurn;

#[derive(Default)]
pub(super) struct Pending {
    state: Mutex<State>,
    /// Rung whenever a turn is done.
    done: Notify,
}

/// The room a queued turn holds until it is done: always its place in the replica's
/// backlog, and a place in memory when there was one (without, it waits in the store alone).
pub(super) struct Room {
    /// Held, never read: given back when the turn is done.
    _backlog: OwnedSemaphorePermit,
    in_memory: Option<OwnedSemaphorePermit>,
}

impl Room {
    pub(super) fn new(
        backlog: OwnedSemaphorePermit,
        in_memory: Option<OwnedSemaphorePermit>,
    ) -> Room {
        Room { _backlog: backlog, in_memory }
    }

    /// Whether the turn is held in memory too.
    pub(super) fn in_memory(&self) -> bool {
        self.in_memory.is_some()
    }
}

#[derive(Default)]
struct State {
    /// Queued turns by key: whose, and the room it holds.
    turns: HashMap<String, (String, Room)>,
    per_user: HashMap<String, usize>,
    /// Queued here and not yet taken by the worker, oldest first.
    untaken: VecDeque<QueuedTurn>,
}

impl Pending {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `turn` is queued; with `room`, it is kept here for the worker to take, without, it
    /// waits in the store alone. Returns how many are pending now.
    pub(super) fn add(&self, turn: QueuedTurn, room: Room) -> usize {
        let mut state = self.state();
        *state.per_user.entry(turn.user_id.clone()).or_default() += 1;
        let kept = room.in_memory();
        state.turns.insert(turn.key.clone(), (turn.user_id.clone(), room));
        if kept {
            state.untaken.push_back(turn);
        }
        state.turns.len()
    }

    /// Up to `limit` of the turns queued here that the worker has not taken yet, oldest
    /// first.
    pub(super) fn take(&self, limit: usize) -> Vec<QueuedTurn> {
        let mut state = self.state();
        let count = limit.min(state.untaken.len());
        state.untaken.drain(..count).collect()
    }

    /// Turn `key` is done with, remembered or not (a turn queued by an earlier process or
    /// another replica is not pending here); returns how many are pending now.
    pub(super) fn done(&self, key: &str) -> usize {
        let mut state = self.state();
        if let Some((user, _room)) = state.turns.remove(key)
            && let Some(count) = state.per_user.get_mut(&user)
        {
            *count -= 1;
            if *count == 0 {
                state.per_user.remove(&user);
            }
        }
        let left = state.turns.len();
        drop(state);
        self.done.notify_waiters();
        left
    }

    /// Return once nothing of `user` (of anyone, for `None`) is pending.
    pub(super) async fn settled(&self, user: Option<&str>) {
        loop {
            let done = self.done.notified();
            tokio::pin!(done);
            done.as_mut().enable();
            let clear = {
                let state = self.state();
                match user {
                    Some(user) => !state.per_user.contains_key(user),
                    None => state.turns.is_empty(),
                }
            };
            if clear {
                return;
            }
            done.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use tokio::sync::Semaphore;

    use super::*;

    #[tokio::test]
    async fn a_user_is_settled_when_their_turns_are_done_and_room_comes_back() {
        let room = Arc::new(Semaphore::new(2));
        let backlog = Arc::new(Semaphore::new(3));
        let pending = Arc::new(Pending::default());
        let permit = || room.clone().try_acquire_owned().unwrap();
        let held = |in_memory| Room::new(backlog.clone().try_acquire_owned().unwrap(), in_memory);
        let turn = |key: &str, user: &str| QueuedTurn {
            key: key.to_owned(),
            user_id: user.to_owned(),
            message: serde_json::json!({"text": key}),
            reply: "ok".to_owned(),
            queued_at_ms: 1,
            attempts: 0,
        };
        assert_eq!(pending.add(turn("a1", "ann"), held(Some(permit()))), 1);
        assert_eq!(pending.add(turn("b1", "bob"), held(Some(permit()))), 2);
        assert!(room.clone().try_acquire_owned().is_err(), "no room left in memory");
        assert_eq!(pending.add(turn("a2", "ann"), held(None)), 3);
        assert!(backlog.clone().try_acquire_owned().is_err(), "the backlog is full");
        let taken: Vec<String> = pending.take(5).into_iter().map(|turn| turn.key).collect();
        assert_eq!(taken, ["a1", "b1"], "the worker takes them oldest first, once");
        assert!(pending.take(5).is_empty(), "a turn without room is the store's alone");
        assert_eq!(pending.done("a2"), 2);
        tokio::time::timeout(Duration::from_secs(1), pending.settled(Some("cat"))).await.unwrap();
        let waiting = tokio::spawn({
            let pending = pending.clone();
            async move { pending.settled(Some("ann")).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "ann's turn is still pending");
        assert_eq!(pending.done("b1"), 1);
        assert!(!waiting.is_finished());
        assert_eq!(pending.done("a1"), 0);
        tokio::time::timeout(Duration::from_secs(1), waiting).await.unwrap().unwrap();
        assert_eq!(room.available_permits(), 2);
        assert_eq!(backlog.available_permits(), 3);
        assert_eq!(pending.done("someone-elses"), 0);
        tokio::time::timeout(Duration::from_secs(1), pending.settled(None)).await.unwrap();
    }
}
