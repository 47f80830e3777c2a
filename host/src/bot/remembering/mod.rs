//! Remembering off the reply's path. An answered turn is written to a durable queue in the
//! store ([`crate::storage::TurnQueue`]) before its reply goes out, and a worker on the
//! background runtime hands the queue to the memory plugin in batches ([`worker`]): the
//! reply waits for one small write, not for an embedding and the memory's own writes.
//!
//! - **Nothing acknowledged is lost.** A turn leaves the queue only once the memory plugin
//!   has stored it; after a crash, the next start (or another replica on the same server)
//!   remembers what is left. A turn the plugin fails on stays for a later try, and after
//!   [`worker::MAX_ATTEMPTS`] tries is given up with a log line and a metric.
//! - **Recall reads its own writes.** Before the memory plugin recalls for a user (the
//!   conversation's recollection, or a command of the memory plugin), [`Remembering::settle`]
//!   waits until this replica has remembered that user's queued turns, for up to
//!   [`queue::SETTLE_WAIT`].
//! - **A reply never waits for the worker.** At most `[limits] remember_queue` turns are
//!   held in memory per replica; past it a turn is written to the store alone, free for any
//!   worker, and the worker reads it back once it has caught up. The memory plugin cannot
//!   store a turn without its vector, so shedding the embedding would shed the turn: under
//!   a load the model cannot follow, the backlog grows in the store (its depth and lag are
//!   metrics) instead of slowing the conversation, up to ten times `remember_queue`; only
//!   past that, so that a flood cannot fill the disk, does a reply wait for room.
//! - **Read back only after a crash.** The worker takes the turns this process queued from
//!   memory, in order, and asks the store only when it has none of those left: for an
//!   earlier process's turns, a dead replica's, or a failed turn given back. Under load that
//!   saves a scan of the whole queue per batch.
//! - **Yielding.** While messages are being answered, the worker rests after each batch for
//!   as long as the batch took, unless a reply waits for it ([`Remembering::settle`]): the
//!   model's work slows the replies even at the lowest priority, through the shared caches.
//! - **Batched.** The worker embeds a batch's texts in one run of the model before the plugin
//!   stores them, so the plugin's own `embed` finds them among the recent vectors.
//!
//! When the queue cannot be written (the store is away), the turn is remembered in line, as
//! before, and that failure is logged.

mod pending;
mod queue;
mod shared;
mod turn;
mod worker;

pub use queue::Remembering;
