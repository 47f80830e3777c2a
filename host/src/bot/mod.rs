//! The bot: what answers messages, swaps plugins and runs jobs, put together from the
//! configuration ([`start`]). A message's path: an adapter calls [`Bot::handle`], the
//! [`pipeline`] routes a command to its plugin and anything else to the [`conversation`]
//! (persona, [`recollection`], model and [`toolbox`]; the turn is [`remembering`] after the
//! reply), each plugin call goes through
//! [`crate::plugin`] to one capped instance ([`crate::runtime`]); [`observers`] hear of it
//! off the critical path.

mod command;
mod conversation;
mod jobs;
mod live;
mod observers;
mod outcome;
mod pipeline;
pub mod ratelimit;
mod recollection;
mod remembering;
mod start;
pub mod swap;
mod toolbox;

pub use jobs::Jobs;
pub use live::LivePlugins;
pub use outcome::Outcome;
pub use pipeline::Pipeline;
pub use recollection::{RECALL_LIMIT, with_memories};
pub use start::{Bot, StartError};
pub use swap::{SwapAction, SwapError, Swapped, Swaps};
