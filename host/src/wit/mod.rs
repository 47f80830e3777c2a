//! The contract with plugins: the host-side bindings of each version of the `dcmaid:bot`
//! WIT package this host speaks, side by side (one module per version), which of them a
//! component was built against ([`version`]), and how values cross between them
//! ([`convert`]). The host works in the newest version's types; an older version's module
//! converts at the boundary.

pub mod convert;
mod host_world;
pub mod llm;
pub mod v0_1;
pub mod v0_2;
mod version;

pub use version::{WitError, WitVersion, version_of};

/// The newest version: what the host itself works in.
pub use v0_2 as latest;
pub use v0_2::{
    BigFive, CommandRan, CommandSpec, Event, Invocation, Limit, Message, MessageContext, Platform,
    PluginError, PluginFailed, Reply, ReplySent, Shaped, ToolCalled, ToolSpec, User,
};
