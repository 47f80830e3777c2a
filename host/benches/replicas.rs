//! What a SurrealDB server costs against the embedded store, in one run (issue 30):
//!
//! 1. recall through the memory plugin with 10k and 100k memories of one user, p50 / p95,
//!    on each backend (on the server the in-memory index follows the tables' changes, so
//!    its searches are local; filling it is the server's round trips);
//! 2. one message's way through the bot (the personality persona: its kv read and write),
//!    p50 / p99, 2,000 messages of 16 users one after another, on each backend;
//! 3. messages per second over HTTP from 16 users at once, to one `dcmaid serve` replica
//!    and to two on the same server.
//!
//! ```sh
//! scripts/test.sh   # or: ensure_surreal_server, scripts/build-plugins.sh, cargo build
//! cargo bench --workspace --bench replicas [-- --sizes 10000,100000]
//! ```
//!
//! Needs the `surreal` server (`$DCMAID_SURREAL`, built by scripts/env.sh) and the model.
//! Prints Markdown for BENCHMARKS.md.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::serve::{Serve, free_port, install_first_party, load, wait_for};
use common::{millis, percentile};
use dcmaid_host::wit::Platform;
use dcmaid_host::{Bot, Config};

const USER: &str = "bench";
const QUESTIONS: usize = 200;
const MESSAGES: usize = 2_000;

/// The SurrealDB server, in memory, root/root; killed when dropped.
struct Surreal(Child, u16);

impl Surreal {
    fn start() -> Surreal {
        let binary = std::env::var_os("DCMAID_SURREAL").map(PathBuf::from).unwrap_or_else(|| {
            Path::new(&std::env::var_os("HOME").unwrap()).join(".cache/dcmaid-tools/bin/surreal")
        });
        let port = free_port();
        let child = Command::new(&binary)
            .args(["start", "--bind", &format!("127.0.0.1:{port}"), "--user", "root"])
            .args(["--pass", "root", "--log", "error", "memory"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e} (scripts/env.sh builds it)", binary.display()));
        wait_for(port, "/health");
        Surreal(child, port)
    }

    fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.1)
    }
}

impl Drop for Surreal {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A bot in `dir` on `url` (none: embedded) with the plugins in `folders`.
async fn bot(dir: &Path, url: Option<&str>, folders: &[&str]) -> Arc<Bot> {
    for folder in folders {
        install_first_party(&dir.join("plugins"), folder, folder);
    }
    let mut config =
        Config { data_dir: dir.to_owned(), rate_limit: common::unlimited(), ..Config::default() };
    config.limits.call_timeout_ms = 60_000;
    config.storage.url =
        url.map(str::to_owned).or(Some(format!("surrealkv://{}", dir.join("db").display())));
    config.storage.user = Some("root".to_owned());
    config.storage.password = Some("root".to_owned());
    let bot = Arc::new(Bot::start(config).await.unwrap());
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    bot
}

/// A deterministic unit vector for memory `n`.
fn vector(n: usize) -> Vec<f32> {
    let mut state = (n as u64).wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut v: Vec<f32> = (0..384)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        })
        .collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

const WORDS: &[&str] = &[
    "garden", "river", "sister", "concert", "bicycle", "library", "recipe", "holiday", "guitar",
    "painting", "marathon", "puppy", "museum", "coffee", "mountain", "novel", "kitchen", "train",
];

/// Recall p50 and p95 at each size in `sizes`, on the backend at `url`.
async fn recalls(url: Option<&str>, sizes: &[usize]) -> Vec<(usize, Duration, Duration, Duration)> {
    let dir = tempfile::tempdir().unwrap();
    let bot = bot(dir.path(), url, &["memory"]).await;
    let memory = bot.plugins().memory().cloned().unwrap();
    let embedder = bot.capabilities().llm.embedder.clone().unwrap();
    let plugin = dcmaid_host::core::PluginName::new("memory").unwrap();
    let budget = bot.budgets().budget(&plugin, &toml::Table::new());
    let documents = bot.capabilities().store.documents("memory", budget).await.unwrap();
    let user_id = bot.message(Platform::Console, USER, USER, "bench", "").user.id;
    let questions: Vec<String> = (0..QUESTIONS)
        .map(|n| format!("what about the {} and the {}?", WORDS[n % 18], WORDS[(n * 5 + 1) % 18]))
        .collect();
    embedder.embed(&questions).await.unwrap();
    let mut stored = 0;
    let mut results = Vec::new();
    for &size in sizes {
        let started = Instant::now();
        while stored < size {
            let text = format!(
                "I talked about the {} and my {} today",
                WORDS[stored % 18],
                WORDS[(stored * 7 + 3) % 18]
            );
            let fields =
                serde_json::json!({"user_id": user_id, "kind": "turn", "text": text, "at_ms": 0});
            let serde_json::Value::Object(fields) = fields else { unreachable!() };
            documents.insert("memories", fields, Some(vector(stored))).await.unwrap();
            stored += 1;
        }
        let filled = started.elapsed();
        while !documents.is_indexed("memories").await.unwrap() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for question in questions.iter().take(10) {
            memory.recall(&user_id, question, 5).await.unwrap();
        }
        let mut samples = Vec::with_capacity(QUESTIONS);
        for question in &questions {
            let started = Instant::now();
            memory.recall(&user_id, question, 5).await.unwrap();
            samples.push(started.elapsed());
        }
        results.push((size, percentile(&mut samples, 0.5), percentile(&mut samples, 0.95), filled));
        eprintln!("{url:?} at {size}: filled in {filled:?}");
    }
    results
}

/// One message at a time, 16 users in turn: p50 and p99.
async fn pipeline(url: Option<&str>) -> (Duration, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let bot = bot(dir.path(), url, &["personality"]).await;
    let mut samples = Vec::with_capacity(MESSAGES);
    for n in 0..MESSAGES + 100 {
        let user = format!("user{}", n % 16);
        let message = bot.message(Platform::Console, &user, &user, "bench", "hello there");
        let started = Instant::now();
        bot.handle(message).await;
        if n >= 100 {
            samples.push(started.elapsed());
        }
    }
    (percentile(&mut samples, 0.5), percentile(&mut samples, 0.99))
}

#[tokio::main]
async fn main() {
    let sizes = common::sizes();
    let surreal = Surreal::start();
    let server = surreal.url();

    let embedded = recalls(None, &sizes).await;
    let remote = recalls(Some(&server), &sizes).await;
    println!(
        "| recall through the plugin, one user | embedded p50 / p95 | server p50 / p95 | ratio p50 / p95 | filling it: embedded / server |"
    );
    println!("|---|---:|---:|---:|---:|");
    for ((size, e50, e95, ef), (_, r50, r95, rf)) in embedded.iter().zip(&remote) {
        println!(
            "| {size} memories | {} / {} | {} / {} | {:.2}x / {:.2}x | {} / {} |",
            millis(*e50),
            millis(*e95),
            millis(*r50),
            millis(*r95),
            r50.as_secs_f64() / e50.as_secs_f64(),
            r95.as_secs_f64() / e95.as_secs_f64(),
            millis(*ef),
            millis(*rf)
        );
    }

    let (e50, e99) = pipeline(None).await;
    let (r50, r99) = pipeline(Some(&server)).await;
    println!("\n| one message through the bot (personality) | p50 | p99 |\n|---|---:|---:|");
    println!("| embedded (SurrealKV) | {} | {} |", millis(e50), millis(e99));
    println!("| server (ws://, one machine) | {} | {} |", millis(r50), millis(r99));
    println!(
        "| ratio | {:.2}x | {:.2}x |",
        r50.as_secs_f64() / e50.as_secs_f64(),
        r99.as_secs_f64() / e99.as_secs_f64()
    );

    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let on_server = format!("[storage]\nurl = \"{server}\"\nuser = \"root\"");
    let a = Serve::start(a_dir.path(), &["personality"], &on_server);
    let one = load(&[a.port], 10.0).await.per_second();
    let b = Serve::start(b_dir.path(), &["personality"], &on_server);
    let two = load(&[a.port, b.port], 10.0).await.per_second();
    println!("\n| 16 users at once over HTTP, 10 s | messages/s |\n|---|---:|");
    println!("| one replica | {one:.0} |");
    println!("| two replicas, same server | {two:.0} ({:.2}x) |", two / one);
}
