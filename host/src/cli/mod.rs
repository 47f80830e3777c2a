//! The `dcmaid` command, one file per group of subcommands; `main.rs` parses and dispatches.

pub mod args;
pub mod chat;
pub mod doctor;
pub mod eval;
pub mod jobs;
mod operator;
pub mod plugins;
pub mod registry;
pub mod restore;
pub mod serve;
