//! Where messages come from: the terminal, Discord and Telegram (the HTTP API is in `api`).

pub mod console;
pub mod discord;
pub mod telegram;
