//! What remembering costs the conversation (issue 29), in one run: the same HTTP load (16
//! users at once, each saying "hello there #k" as soon as its last message is answered) to
//! `dcmaid serve` with the personality persona alone and with the memory plugin beside it;
//! messages per second, p50 and p99, and how long the memory then takes to catch up. Then a
//! crash: a server with memory is killed (SIGKILL) under load and started again, and every
//! answered turn is looked for among its user's memories.
//!
//! ```sh
//! scripts/test.sh   # or: scripts/fetch-model.sh, scripts/build-plugins.sh, cargo build
//! cargo bench --workspace --bench remember [-- --seconds 10]
//! ```
//!
//! Prints Markdown for BENCHMARKS.md.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use common::millis;
use common::serve::{Load, Serve, TOKEN, load};

/// The queue's depth as `/metrics` says, or `None` before the series exists.
async fn queue_depth(client: &reqwest::Client, port: u16) -> Option<u64> {
    let text = client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let line = text.lines().find(|line| line.starts_with("dcmaid_remember_queue_depth "))?;
    line.split_whitespace().nth(1)?.parse::<f64>().ok().map(|depth| depth as u64)
}

/// The texts of `user`'s memories (at most 100).
async fn memories(client: &reqwest::Client, port: u16, user: &str) -> HashSet<String> {
    let url = format!("http://127.0.0.1:{port}/api/v1/memories");
    let answer = client
        .get(url)
        .bearer_auth(TOKEN)
        .query(&[("user_id", user), ("query", "hello there"), ("limit", "100")])
        .send()
        .await;
    let Ok(answer) = answer else { return HashSet::new() };
    let hits: Vec<serde_json::Value> = answer.json().await.unwrap_or_default();
    hits.iter().filter_map(|hit| Some(hit.get("text")?.as_str()?.to_owned())).collect()
}

fn row(name: &str, load: &Load) {
    println!(
        "| {name} | {:.0} | {} | {} |",
        load.per_second(),
        millis(load.percentile(0.5)),
        millis(load.percentile(0.99))
    );
}

#[tokio::main]
async fn main() {
    let seconds: f64 = std::env::args()
        .skip_while(|arg| arg != "--seconds")
        .nth(1)
        .map(|s| s.parse().expect("--seconds S"))
        .unwrap_or(10.0);
    let client = reqwest::Client::new();

    let alone_dir = tempfile::tempdir().unwrap();
    let alone = Serve::start(alone_dir.path(), &["personality"], "");
    load(&[alone.port], 2.0).await;
    let without = load(&[alone.port], seconds).await;
    drop(alone);

    let with_dir = tempfile::tempdir().unwrap();
    let with = Serve::start(with_dir.path(), &["personality", "memory"], "");
    load(&[with.port], 2.0).await;
    let remembered = load(&[with.port], seconds).await;
    let stopped = Instant::now();
    let mut depth_at_stop = None;
    loop {
        let depth = queue_depth(&client, with.port).await;
        depth_at_stop = depth_at_stop.or(depth);
        if depth == Some(0) || stopped.elapsed() > Duration::from_secs(600) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let caught_up = stopped.elapsed();
    drop(with);

    println!("| {seconds} s of 16 users at once over HTTP | messages/s | p50 | p99 |");
    println!("|---|---:|---:|---:|");
    row("personality alone", &without);
    row("personality + memory", &remembered);
    println!(
        "| ratio, with memory against without | {:.2}x | {:.2}x | {:.2}x |",
        remembered.per_second() / without.per_second(),
        remembered.percentile(0.5).as_secs_f64() / without.percentile(0.5).as_secs_f64(),
        remembered.percentile(0.99).as_secs_f64() / without.percentile(0.99).as_secs_f64()
    );
    println!(
        "\nWith memory, {} turns were queued when the load stopped; the memory had them all {:.1} s later.",
        depth_at_stop.unwrap_or(0),
        caught_up.as_secs_f64()
    );

    // A crash under load: what was answered must be remembered after the restart.
    let crash_dir = tempfile::tempdir().unwrap();
    let crashing = Serve::start(crash_dir.path(), &["personality", "memory"], "");
    let answered = load(&[crashing.port], 1.0).await;
    crashing.kill();
    let again = Serve::start(crash_dir.path(), &["personality", "memory"], "");
    let mut by_user: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in &answered.answered {
        let (user, text) = line.split_once(": ").unwrap();
        by_user.entry(format!("web:{user}")).or_default().push(text.to_owned());
    }
    let waiting = Instant::now();
    let missing = loop {
        let mut missing = 0;
        for (user, texts) in &by_user {
            let kept = memories(&client, again.port, user).await;
            missing += texts.iter().filter(|text| !kept.contains(*text)).count();
        }
        if missing == 0 || waiting.elapsed() > Duration::from_secs(120) {
            break missing;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    println!(
        "\nKilled under load after {} answered turns: after the restart, {} of them are among the memories ({} missing) after {:.1} s.",
        answered.answered.len(),
        answered.answered.len() - missing,
        missing,
        waiting.elapsed().as_secs_f64()
    );
}
