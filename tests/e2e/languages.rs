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
