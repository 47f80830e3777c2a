//! The contract with plugins: the host-side bindings of each version of the `dcmaid:bot`
//! WIT package this host speaks, side by side (one module per version), and which of them
//! a component was built against.

pub mod llm;
pub mod v0_1;
mod version;

pub use version::{WIT_VERSION, interface_name, runs_wit};

/// The newest version: what the host itself works in. Older versions are converted to it
/// at the boundary.
pub use v0_1 as latest;
pub use v0_1::{
    BigFive, CommandRan, CommandSpec, Event, Invocation, Message, Platform, PluginError,
    PluginFailed, Reply, ReplySent, Shaped, ToolCalled, ToolSpec, User,
};
