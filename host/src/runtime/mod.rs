//! Running components: the wasmtime [`engine`] (pooling allocator, epoch ticker, compile
//! cache, the one linker), the [`exports`] a component has, and one [`call`] into a fresh,
//! capped instance.

mod call;
mod call_error;
pub mod compile_cache;
mod engine;
mod epoch;
pub mod exports;
mod limiter;

pub use call::{CallState, ExportCall, Linked};
pub use call_error::{CallError, LimitHit};
pub use compile_cache::CacheOutcome;
pub use engine::Engine;
pub use epoch::EPOCH_TICK;
pub use exports::Exports;
