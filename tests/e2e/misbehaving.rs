//! Plugins that trap, spin, hog memory, lie about their world or are not components at all:
//! each fails alone, with an error that names it, and the bot keeps answering.

use std::time::{Duration, Instant};

use dcmaid_host::Bot;
use dcmaid_host::runtime::CallError;
use dcmaid_tests::{Sandbox, component};

use crate::say;

async fn bot_with_misbehave() -> (Sandbox, Bot) {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_misbehave();
    let bot = Bot::start(sandbox.config()).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    (sandbox, bot)
}

/// Run `/command` on misbehave and return the error the plugin call ended with.
async fn call_error(bot: &Bot, command: &str) -> CallError {
    let owner = bot.plugins().command_owner(command).unwrap().clone();
    let message = bot.message(dcmaid_host::wit::Platform::Console, "alice", "alice", "alice", "x");
    let invocation =
        dcmaid_host::wit::Invocation { name: command.into(), args: String::new(), message };
    owner.run_command(&invocation).await.unwrap_err()
}

/// After a failure the bot still answers both the failed plugin and the others.
async fn still_answers(bot: &Bot) {
    assert_eq!(say(bot, "alice", "/ok").await.reply, "ok");
    assert!(say(bot, "alice", "hello?").await.reply.starts_with("Hi, alice!"));
}

#[tokio::test]
async fn a_trap_is_contained_and_explained() {
    let (_sandbox, bot) = bot_with_misbehave().await;
    let outcome = say(&bot, "alice", "/trap").await;
    assert!(outcome.failed);
    assert!(outcome.reply.contains("misbehave"), "{}", outcome.reply);
    let error = call_error(&bot, "trap").await;
    assert!(matches!(error, CallError::Trap { .. }), "{error}");
    // The guest's panic message reaches the log line.
    assert!(error.to_string().contains("trapping on purpose"), "{error}");
    still_answers(&bot).await;
}

#[tokio::test]
async fn an_endless_loop_ends_at_the_deadline() {
    let (_sandbox, bot) = bot_with_misbehave().await;
    let started = Instant::now();
    let error = call_error(&bot, "spin").await;
    let took = started.elapsed();
    assert!(matches!(error, CallError::Timeout { .. }), "{error}");
    assert!(error.to_string().contains("misbehave"), "{error}");
    // The deadline is 500 ms; allow generous scheduling slack on a loaded machine.
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(say(&bot, "alice", "/spin").await.failed);
    still_answers(&bot).await;
}

#[tokio::test]
async fn a_memory_bomb_hits_the_cap() {
    let (_sandbox, bot) = bot_with_misbehave().await;
    let error = call_error(&bot, "hog").await;
    assert!(matches!(error, CallError::MemoryCap { limit_mib: 32, .. }), "{error}");
    assert!(error.to_string().contains("misbehave"), "{error}");
    still_answers(&bot).await;
}

#[tokio::test]
async fn a_component_of_the_wrong_world_is_refused_at_load() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    // misbehave is a tool; its manifest here claims it is a persona.
    sandbox.install("liar", &component("misbehave"), "version = \"1.0.0\"\nrole = \"persona\"\n");
    let bot = Bot::start(sandbox.config()).await.unwrap();
    let plugins = bot.plugins();
    let failed = plugins.failed();
    assert_eq!(failed.len(), 1, "{failed:?}");
    let error = &failed[0].error;
    assert!(error.contains("`liar`") && error.contains("role `persona`"), "{error}");
    assert!(error.contains("dcmaid:bot/persona@0.2.0"), "{error}");
    assert!(say(&bot, "alice", "hi").await.reply.starts_with("Hi, alice!"));
}

#[tokio::test]
async fn files_that_are_not_components_are_refused_at_load() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let junk = sandbox.data_dir().join("junk.wasm");
    std::fs::write(&junk, b"\0asm not really").unwrap();
    sandbox.install("junk", &junk, "version = \"1.0.0\"\nrole = \"tool\"\n");
    let core_module = sandbox.data_dir().join("core.wasm");
    // A valid core module, but not a component.
    std::fs::write(&core_module, [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]).unwrap();
    sandbox.install("core", &core_module, "version = \"1.0.0\"\nrole = \"tool\"\n");
    let bot = Bot::start(sandbox.config()).await.unwrap();
    let plugins = bot.plugins();
    let errors: Vec<&str> = plugins.failed().iter().map(|f| f.error.as_str()).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("`core`") && e.contains("not a valid component")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("`junk`") && e.contains("not a valid component")),
        "{errors:?}"
    );
    assert!(say(&bot, "alice", "hi").await.reply.starts_with("Hi, alice!"));
}

#[tokio::test]
async fn a_malformed_manifest_names_the_file_and_the_field() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install("broken", &component("hello"), "version = \"1.0.0\"\nrole = \"wizard\"\n");
    let bot = Bot::start(sandbox.config()).await.unwrap();
    let plugins = bot.plugins();
    let failed = plugins.failed();
    assert_eq!(failed.len(), 1, "{failed:?}");
    let error = &failed[0].error;
    assert!(error.contains("broken/plugin.toml"), "{error}");
    assert!(error.contains("role") && error.contains("persona"), "{error}");
    assert_eq!(bot.plugins().loaded().count(), 1);
}
