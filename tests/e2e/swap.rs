//! Hot swap: a persona replaced under load loses no message, a broken version is refused
//! while the old one serves, a rollback puts the old one back; the admin API, the file
//! watcher and two replicas sharing Redis swap too.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dcmaid_host::Bot;
use dcmaid_host::bot::swap::{Seal, SwapAction, SwapError};
use dcmaid_tests::{Sandbox, component, plugin_name};
use poem::http::StatusCode;
use poem::test::TestClient;

use crate::say;

/// Install `hello` at `version`, greeting with `greeting`, into `plugins`.
fn install_hello(plugins: &Path, version: &str, greeting: &str) {
    let folder = plugins.join("hello");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(component("hello"), folder.join("plugin.wasm")).unwrap();
    let manifest = format!(
        "name = \"hello\"\nversion = \"{version}\"\nrole = \"persona\"\ncomponent = \"plugin.wasm\"\n\
         capabilities = [\"kv\"]\n[config]\ngreeting = \"{greeting}\"\n"
    );
    std::fs::write(folder.join("plugin.toml"), manifest).unwrap();
}

/// The greeting of a hello reply (`Hi, alice! That's message #3 from you.`) and its number.
fn greeting_and_number(reply: &str) -> (String, u64) {
    let (greeting, rest) = reply.split_once(", ").unwrap_or_else(|| panic!("{reply}"));
    let number = rest.split('#').nth(1).and_then(|n| n.split(' ').next()).unwrap();
    (greeting.to_owned(), number.parse().unwrap_or_else(|_| panic!("{reply}")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persona_swapped_under_load_answers_every_message_once_and_rolls_back() {
    let sandbox = Sandbox::new();
    install_hello(&sandbox.plugins_dir(), "0.1.0", "Hi");
    let mut config = sandbox.config();
    config.limits.call_timeout_ms = 5_000;
    // Each sender writes far faster than a person: not what this test is about.
    config.rate_limit.chat_burst = 10_000;
    let bot = Arc::new(Bot::start(config).await.unwrap());
    const SENDERS: usize = 4;
    const EACH: u64 = 250;
    let senders: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let bot = bot.clone();
            tokio::spawn(async move {
                let user = format!("user{sender}");
                let mut replies = Vec::new();
                for _ in 0..EACH {
                    let outcome = say(&bot, &user, "hello").await;
                    assert!(!outcome.failed, "{}", outcome.reply);
                    replies.push(outcome.reply);
                }
                replies
            })
        })
        .collect();
    // Swap while the senders are at it.
    tokio::time::sleep(Duration::from_millis(200)).await;
    install_hello(&sandbox.plugins_dir(), "0.2.0", "Ohayou");
    let swapped = bot.swaps().reload_plugin(&plugin_name("hello")).await.unwrap();
    assert_eq!((swapped.from.as_deref(), swapped.to.as_deref()), (Some("0.1.0"), Some("0.2.0")));

    let mut greetings = std::collections::BTreeSet::new();
    for sender in senders {
        let replies = sender.await.unwrap();
        assert_eq!(replies.len() as u64, EACH);
        let mut swapped_here = false;
        for (index, reply) in replies.iter().enumerate() {
            let (greeting, number) = greeting_and_number(reply);
            // One reply per message, and the visit count in kv carried across the swap.
            assert_eq!(number, index as u64 + 1, "{reply}");
            match greeting.as_str() {
                "Hi" => assert!(!swapped_here, "v1 answered after v2 did: {reply}"),
                "Ohayou" => swapped_here = true,
                other => panic!("unexpected greeting {other}"),
            }
            greetings.insert(greeting);
        }
    }
    assert_eq!(greetings.len(), 2, "the swap happened mid-run: {greetings:?}");

    // A broken version is refused, and v2 keeps answering.
    std::fs::write(sandbox.plugins_dir().join("hello/plugin.wasm"), b"not a component").unwrap();
    let refused = bot.swaps().reload_plugin(&plugin_name("hello")).await.unwrap_err();
    assert!(matches!(refused, SwapError::Refused { .. }), "{refused}");
    assert!(refused.to_string().contains("is not a valid component"), "{refused}");
    assert!(say(&bot, "ann", "hello").await.reply.starts_with("Ohayou, ann!"));

    // Roll back to v1, and again to v2.
    let back = bot.swaps().rollback_plugin(&plugin_name("hello")).await.unwrap();
    assert_eq!((back.from.as_deref(), back.to.as_deref()), (Some("0.2.0"), Some("0.1.0")));
    assert!(say(&bot, "ann", "hello").await.reply.starts_with("Hi, ann!"));
    bot.swaps().rollback_plugin(&plugin_name("hello")).await.unwrap();
    assert!(say(&bot, "ann", "hello").await.reply.starts_with("Ohayou, ann!"));

    let exposition = bot.metrics().encode();
    for line in [
        "dcmaid_plugin_swaps_total{plugin=\"hello\",outcome=\"swapped\"} 1",
        "dcmaid_plugin_swaps_total{plugin=\"hello\",outcome=\"refused\"} 1",
        "dcmaid_plugin_swaps_total{plugin=\"hello\",outcome=\"rolled_back\"} 2",
    ] {
        assert!(exposition.contains(line), "{line} missing from {exposition}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_api_swaps_and_says_why_it_will_not() {
    let sandbox = Sandbox::new();
    install_hello(&sandbox.plugins_dir(), "0.1.0", "Hi");
    let mut config = sandbox.config();
    config.server.admin_token = Some("s3cret".into());
    let bot = Arc::new(Bot::start(config).await.unwrap());
    let api = TestClient::new(dcmaid_host::api::routes(bot.clone(), None));
    let post = |path: &str, token: Option<&str>| {
        let request = api.post(path);
        match token {
            Some(token) => request.header("authorization", format!("Bearer {token}")),
            None => request,
        }
    };

    post("/api/v1/plugins/hello/reload", None).send().await.assert_status(StatusCode::UNAUTHORIZED);
    post("/api/v1/plugins/hello/reload", Some("nope"))
        .send()
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    let missing = post("/api/v1/plugins/ghost/reload", Some("s3cret")).send().await;
    missing.assert_status(StatusCode::NOT_FOUND);
    let bad = post("/api/v1/plugins/Not%20A%20Name/reload", Some("s3cret")).send().await;
    bad.assert_status(StatusCode::BAD_REQUEST);
    let nothing_before = post("/api/v1/plugins/hello/rollback", Some("s3cret")).send().await;
    nothing_before.assert_status(StatusCode::NOT_FOUND);

    install_hello(&sandbox.plugins_dir(), "0.2.0", "Ohayou");
    let swapped = post("/api/v1/plugins/hello/reload", Some("s3cret")).send().await;
    swapped.assert_status_is_ok();
    let body = swapped.json().await;
    body.value().object().get("from").assert_string("0.1.0");
    body.value().object().get("to").assert_string("0.2.0");
    assert!(say(&bot, "ann", "hello").await.reply.starts_with("Ohayou, ann!"));

    std::fs::write(sandbox.plugins_dir().join("hello/plugin.toml"), "name = 1").unwrap();
    let refused = post("/api/v1/plugins/hello/reload", Some("s3cret")).send().await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(say(&bot, "ann", "hello").await.reply.starts_with("Ohayou, ann!"));
}

/// Say hello as `user` until the reply starts with `greeting`; how long that took.
async fn until_greeted(bot: &Bot, user: &str, greeting: &str) -> Duration {
    let started = Instant::now();
    loop {
        let reply = say(bot, user, "hello").await.reply;
        if reply.starts_with(greeting) {
            return started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(10), "still {reply}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_file_in_the_plugins_directory_swaps_while_developing() {
    let sandbox = Sandbox::new();
    install_hello(&sandbox.plugins_dir(), "0.1.0", "Hi");
    let mut config = sandbox.config();
    config.watch_plugins = true;
    let bot = Arc::new(Bot::start(config).await.unwrap());
    dcmaid_host::bot::swap::watch(bot.swaps());
    assert!(say(&bot, "ann", "hello").await.reply.starts_with("Hi, ann!"));
    install_hello(&sandbox.plugins_dir(), "0.2.0", "Ohayou");
    until_greeted(&bot, "ann", "Ohayou").await;
}

/// A replica of a bot whose plugins are in `plugins`, sharing the Redis on loopback, with
/// `secret` sealing its swap announcements; it has greeted `user` with "Hi".
async fn replica(plugins: &Path, secret: &str, user: &str) -> (Sandbox, Arc<Bot>) {
    let sandbox = Sandbox::new();
    let mut config = sandbox.config();
    config.plugins_dir = Some(plugins.to_owned());
    config.storage.url = Some("mem://".into());
    config.redis.url = Some(REDIS.into());
    config.redis.secret = Some(secret.into());
    config.rate_limit.chat_burst = 10_000;
    let bot = Arc::new(Bot::start(config).await.unwrap());
    dcmaid_host::bot::swap::follow(bot.swaps(), &REDIS.into()).await.unwrap();
    assert!(say(&bot, user, "hello").await.reply.starts_with("Hi"));
    (sandbox, bot)
}

const REDIS: &str = "redis://127.0.0.1:6379";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swap_on_one_replica_reaches_the_other_through_redis() {
    let shared = tempfile::tempdir().unwrap();
    let plugins = shared.path().join("plugins");
    install_hello(&plugins, "0.1.0", "Hi");
    let secret = "the replicas' secret, test one";
    let (_first_sandbox, first) = replica(&plugins, secret, "ann").await;
    let (_second_sandbox, second) = replica(&plugins, secret, "bo").await;

    install_hello(&plugins, "0.2.0", "Ohayou");
    first.swaps().swap_everywhere(&plugin_name("hello"), SwapAction::Reload).await.unwrap();
    let took = until_greeted(&second, "bo", "Ohayou").await;
    println!("the second replica swapped {took:?} after the first");

    first.swaps().swap_everywhere(&plugin_name("hello"), SwapAction::Rollback).await.unwrap();
    until_greeted(&second, "bo", "Hi").await;
}

/// An attacker who reaches Redis publishes on the swap channel: an unsealed announcement, a
/// genuine one captured and played back, one altered, one sealed with another secret. None
/// changes what the replica serves, and each is counted by its reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_or_replayed_swap_announcements_change_nothing() {
    use fred::prelude::{ClientLike, EventInterface, PubsubInterface};

    let shared = tempfile::tempdir().unwrap();
    let plugins = shared.path().join("plugins");
    install_hello(&plugins, "0.1.0", "Hi");
    let secret = "the replicas' secret, test two";
    let (_first_sandbox, first) = replica(&plugins, secret, "ann").await;
    let (_second_sandbox, second) = replica(&plugins, secret, "bo").await;

    // The attacker listens on the channel, and can publish on it.
    let config = fred::prelude::Config::from_url(REDIS).unwrap();
    let listener =
        fred::prelude::Builder::from_config(config.clone()).build_subscriber_client().unwrap();
    listener.init().await.unwrap();
    listener.subscribe("dcmaid:plugins").await.unwrap();
    let mut heard = listener.message_rx();
    let attacker = fred::prelude::Builder::from_config(config).build().unwrap();
    attacker.init().await.unwrap();
    let publish = async |text: String| {
        attacker.publish::<i64, _, _>("dcmaid:plugins", text).await.unwrap();
    };

    // A genuine reload, captured as it goes by; then rolled back on both replicas.
    install_hello(&plugins, "0.2.0", "Ohayou");
    first.swaps().swap_everywhere(&plugin_name("hello"), SwapAction::Reload).await.unwrap();
    let captured = loop {
        let message = heard.recv().await.unwrap();
        let text = message.value.as_string().unwrap();
        if text.contains("reload") && text.contains("hello") {
            break text;
        }
    };
    until_greeted(&second, "bo", "Ohayou").await;
    first.swaps().swap_everywhere(&plugin_name("hello"), SwapAction::Rollback).await.unwrap();
    until_greeted(&second, "bo", "Hi").await;

    publish(captured.clone()).await;
    publish(r#"{"plugin":"hello","action":"reload","origin":"attacker"}"#.to_owned()).await;
    publish(captured.replace("reload", "enable")).await;
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let body = r#"{"plugin":"hello","action":"reload","origin":"attacker"}"#;
    let other = Seal::new("another secret, just as long").seal(body, now_ms.as_millis() as u64);
    publish(other).await;

    // Each reached the replicas; none swapped.
    let exposition = loop {
        let exposition = second.metrics().encode();
        let counted = ["replayed", "malformed", "forged"].iter().all(|reason| {
            exposition.contains(&format!(
                "dcmaid_swap_announcements_rejected_total{{reason=\"{reason}\"}}"
            ))
        });
        if counted {
            break exposition;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    println!(
        "{}",
        exposition.lines().filter(|l| l.contains("announcements")).collect::<Vec<_>>().join("\n")
    );
    for _ in 0..5 {
        assert!(say(&second, "bo", "hello").await.reply.starts_with("Hi"));
        assert!(say(&first, "ann", "hello").await.reply.starts_with("Hi"));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = listener.quit().await;
    let _ = attacker.quit().await;
}

#[tokio::test]
async fn without_a_secret_a_replica_with_redis_still_swaps_itself() {
    let shared = tempfile::tempdir().unwrap();
    let plugins = shared.path().join("plugins");
    install_hello(&plugins, "0.1.0", "Hi");
    let sandbox = Sandbox::new();
    let mut config = sandbox.config();
    config.plugins_dir = Some(plugins.clone());
    config.redis.url = Some(REDIS.into());
    let bot = Arc::new(Bot::start(config).await.unwrap());
    dcmaid_host::bot::swap::follow(bot.swaps(), &REDIS.into()).await.unwrap();
    // It still swaps itself.
    install_hello(&plugins, "0.2.0", "Ohayou");
    bot.swaps().swap_everywhere(&plugin_name("hello"), SwapAction::Reload).await.unwrap();
    until_greeted(&bot, "ann", "Ohayou").await;
}
