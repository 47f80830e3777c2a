//! A hostile plugin against its budgets: the real `misbehave` component floods the CPU with
//! busy jobs, replies with megabytes, fills its kv and store, floods the log with forged
//! lines, sends requests without end and asks the model again and again. Each time the limit
//! holds, it is named (in the reply, the metric, the plugin's budget report), the plugin's
//! data stays readable, and another user, talking to another plugin, is answered meanwhile.

use std::sync::Arc;
use std::time::{Duration, Instant};

use dcmaid_host::cron::Claims;
use dcmaid_host::plugin::PluginEntry;
use dcmaid_host::{Bot, Config};
use dcmaid_tests::fake_llm::FakeLlm;
use dcmaid_tests::fake_web::FakeWeb;
use dcmaid_tests::{Sandbox, component, dcmaid_binary, plugin_name};

use crate::say;

/// hello (a persona that counts its users' messages in kv) beside misbehave, whose budgets
/// `overrides` (TOML, as under `[plugins.misbehave.budgets]`) change.
fn config(sandbox: &Sandbox, overrides: &str) -> Config {
    sandbox.install_hello();
    sandbox.install_misbehave();
    let mut config = sandbox.config();
    config.limits.call_timeout_ms = 5_000;
    let entry = PluginEntry { budgets: toml::from_str(overrides).unwrap(), ..Default::default() };
    config.plugins.insert(plugin_name("misbehave"), entry);
    config
}

async fn start(config: Config) -> Arc<Bot> {
    let bot = Arc::new(Bot::start(config).await.unwrap());
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    bot
}

/// `dcmaid_plugin_limit_hits_total` for misbehave and `limit`.
fn hits(bot: &Bot, limit: &str) -> f64 {
    let wanted =
        format!("dcmaid_plugin_limit_hits_total{{plugin=\"misbehave\",limit=\"{limit}\"}} ");
    let exposition = bot.metrics().encode();
    let line = exposition.lines().find(|line| line.starts_with(&wanted));
    line.and_then(|line| line[wanted.len()..].parse().ok()).unwrap_or(0.0)
}

/// bob talks to hello, which keeps counting his messages: the well-behaved plugin beside
/// the hostile one loses nothing.
async fn bob_is_answered(bot: &Bot, count: u64) {
    let outcome = say(bot, "bob", "hello").await;
    assert!(!outcome.failed, "{outcome:?}");
    assert_eq!(outcome.reply, format!("Hi, bob! That's message #{count} from you."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_jobs_run_into_the_cpu_budget_while_other_users_are_answered() {
    let sandbox = Sandbox::new();
    let bot = start(config(&sandbox, "cpu.seconds_per_minute = 1.5")).await;
    assert!(bot.config().limits.call_timeout_ms >= 1_000, "a busy call could run a second");
    bot.cron().start(Arc::new(Claims::Local), bot.job_runner()).await.unwrap();
    let scheduled = say(&bot, "mallory", "/busy 32 * * * * * *").await;
    assert_eq!(scheduled.reply, "scheduled 32 busy jobs");

    // While the jobs compute, bob's conversation goes on.
    let until = Instant::now() + Duration::from_secs(4);
    let mut count = 0;
    while Instant::now() < until {
        count += 1;
        bob_is_answered(&bot, count).await;
        // A person's pace, within the conversation's rate limit.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // At the lowest priority the jobs get the CPU only when the tests running beside this
    // one leave a core free: they have 30 s in all to run into their budget.
    let deadline = until + Duration::from_secs(26);
    while hits(&bot, "cpu.seconds_per_minute") < 1.0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(hits(&bot, "cpu.seconds_per_minute") >= 1.0, "{}", bot.metrics().encode());
    let budget = bot.plugins().get(&plugin_name("misbehave")).unwrap().budget().report();
    assert!(budget.cpu_seconds_last_minute >= 1.5, "{budget:?}");
    assert!(budget.limit_hits.contains_key("cpu.seconds_per_minute"), "{budget:?}");

    // Over its budget, the plugin's commands are refused politely, with the limit named.
    let refused = say(&bot, "mallory", "/ok").await;
    assert!(refused.failed, "{refused:?}");
    assert_eq!(refused.limit.as_deref(), Some("cpu.seconds_per_minute"));
    assert!(
        refused.reply.contains("cpu.seconds_per_minute") && refused.reply.contains("try again")
    );
    bob_is_answered(&bot, count + 1).await;
    bot.cron().shutdown(Duration::from_secs(10)).await;
}

#[tokio::test]
async fn a_reply_flood_is_cut_at_the_cap_and_says_so() {
    let sandbox = Sandbox::new();
    let bot = start(config(&sandbox, "")).await;
    let outcome = say(&bot, "mallory", "/flood 8000000").await;
    assert!(outcome.reply.len() <= 16 * 1024, "{} bytes", outcome.reply.len());
    assert!(
        outcome.reply.ends_with("[… cut: 16384 of 8000000 bytes shown]"),
        "{}",
        &outcome.reply[16_300..]
    );
    assert_eq!(hits(&bot, "output.reply_bytes"), 1.0);
    bob_is_answered(&bot, 1).await;
}

#[tokio::test]
async fn storage_floods_stop_at_the_quota_and_what_is_stored_stays_readable() {
    let sandbox = Sandbox::new();
    let overrides = "[kv]\nmax_bytes = 1048576\n[store]\nmax_documents = 50\n";
    let bot = start(config(&sandbox, overrides)).await;
    bob_is_answered(&bot, 1).await;

    // 300 values of 60 KiB: what fits in 1 MiB is stored, the rest refused with the limit.
    let flood = say(&bot, "mallory", "/kvflood 300 61440").await.reply;
    let (stored, then) = flood.split_once("; then ").unwrap_or_else(|| panic!("{flood}"));
    let stored: u64 = stored.trim_start_matches("stored ").parse().unwrap();
    assert!(stored * 61_440 <= 1 << 20 && (stored + 1) * 61_448 > 1 << 20, "{flood}");
    assert_eq!(then, "limited kv.max_bytes 1048576");
    // Reads keep working (the reply, a whole value, is cut at 16 KiB).
    assert!(say(&bot, "mallory", "/kv flood/0").await.reply.starts_with("kkkkkkkk"));
    assert_eq!(say(&bot, "mallory", "/case flood/1").await.reply, "ok");

    let flood = say(&bot, "mallory", "/storeflood 100 10").await.reply;
    assert_eq!(flood, "stored 50; then limited store.max_documents 50");

    let budget = bot.plugins().get(&plugin_name("misbehave")).unwrap().budget().report();
    let kv = budget.kv.unwrap();
    assert_eq!((kv.items, kv.max_bytes), (stored, 1 << 20), "{kv:?}");
    assert_eq!(budget.store.unwrap().items, 50);
    bob_is_answered(&bot, 2).await;
}

#[tokio::test]
async fn a_log_flood_is_dropped_past_the_rate_and_counted() {
    let sandbox = Sandbox::new();
    let bot = start(config(&sandbox, "")).await;
    assert_eq!(say(&bot, "mallory", "/logflood 3000 4096").await.reply, "logged");
    let exposition = bot.metrics().encode();
    let wanted = "dcmaid_plugin_log_lines_dropped_total{plugin=\"misbehave\"} ";
    let line = exposition.lines().find(|line| line.starts_with(wanted)).unwrap();
    let dropped: f64 = line[wanted.len()..].parse().unwrap();
    // The burst (256 KiB of lines) is written; the rest of 12 MB is not.
    assert!((2_800.0..3_000.0).contains(&dropped), "{dropped} dropped");
    bob_is_answered(&bot, 1).await;
}

#[test]
fn a_plugin_cannot_forge_a_log_line() {
    let sandbox = Sandbox::new();
    sandbox.install_misbehave();
    let config_path = sandbox.data_dir().join("dcmaid.toml");
    std::fs::write(&config_path, format!("data_dir = \"{}\"\n", sandbox.data_dir().display()))
        .unwrap();
    let output = std::process::Command::new(dcmaid_binary())
        .args(["--config", config_path.to_str().unwrap(), "chat", "--user", "mallory"])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(std::fs::File::open(write_input(&sandbox, "/logflood 3 8\n")).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let forged: Vec<&str> =
        stderr.lines().filter(|line| line.contains("forged by misbehave")).collect();
    assert_eq!(forged.len(), 3, "one line each, however many newlines they held: {stderr}");
    for line in forged {
        assert!(!line.starts_with("2026-12-03T00:00:00Z"), "{line}");
        assert!(line.contains("\\n2026-12-03T00:00:00Z  INFO dcmaid_host: forged"), "{line}");
    }
}

fn write_input(sandbox: &Sandbox, input: &str) -> std::path::PathBuf {
    let path = sandbox.data_dir().join("input.txt");
    std::fs::write(&path, input).unwrap();
    path
}

#[tokio::test]
async fn requests_per_call_and_request_bodies_are_capped() {
    let web = FakeWeb::start().await;
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install(
        "misbehave",
        &component("misbehave"),
        "version = \"0.1.0\"\nrole = \"tool\"\nhttp_hosts = [\"*\"]\n",
    );
    let mut config = sandbox.config();
    config.limits.call_timeout_ms = 5_000;
    let allowlist = sandbox.data_dir().join("allowed_domains.txt");
    std::fs::write(&allowlist, format!("http://127.0.0.1:{}\n", web.port)).unwrap();
    config.http.allowlist_file = Some(allowlist);
    let bot = start(config).await;
    let page = format!("{}/page", web.base_url);

    let flood = say(&bot, "mallory", &format!("/requests 20 {page}")).await.reply;
    assert!(flood.starts_with("sent 16 refused 4: "), "{flood}");
    assert_eq!(web.seen().len(), 16, "the refused requests never left");
    assert_eq!(hits(&bot, "http.requests_per_call"), 4.0);
    // The next call has its own allowance.
    assert!(
        say(&bot, "mallory", &format!("/requests 1 {page}")).await.reply.starts_with("sent 1 ")
    );

    let big = say(&bot, "mallory", &format!("/post 2000000 {page}")).await.reply;
    assert!(big.starts_with("refused: ") && big.contains("BodySize"), "{big}");
    assert_eq!(hits(&bot, "http.max_request_bytes"), 1.0);
    let small = say(&bot, "mallory", &format!("/post 10 {page}")).await.reply;
    assert!(small.starts_with("status "), "a small body passes: {small}");
    bob_is_answered(&bot, 1).await;
}

#[tokio::test]
async fn the_model_budgets_hold_for_a_plugin_and_for_a_user() {
    let model = FakeLlm::start().await;
    let sandbox = Sandbox::new();
    sandbox.install_personality();
    let mut config = config(&sandbox, "[llm]\nrequests_per_minute = 3\nembed_texts = 8\n");
    config.llm.base_url = Some(model.base_url.clone());
    config.llm.api_key_env = "HOME".into();
    config.persona = Some(plugin_name("personality"));
    config.user_budgets.llm_requests_per_day = 2;
    let bot = start(config).await;

    // The plugin's own budget: three requests a minute, then the limit, by name.
    let flood = say(&bot, "mallory", "/llmflood 10").await.reply;
    assert_eq!(flood, "answered 2; then limited user_budgets.llm_requests_per_day 2");
    let flood = say(&bot, "trent", "/llmflood 10").await.reply;
    assert_eq!(flood, "answered 1; then limited llm.requests_per_minute 3");
    let embedded = say(&bot, "trent", "/embedflood 100").await.reply;
    assert_eq!(embedded, "limited llm.embed_texts 8");

    // A user's budget: two turns with the model a day; then the persona answers from its
    // templates and says why, in character.
    for _ in 0..2 {
        let outcome = say(&bot, "alice", "how are you?").await;
        assert!(outcome.reply.contains("(model)"), "{outcome:?}");
    }
    let spent = say(&bot, "alice", "how are you?").await;
    assert!(!spent.failed && !spent.reply.contains("(model)"), "{spent:?}");
    assert_eq!(spent.limit.as_deref(), Some("user_budgets.llm_requests_per_day"));
    assert!(spent.reply.contains("proper answer"), "{}", spent.reply);
    // Another user still gets the model.
    assert!(say(&bot, "bob", "how are you?").await.reply.contains("(model)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_together_stay_within_the_plugins_memory_budget() {
    let sandbox = Sandbox::new();
    let bot = start(config(&sandbox, "memory.max_mib = 40")).await;
    let holders: Vec<_> = ["u1", "u2", "u3"]
        .into_iter()
        .map(|user| {
            let bot = bot.clone();
            tokio::spawn(async move { say(&bot, user, "/hold 20 1500").await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for holder in holders {
        outcomes.push(holder.await.unwrap());
    }
    let held = outcomes.iter().filter(|o| o.reply == "held 20 MiB").count();
    let limited = outcomes.iter().filter(|o| o.limit.as_deref() == Some("memory.max_mib")).count();
    assert!(held >= 1 && limited >= 1 && held + limited == 3, "{outcomes:?}");
    // Alone, a call fits again.
    assert_eq!(say(&bot, "u1", "/hold 20 10").await.reply, "held 20 MiB");
    bob_is_answered(&bot, 1).await;
}

#[tokio::test]
async fn plain_conversation_is_rate_limited_per_user() {
    let sandbox = Sandbox::new();
    let mut config = config(&sandbox, "");
    config.rate_limit.chat_burst = 3;
    let bot = start(config).await;
    for n in 1..=3 {
        assert!(!say(&bot, "mallory", "hi").await.reply.contains("faster"), "message {n}");
    }
    let slowed = say(&bot, "mallory", "hi").await;
    assert!(slowed.reply.contains("You're writing faster than I can answer"), "{slowed:?}");
    assert_eq!(slowed.limit.as_deref(), Some("rate_limit.chat_per_minute"));
    bob_is_answered(&bot, 1).await;
}
