//! Where messages come from: the terminal and Telegram (the HTTP API is in `api`).

pub mod console;
pub mod telegram;
