//! End-to-end tests of dcmaid with real components built from `plugins/`.

mod admin_api;
mod analytics;
mod cli;
mod console;
mod containment;
mod cron;
mod discord;
mod http;
mod jobs;
mod languages;
mod llm;
mod memory;
mod memory_time;
mod metrics;
mod misbehaving;
mod personality;
mod plugins;
mod ratelimit;
mod registry;
mod registry_limits;
mod replicas;
mod swap;
mod telegram;
mod tools;
mod trust;
mod versions;

use dcmaid_host::Bot;
use dcmaid_host::bot::Outcome;
use dcmaid_host::config::Config;
use dcmaid_host::core::ManualClock;
use dcmaid_host::wit::Platform;

/// A bot on `config` that runs on `clock`, every plugin loaded.
async fn start_on(config: Config, clock: &ManualClock) -> Bot {
    let bot = Bot::start_with_clock(config, clock.clone().into()).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    bot
}

/// Say `text` to `bot` as console user `user`.
async fn say(bot: &Bot, user: &str, text: &str) -> Outcome {
    bot.handle(bot.message(Platform::Console, user, user, user, text)).await
}
