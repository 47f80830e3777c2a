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

/// Two plugins claiming one command and both offering a persona: named at load, the first
/// by name keeps each until the operator chooses in the config, and `dcmaid plugin list`
/// shows it.
#[tokio::test]
async fn a_command_or_persona_claimed_twice_is_reported_and_the_config_chooses() {
    let sandbox = Sandbox::new();
    let manifest = "version = \"0.1.0\"\nrole = \"persona\"\ncapabilities = [\"kv\"]\n[config]\n";
    sandbox.install("hello", &component("hello"), &format!("{manifest}greeting = \"Hi\"\n"));
    sandbox.install("greeter", &component("hello"), &format!("{manifest}greeting = \"Yo\"\n"));

    // In memory: the CLI below opens the sandbox's database file while these bots' handles
    // may still be closing.
    let in_memory = || {
        let mut config = sandbox.config();
        config.storage.url = Some("mem://".into());
        config
    };
    let bot = Bot::start(in_memory()).await.unwrap();
    let conflicts = bot.plugins().conflicts().to_vec();
    let claims: Vec<(&str, &str, bool)> =
        conflicts.iter().map(|c| (c.claim.as_str(), c.chosen.as_str(), c.by_config)).collect();
    assert_eq!(claims, [("/hello", "greeter", false), ("persona", "greeter", false)]);
    assert_eq!(conflicts[0].claimants, ["greeter", "hello"]);
    assert!(say(&bot, "ann", "hi").await.reply.starts_with("Yo, ann!"));
    drop(bot);

    let mut config = in_memory();
    config.routes.insert("/hello".into(), plugin_name("hello"));
    config.persona = Some(plugin_name("hello"));
    let bot = Bot::start(config).await.unwrap();
    let conflicts = bot.plugins().conflicts().to_vec();
    let chosen: Vec<(&str, bool)> =
        conflicts.iter().map(|c| (c.chosen.as_str(), c.by_config)).collect();
    assert_eq!(chosen, [("hello", true), ("hello", true)]);
    assert!(say(&bot, "ann", "hi").await.reply.starts_with("Hi, ann!"));
    assert_eq!(say(&bot, "ann", "/hello Marisa").await.plugin.as_deref(), Some("hello"));
    drop(bot);

    let listed = crate::cli::dcmaid(&sandbox, "", &["plugin", "list"], "");
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert!(
        stdout.contains(
            "CONFLICT /hello: claimed by greeter, hello; greeter has it (trusted first, then by name"
        ),
        "{stdout}"
    );
    let routed =
        crate::cli::dcmaid(&sandbox, "[routes]\n\"/hello\" = \"hello\"\n", &["plugin", "list"], "");
    let stdout = String::from_utf8_lossy(&routed.stdout);
    assert!(stdout.contains("hello has it (as the config says)"), "{stdout}");
    let bad =
        crate::cli::dcmaid(&sandbox, "[routes]\nhello = \"hello\"\n", &["plugin", "list"], "");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("a route is a command"), "{bad:?}");
}

/// A stranger's package named to sort first (`aaa`) claims the command and the persona of
/// a plugin built here: the trusted one keeps both, and the claim is reported.
#[tokio::test]
async fn a_stranger_cannot_take_a_trusted_plugins_command_by_its_name() {
    let sandbox = Sandbox::new();
    let manifest = "version = \"0.1.0\"\nrole = \"persona\"\ncapabilities = [\"kv\"]\n[config]\n";
    let hello =
        sandbox.install("hello", &component("hello"), &format!("{manifest}greeting = \"Hi\"\n"));
    sandbox.install("aaa", &component("hello"), &format!("{manifest}greeting = \"Pwned\"\n"));
    // `hello` as scripts/build-plugins.sh records a local build.
    let parsed = dcmaid_host::manifest::Manifest::load(&hello.join("plugin.toml")).unwrap();
    let digest = dcmaid_host::trust::content_digest(&hello, &parsed).unwrap();
    let record = sandbox.plugins_dir().join(dcmaid_host::trust::LOCAL_BUILDS);
    std::fs::write(record, format!("hello {digest}\n")).unwrap();

    let bot = Bot::start(sandbox.config()).await.unwrap();
    let conflicts = bot.plugins().conflicts().to_vec();
    let claims: Vec<(&str, &str, bool)> =
        conflicts.iter().map(|c| (c.claim.as_str(), c.chosen.as_str(), c.by_config)).collect();
    assert_eq!(claims, [("/hello", "hello", false), ("persona", "hello", false)]);
    assert_eq!(conflicts[0].claimants, ["hello", "aaa"], "trusted first");
    assert!(say(&bot, "ann", "hi").await.reply.starts_with("Hi, ann!"));
    assert_eq!(say(&bot, "ann", "/hello Marisa").await.plugin.as_deref(), Some("hello"));
}
