//! Hot swap: a plugin's new version replaces the old while the bot keeps talking.
//!
//! The new version is loaded exactly as at start (read, compiled off the async threads,
//! linked, type-checked against its world, its settings validated) before anything changes;
//! one that fails is refused and the old keeps serving. Then the next plugin set is stored in
//! one atomic step: messages that started on the old version finish on it (each holds the
//! set it began with), later ones get the new. The version replaced is kept, so that
//! [`Swaps::rollback_plugin`] can put it back. Swaps are made one at a time. With Redis and a shared
//! secret, a swap reaches every replica ([`fanout`], sealed by [`seal`]); while developing, a changed file swaps ([`watch`]).

mod action;
mod channel;
mod fanout;
mod outcome;
mod seal;
mod swaps;
mod watch;

pub use action::SwapAction;
pub use channel::Fanout;
pub use fanout::follow;
pub use outcome::{SwapError, Swapped};
pub use seal::{Rejected, Seal};
pub use swaps::Swaps;
pub use watch::watch;
