//! Loading plugins, routing messages, capabilities and their isolation.

use dcmaid_host::Bot;
use dcmaid_tests::{Sandbox, component, plugin_name};

use crate::say;

#[tokio::test]
async fn hello_greets_by_name_and_owns_its_command() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let bot = Bot::start(sandbox.config()).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());

    let first = say(&bot, "alice", "good morning").await;
    assert_eq!(first.reply, "Hi, alice! That's message #1 from you.");
    assert_eq!(first.plugin.as_deref(), Some("hello"));
    let second = say(&bot, "alice", "still here").await;
    assert_eq!(second.reply, "Hi, alice! That's message #2 from you.");
    let other = say(&bot, "bob", "hey").await;
    assert_eq!(other.reply, "Hi, bob! That's message #1 from you.");

    let command = say(&bot, "alice", "/hello Marisa").await;
    assert_eq!(command.reply, "Hello, Marisa! 👋");
    assert_eq!(command.command.as_deref(), Some("hello"));
    assert_eq!(say(&bot, "alice", "/HELLO").await.reply, "Hello, alice! 👋");

    let help = say(&bot, "alice", "/help").await.reply;
    assert!(help.contains("/hello: Say hello to someone"), "{help}");
    let unknown = say(&bot, "alice", "/teleport now").await.reply;
    assert_eq!(unknown, "I don't know the command /teleport. Try /help.");
}

#[tokio::test]
async fn operator_config_overrides_the_manifest() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let mut config = sandbox.config();
    let settings = config.plugins.entry(plugin_name("hello")).or_default();
    settings.config.insert("greeting".into(), "Ohayou".into());
    let bot = Bot::start(config).await.unwrap();
    assert_eq!(say(&bot, "alice", "hi").await.reply, "Ohayou, alice! That's message #1 from you.");
}

#[tokio::test]
async fn kv_survives_a_restart() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    {
        let bot = Bot::start(sandbox.config()).await.unwrap();
        say(&bot, "alice", "one").await;
        say(&bot, "alice", "two").await;
    }
    let bot = Bot::start(sandbox.config()).await.unwrap();
    assert_eq!(say(&bot, "alice", "three").await.reply, "Hi, alice! That's message #3 from you.");
}

#[tokio::test]
async fn a_plugin_cannot_see_another_plugins_keys() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_misbehave();
    let bot = Bot::start(sandbox.config()).await.unwrap();
    say(&bot, "alice", "hello there").await; // hello writes visits/console:alice
    assert_eq!(say(&bot, "alice", "/kv visits/console:alice").await.reply, "(none)");
    assert_eq!(say(&bot, "alice", "/set visits/console:alice 999").await.reply, "stored");
    assert_eq!(say(&bot, "alice", "/kv visits/console:alice").await.reply, "999");
    // hello's own count is untouched by misbehave's key of the same name.
    assert_eq!(say(&bot, "alice", "again").await.reply, "Hi, alice! That's message #2 from you.");
}

#[tokio::test]
async fn an_ungranted_capability_fails_with_a_clear_error() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let mut config = sandbox.config();
    config.default_grants.clear();
    let bot = Bot::start(config).await.unwrap();
    let outcome = say(&bot, "alice", "hi").await;
    // The SDK maps the kv error to `unavailable`, which users see as a polite apology.
    assert!(outcome.failed, "{outcome:?}");
    assert!(outcome.reply.starts_with("Sorry"), "{}", outcome.reply);
    let granted = bot.plugins().persona().unwrap().grants().clone();
    assert!(granted.is_empty(), "{granted:?}");
}

#[tokio::test]
async fn disabled_plugins_are_not_loaded() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let mut config = sandbox.config();
    config.plugins.entry(plugin_name("hello")).or_default().enabled = false;
    let bot = Bot::start(config).await.unwrap();
    assert_eq!(bot.plugins().loaded().count(), 0);
    assert!(say(&bot, "alice", "hi").await.reply.starts_with("No persona plugin is loaded"));
}

#[tokio::test]
async fn the_compile_cache_is_used_and_survives_corruption() {
    let sandbox = Sandbox::new();
    let config = sandbox.config();
    let engine =
        dcmaid_host::runtime::Engine::new(&config.limits, Some(config.cache_dir())).unwrap();
    let bytes = std::fs::read(component("hello")).unwrap();
    use dcmaid_host::runtime::CacheOutcome::{Hit, Miss};
    assert_eq!(engine.compile_reporting(&bytes).unwrap().1, Miss);
    assert_eq!(engine.compile_reporting(&bytes).unwrap().1, Hit);

    // A damaged entry is ignored and rewritten, not trusted and not fatal.
    for entry in std::fs::read_dir(config.cache_dir()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"not a compiled component").unwrap();
    }
    assert_eq!(engine.compile_reporting(&bytes).unwrap().1, Miss);
    assert_eq!(engine.compile_reporting(&bytes).unwrap().1, Hit);
}

#[tokio::test]
async fn a_second_bot_on_the_same_data_dir_is_told_why_it_cannot_start() {
    let sandbox = Sandbox::new();
    let _running = Bot::start(sandbox.config()).await.unwrap();
    let error = Bot::start(sandbox.config()).await.err().expect("the database is taken");
    let message = error.to_string();
    assert!(message.contains("in use by another process"), "{message}");
    assert!(message.contains(&sandbox.data_dir().display().to_string()), "{message}");
}
