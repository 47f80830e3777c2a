//! Where messages come from: the terminal here; Discord and Telegram join later.

pub mod console;
