//! Containment (issue 25): other users' chat latency over the HTTP chat API while a hostile
//! plugin does its worst, against the same bot without it, in one run.
//!
//! Each run serves the real `dcmaid serve` binary on 127.0.0.1 with the personality persona
//! (answering from its templates: no model), on the default budgets. SENDERS users each send
//! MESSAGES messages, one after the other, and every reply's latency is kept. In the hostile
//! run, `misbehave` is installed too: before the senders start it schedules 32 jobs (the
//! most a plugin may have) that fire every second, each flooding (5 kv values of 60 KiB, 100
//! log lines of 4 KiB, 5 store documents of 4 KiB) and then computing until stopped; and
//! through the run its user asks for 8 MB replies, 50 times a second. The host's peak RSS
//! (VmHWM) is read from /proc at the end of each run.
//!
//! `cargo bench --profile dev --workspace --bench containment` (after
//! `scripts/build-plugins.sh --no-install`). `CONTAINMENT_ROTATE=1`: the reply floods come
//! from a new user id each, defeating per-user rate limits; `CONTAINMENT_ONLY=busy|floods`:
//! one part of the attack alone.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{Summary, millis};
use serde_json::json;

const SENDERS: usize = 4;
const MESSAGES: usize = 1_000;
/// The flooder's pace: 50 requests a second, as a script would send them.
const FLOOD_PAUSE: Duration = Duration::from_millis(20);

struct Run {
    latency: Summary,
    peak_rss_kib: u64,
    floods: usize,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A served bot, stopped when dropped (a failed run leaves no server behind).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `dcmaid serve` in `dir` on `port`, once it answers.
async fn serve(dir: &Path, port: u16, http: &reqwest::Client) -> Server {
    let config = dir.join("dcmaid.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\n[server]\nbind = \"127.0.0.1:{port}\"\n\
             # The senders write as fast as the bot answers: no per-user limit is measured.\n\
             [rate_limit]\nchat_burst = 10000\nchat_per_minute = 1000000\n",
            dir.display()
        ),
    )
    .unwrap();
    let server = Command::new(env!("CARGO_BIN_EXE_dcmaid"))
        .args(["--config", config.to_str().unwrap(), "serve"])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Server)
        .unwrap();
    let health = format!("http://127.0.0.1:{port}/healthz");
    for _ in 0..600 {
        if http.get(&health).send().await.is_ok_and(|r| r.status().is_success()) {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("dcmaid serve did not come up on {port}");
}

async fn chat(http: &reqwest::Client, port: u16, user: &str, text: &str) -> String {
    let response = http
        .post(format!("http://127.0.0.1:{port}/api/v1/chat"))
        .json(&json!({"user_id": user, "user_name": user, "text": text}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    body["reply"].as_str().unwrap_or_default().to_owned()
}

/// The peak resident set of process `pid`, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let line = status.lines().find(|line| line.starts_with("VmHWM:")).unwrap_or("VmHWM: 0 kB");
    line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).unwrap_or(0)
}

async fn run(hostile: bool) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    common::install_with(
        &plugins,
        "personality",
        "version = \"0.1.0\"\nrole = \"persona\"\ncapabilities = [\"kv\"]\n",
    );
    if hostile {
        common::install_with(
            &plugins,
            "misbehave",
            "version = \"0.1.0\"\nrole = \"tool\"\ncapabilities = [\"kv\", \"scheduler\", \"store\"]\n",
        );
    }
    let http = reqwest::Client::new();
    let port = free_port();
    let server = serve(dir.path(), port, &http).await;
    for n in 0..50 {
        chat(&http, port, &format!("warm{}", n % SENDERS), "hello").await;
    }

    let stop = Arc::new(AtomicBool::new(false));
    // For finding out which part of the attack costs what: `busy` or `floods` alone.
    let only = std::env::var("CONTAINMENT_ONLY").unwrap_or_default();
    // Worst case: a new user id for every flood, as a crowd of accounts would (no per-user
    // rate limit then helps).
    let rotate = std::env::var("CONTAINMENT_ROTATE").is_ok_and(|value| value == "1");
    let flooder = hostile.then(|| {
        let (http, stop) = (http.clone(), stop.clone());
        tokio::spawn(async move {
            if only != "floods" {
                let busy = chat(&http, port, "mallory", "/busy 32 * * * * * *").await;
                assert_eq!(busy, "scheduled 32 busy jobs");
            }
            let mut sent = 0;
            while !stop.load(Ordering::Relaxed) {
                if only == "busy" {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                let user = if rotate { format!("mallory{sent}") } else { "mallory".to_owned() };
                chat(&http, port, &user, "/flood 8000000").await;
                sent += 1;
                tokio::time::sleep(FLOOD_PAUSE).await;
            }
            sent
        })
    });
    // Let the jobs start firing.
    if hostile {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }

    let senders: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let http = http.clone();
            tokio::spawn(async move {
                let user = format!("user{sender}");
                let mut samples = Vec::with_capacity(MESSAGES);
                for n in 0..MESSAGES {
                    let started = Instant::now();
                    let reply = chat(&http, port, &user, &format!("hello, message {n}")).await;
                    samples.push(started.elapsed());
                    assert!(!reply.is_empty() && !reply.contains("ran into a limit"), "{reply}");
                }
                samples
            })
        })
        .collect();
    let mut samples = Vec::new();
    for sender in senders {
        samples.extend(sender.await.unwrap());
    }
    stop.store(true, Ordering::Relaxed);
    let floods = match flooder {
        Some(flooder) => flooder.await.unwrap(),
        None => 0,
    };
    let peak_rss_kib = peak_rss_kib(server.0.id());
    drop(server);
    Run { latency: Summary::of(samples), peak_rss_kib, floods }
}

/// Rounds of the pair (alone, hostile): a run's p99 moves with the machine, so the pair is
/// measured several times, interleaved, and the medians compared.
const ROUNDS: usize = 3;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut alone = Vec::new();
    let mut hostile = Vec::new();
    for _ in 0..ROUNDS {
        alone.push(run(false).await);
        hostile.push(run(true).await);
    }
    println!(
        "| run ({SENDERS} senders x {MESSAGES} messages) | p50 | p99 | host peak RSS | floods sent |"
    );
    println!("|---|---:|---:|---:|---:|");
    for round in 0..ROUNDS {
        for (name, run) in
            [("personality alone", &alone[round]), ("with the hostile plugin", &hostile[round])]
        {
            println!(
                "| {name}, round {} | {} | {} | {} MiB | {} |",
                round + 1,
                millis(run.latency.median),
                millis(run.latency.p99),
                run.peak_rss_kib / 1024,
                run.floods
            );
        }
    }
    let ms = |runs: &[Run], pick: fn(&Run) -> Duration| {
        median(runs.iter().map(|run| pick(run).as_secs_f64() * 1e3).collect())
    };
    let rss =
        |runs: &[Run]| median(runs.iter().map(|run| run.peak_rss_kib as f64 / 1024.0).collect());
    let (p50, p99) = (|run: &Run| run.latency.median, |run: &Run| run.latency.p99);
    println!(
        "| median of the rounds: alone | {:.1} ms | {:.1} ms | {:.0} MiB | |",
        ms(&alone, p50),
        ms(&alone, p99),
        rss(&alone)
    );
    println!(
        "| median of the rounds: hostile | {:.1} ms | {:.1} ms | {:.0} MiB | |",
        ms(&hostile, p50),
        ms(&hostile, p99),
        rss(&hostile)
    );
    println!(
        "| hostile over alone | {:.2}x | {:.2}x | {:.2}x | |",
        ms(&hostile, p50) / ms(&alone, p50),
        ms(&hostile, p99) / ms(&alone, p99),
        rss(&hostile) / rss(&alone)
    );
}
