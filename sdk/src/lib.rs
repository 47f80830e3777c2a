//! Write dcmaid plugins in Rust.
//!
//! A plugin is a struct, a trait impl for its role and one macro:
//!
//! ```ignore
//! use dcmaid_sdk::prelude::*;
//!
//! struct Echo;
//!
//! impl Plugin for Echo {}
//!
//! impl Persona for Echo {
//!     fn shape(message: Message) -> Result<Shaped, PluginError> {
//!         Ok(Shaped::direct(format!("You said: {}", message.text)))
//!     }
//! }
//!
//! dcmaid_sdk::persona!(Echo);
//! ```
//!
//! Build it with `cargo build --target wasm32-wasip2`: the `cdylib` is a component the host
//! loads. Plugins keep no state between calls (the host instantiates one per call); keep
//! state in [`kv`].

#[doc(hidden)]
pub mod bindings;
pub mod config;
pub mod http;
pub mod kv;
pub mod llm;
pub mod log;
pub mod metrics;
mod roles;
pub mod scheduler;
pub mod store;
mod values;

pub use bindings::base::dcmaid::bot::types::{
    CommandRan, CommandSpec, Event, Invocation, Limit, Message, MessageContext, Platform,
    PluginError, PluginFailed, Reply, ReplySent, ToolCalled, ToolSpec, User,
};
pub use bindings::memory::exports::dcmaid::bot::memory::Recalled;
pub use bindings::persona::exports::dcmaid::bot::persona::{BigFive, Shaped};
pub use roles::{Memory, Observer, Persona, Plugin, Tool};

/// Everything a plugin usually needs, in one import.
pub mod prelude {
    pub use crate::{
        BigFive, CommandSpec, Event, Invocation, Limit, Memory, Message, MessageContext, Observer,
        Persona, Platform, Plugin, PluginError, Recalled, Reply, Shaped, Tool, ToolSpec, User,
        config, http, kv, llm, log, metrics, scheduler, store,
    };
}
