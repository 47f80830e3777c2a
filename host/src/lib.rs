//! dcmaid: a chat-bot host whose behaviours are WebAssembly components.
//!
//! A message's journey: an adapter ([`adapters`], [`api`]) normalises it into a
//! [`wit::Message`]; the [`bot`] routes a command to the plugin that owns it and anything
//! else to the persona; each plugin call runs in a fresh, capped instance ([`runtime`]) of a
//! component loaded once ([`plugin`]); plugins reach the outside only through host
//! [`capabilities`]. `ARCHITECTURE.md` has the map.

pub mod adapters;
pub mod api;
pub mod backup;
pub mod bot;
pub mod budget;
pub mod capabilities;
pub mod config;
pub mod core;
pub mod cron;
pub mod eval;
pub mod install;
pub mod manifest;
pub mod plugin;
pub mod redis;
pub mod runtime;
pub mod storage;
pub mod telemetry;
pub mod trust;
pub mod wit;

#[cfg(test)]
mod layout_tests;

pub use bot::Bot;
pub use config::Config;
