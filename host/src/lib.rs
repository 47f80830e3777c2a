//! dcmaid: a chat-bot host whose behaviours are WebAssembly components.
//!
//! A message's journey: an adapter ([`adapters`], [`api`]) normalises it into a
//! [`bindings::Message`]; the [`pipeline`] routes a command to the plugin that owns it and
//! anything else to the persona; each plugin call runs in a fresh, capped instance
//! ([`plugin`]) of a component compiled once by the [`engine`]; plugins reach the outside
//! only through host [`capabilities`].

pub mod adapters;
pub mod api;
pub mod backup;
pub mod bindings;
pub mod bot;
pub mod capabilities;
pub mod clock;
pub mod compile_cache;
pub mod config;
pub mod cron;
pub mod egress;
pub mod embed;
pub mod engine;
pub mod error;
pub mod eval;
pub mod install;
pub mod llm;
pub mod logtail;
pub mod metrics;
pub mod observers;
pub mod pipeline;
pub mod plugin;
pub mod plugin_metrics;
pub mod ratelimit;
pub mod recollection;
pub mod redis;
pub mod storage;
pub mod swap;
pub mod toolbox;
pub mod trust;

pub use bot::Bot;
pub use config::Config;
