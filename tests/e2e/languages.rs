//! Plugins in other languages load and run exactly as Rust plugins do: `dice-py`, a Python
//! tool plugin built by componentize-py, and `tally-js`, a JavaScript observer built by
//! componentize-js, each from `wit/` alone.

use std::time::Instant;

use dcmaid_host::Bot;
use dcmaid_tests::fake_web::FakeWeb;
use dcmaid_tests::{Sandbox, plugin_name};

use crate::say;

/// `🎲 2d6+3: a + b + 3 = total`: the faces and the total, checked against each other.
fn check_roll(reply: &str, dice: usize, sides: u32, modifier: i64) {
    let (_, sum) = reply.split_once(": ").unwrap_or_else(|| panic!("{reply}"));
    let (terms, total) = sum.rsplit_once(" = ").unwrap_or_else(|| panic!("{reply}"));
    let mut terms = terms.split(' ');
    let faces: Vec<u32> =
        terms.by_ref().step_by(2).take(dice).map(|f| f.parse().unwrap()).collect();
    assert_eq!(faces.len(), dice, "{reply}");
    assert!(faces.iter().all(|face| (1..=sides).contains(face)), "{reply}");
    let expected = faces.iter().map(|&f| i64::from(f)).sum::<i64>() + modifier;
    assert_eq!(total.parse::<i64>().unwrap(), expected, "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_plugin_answers_keeps_state_across_restarts_and_refuses_bad_input() {
    let sandbox = Sandbox::new();
    sandbox.install_dice_py();
    let started = Instant::now();
    let bot = Bot::start(sandbox.config()).await.unwrap();
    let first_start = started.elapsed();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());

    let reply = say(&bot, "alice", "/roll 2d6+3").await.reply;
    assert!(reply.starts_with("🎲 2d6+3: "), "{reply}");
    check_roll(&reply, 2, 6, 3);
    check_roll(&say(&bot, "alice", "/roll d20").await.reply, 1, 20, 0);
    let refused = say(&bot, "alice", "/roll 0d6").await;
    assert_eq!(refused.reply, "roll 1 to 100 dice, not 0");
    assert_eq!(
        say(&bot, "alice", "/roll banana").await.reply,
        "`banana` is not dice notation; try 2d6+3"
    );
    assert_eq!(say(&bot, "alice", "/rolls").await.reply, "You rolled 2 times.");
    assert_eq!(say(&bot, "bob", "/rolls").await.reply, "You rolled 0 times.");
    drop(bot);

    // The second start finds the compiled component in the cache; the kv state is kept.
    let started = Instant::now();
    let bot = Bot::start(sandbox.config()).await.unwrap();
    let second_start = started.elapsed();
    assert_eq!(say(&bot, "alice", "/rolls").await.reply, "You rolled 2 times.");
    println!("dice-py: first start {first_start:?}, second start {second_start:?}");
    drop(bot);

    // Its kv full (a quota of the keys it has), the Python plugin tells the host's limit
    // apart and passes it on; the user hears which limit, and the tally it kept is intact.
    let mut config = sandbox.config();
    let budgets = toml::from_str("kv.max_keys = 1").unwrap();
    let entry = dcmaid_host::plugin::PluginEntry { budgets, ..Default::default() };
    config.plugins.insert(dcmaid_tests::plugin_name("dice-py"), entry);
    let bot = Bot::start(config).await.unwrap();
    let limited = say(&bot, "bob", "/roll d6").await;
    assert_eq!(limited.limit.as_deref(), Some("kv.max_keys"), "{limited:?}");
    assert!(limited.reply.contains("kv.max_keys"), "{}", limited.reply);
    assert_eq!(say(&bot, "alice", "/rolls").await.reply, "You rolled 2 times.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_plugin_calls_out_through_wasi_http_where_the_allowlist_says() {
    let web = FakeWeb::start().await;
    let sandbox = Sandbox::new();
    sandbox.install_dice_py();
    // As an operator would for a random.org of their own: the plugin asks for the host, the
    // allowlist grants exactly that address.
    let manifest = sandbox.plugins_dir().join("dice-py/plugin.toml");
    let shipped = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        shipped.replace("\"www.random.org\"]", "\"www.random.org\", \"127.0.0.1\"]"),
    )
    .unwrap();
    let allowlist = sandbox.data_dir().join("allowed_domains.txt");
    std::fs::write(&allowlist, format!("http://127.0.0.1:{}\n", web.port)).unwrap();
    let mut config = sandbox.config();
    config.limits.call_timeout_ms = 5_000;
    config.http.allowlist_file = Some(allowlist);
    let settings = format!("random_org_url = \"{}/integers/\"", web.base_url);
    config.plugins.entry(plugin_name("dice-py")).or_default().config =
        toml::from_str(&settings).unwrap();
    let bot = Bot::start(config.clone()).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    assert_eq!(
        say(&bot, "alice", "/trueroll 3d6+1").await.reply,
        "🎲 3d6+1 (random.org): 6 + 5 + 4 = 16"
    );
    drop(bot);

    // The real random.org is not on this allowlist: denied before anything leaves.
    config.plugins.clear();
    let bot = Bot::start(config).await.unwrap();
    let denied = say(&bot, "alice", "/trueroll 2d6").await;
    assert_eq!(denied.reply, "I'm not allowed to reach www.random.org.");
    assert!(!denied.failed, "a denial is an answer, not a failure");
    assert_eq!(web.seen().len(), 1, "only the first roll reached the network");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_javascript_observer_counts_events_in_its_own_metrics_and_answers_a_command() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_tally_js();
    let bot = Bot::start(sandbox.config()).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());

    say(&bot, "alice", "hello").await;
    say(&bot, "bob", "/hello Ann").await;
    bot.flush_observers().await;
    let exposition = bot.metrics().encode();
    for line in [
        "dcmaid_plugin_tally_js_events_total{kind=\"message-received\"} 2",
        "dcmaid_plugin_tally_js_events_total{kind=\"reply-sent\"} 2",
        "dcmaid_plugin_tally_js_commands_total{command=\"hello\"} 1",
    ] {
        assert!(exposition.contains(line), "{line} missing from {exposition}");
    }
    // Observers run off the critical path: the command's own message may not be counted yet.
    let tally = say(&bot, "carol", "/tally").await.reply;
    let seen = ["So far: message-received: 2, ", "So far: message-received: 3, "];
    assert!(seen.iter().any(|start| tally.starts_with(start)), "{tally}");
    assert!(tally.ends_with("reply-sent: 2, command-ran: 1, plugin-failed: 0."), "{tally}");
    bot.flush_observers().await;
    drop(bot);

    // The totals are kept in kv: a restart goes on from them.
    let bot = Bot::start(sandbox.config()).await.unwrap();
    let tally = say(&bot, "carol", "/tally").await.reply;
    assert!(tally.ends_with("reply-sent: 3, command-ran: 2, plugin-failed: 0."), "{tally}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_and_javascript_plugins_tell_a_missing_grant_apart_and_a_trap_is_contained() {
    use dcmaid_host::core::Capability;
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_dice_py();
    sandbox.install_tally_js();
    let mut config = sandbox.config();
    config.limits.call_timeout_ms = 5_000;
    // Without `kv`, each gets 0.2.0's `not-granted` as a case of its own, and says so; without
    // `metrics`, tally-js's call throws an error it does not catch: it traps in its call.
    config.plugins.entry(plugin_name("dice-py")).or_default().grant = Some(Default::default());
    config.plugins.entry(plugin_name("tally-js")).or_default().grant =
        Some([Capability::Metrics].into());
    let bot = Bot::start(config.clone()).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());

    let rolled = say(&bot, "alice", "/roll 2d6").await;
    assert!(!rolled.failed);
    assert!(
        rolled.reply.ends_with("(not counted: this plugin has no kv grant)"),
        "{}",
        rolled.reply
    );
    assert_eq!(
        say(&bot, "alice", "/rolls").await.reply,
        "I keep no count: this plugin has no kv grant."
    );
    assert_eq!(
        say(&bot, "alice", "/tally").await.reply,
        "So far: nothing: this plugin has no kv grant."
    );
    drop(bot);

    config.plugins.entry(plugin_name("tally-js")).or_default().grant =
        Some([Capability::Kv].into());
    let bot = Bot::start(config).await.unwrap();
    // Every event traps tally-js's observer; replies do not wait for it or notice.
    assert!(say(&bot, "alice", "hello").await.reply.starts_with("Hi, alice!"));
    bot.flush_observers().await;
    let exposition = bot.metrics().encode();
    let traps = "dcmaid_plugin_calls_total{plugin=\"tally-js\",call=\"observer.on-event\",outcome=\"trap\"}";
    assert!(exposition.contains(traps), "{exposition}");
    // The same plugins go on answering what does not trap.
    assert_eq!(
        say(&bot, "alice", "/roll banana").await.reply,
        "`banana` is not dice notation; try 2d6+3"
    );
    assert!(say(&bot, "alice", "/tally").await.reply.starts_with("So far: "));
}

#[test]
fn python_and_javascript_plugins_through_chat_the_http_api_and_a_cli_swap() {
    use crate::cli::{OPERATOR_TOKEN, as_operator, dcmaid, free_port, serve};
    let sandbox = Sandbox::new();
    sandbox.install_dice_py();
    sandbox.install_tally_js();
    let port = free_port();
    let config = format!(
        "[server]\nbind = \"127.0.0.1:{port}\"\nadmin_token = \"{OPERATOR_TOKEN}\"\n[limits]\ncall_timeout_ms = 5000\n"
    );

    let chat = dcmaid(&sandbox, &config, &["chat", "--user", "ann"], "/roll 1d6\n/rolls\n/tally\n");
    assert!(chat.status.success(), "{}", String::from_utf8_lossy(&chat.stderr));
    let stdout = String::from_utf8(chat.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    check_roll(lines[0], 1, 6, 0);
    assert_eq!(lines[1], "You rolled 1 time.");
    assert!(lines[2].starts_with("So far: message-received: "), "{}", lines[2]);

    // The API answers from both plugins (its users are `web:` users, not the console's).
    let mut server = serve(&sandbox, &config, port);
    let ask = |text: &str| {
        let body = format!(r#"{{"user_id":"ann","text":"{text}"}}"#);
        let (status, body) = as_operator(port, "POST", "/api/v1/chat", &body).unwrap();
        assert_eq!(status, 200, "{body}");
        let reply: serde_json::Value = serde_json::from_str(&body).unwrap();
        reply["reply"].as_str().unwrap().to_owned()
    };
    assert_eq!(ask("/rolls"), "You rolled 0 times.");
    check_roll(&ask("/roll 3d4+1"), 3, 4, 1);
    assert!(ask("/tally").starts_with("So far: "));

    // A new version of the Python plugin, swapped in through the CLI while the server runs.
    let manifest = sandbox.plugins_dir().join("dice-py/plugin.toml");
    let shipped = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, shipped.replace("version = \"0.1.0\"", "version = \"0.1.1\""))
        .unwrap();
    let swap = dcmaid(&sandbox, &config, &["plugin", "reload", "dice-py"], "");
    assert!(swap.status.success(), "{}", String::from_utf8_lossy(&swap.stderr));
    let said = String::from_utf8(swap.stdout).unwrap();
    assert!(said.starts_with("dice-py: 0.1.0 -> 0.1.1 in "), "{said}");
    assert_eq!(ask("/rolls"), "You rolled 1 time.", "the kv state carried over the swap");
    let _ = server.kill();
    let _ = server.wait();
}
