//! Fire delay of the cron scheduler: actual start minus scheduled slot, over every fire of
//! ten every-second jobs for a while. Three runs in one process: a bare tokio timer loop
//! sleeping to the same slots (the baseline: what waking at a time costs at all), the
//! scheduler claiming locally, and the scheduler claiming each slot in Redis (the real Redis
//! on 127.0.0.1:6379, as CI runs it).
//!
//!     cargo bench -p dcmaid-host --bench cron_fire_delay
//!
//! `FIRE_SECONDS` sets each run's length (default 31: 300 fires and more per run). Prints a
//! Markdown table for BENCHMARKS.md.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{Summary, micros};
use dcmaid_host::cron::{Claims, Runner, Scheduler, parse_jobs};

const JOBS: usize = 10;

/// How late `slot` is now.
fn late(slot: DateTime<Utc>) -> Duration {
    (Utc::now() - slot).to_std().unwrap_or(Duration::ZERO)
}

/// The baseline: one task per job sleeping to each whole second, as the scheduler does.
async fn bare_timer(seconds: u64) -> Vec<Duration> {
    let delays: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let mut tasks = Vec::new();
    for _ in 0..JOBS {
        let delays = delays.clone();
        tasks.push(tokio::spawn(async move {
            let end = Utc::now() + chrono::Duration::seconds(seconds as i64);
            let mut slot = next_second(Utc::now());
            while slot < end {
                let wait = (slot - Utc::now()).to_std().unwrap_or(Duration::ZERO);
                tokio::time::sleep(wait).await;
                delays.lock().unwrap().push(late(slot));
                slot = next_second(slot);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    Arc::try_unwrap(delays).unwrap().into_inner().unwrap()
}

fn next_second(after: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(after.timestamp() + 1, 0).unwrap()
}

async fn scheduler(claims: Claims, seconds: u64) -> Vec<Duration> {
    let stamp = Utc::now().timestamp_micros();
    let yaml: String = (0..JOBS)
        .map(|job| {
            format!(
                "  bench_{stamp}_{job}:\n    cron: '* * * * * *'\n    command: backup_database\n"
            )
        })
        .collect();
    let jobs = parse_jobs(&format!("schedules:\n{yaml}")).unwrap();
    let delays: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let record = delays.clone();
    let runner: Runner = Arc::new(move |_job, slot| {
        record.lock().unwrap().push(late(slot));
        Box::pin(async { Ok(()) })
    });
    let scheduler = Scheduler::start(jobs, Arc::new(claims), runner, None);
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    scheduler.shutdown(Duration::from_secs(5)).await;
    delays.lock().unwrap().clone()
}

fn row(name: &str, delays: Vec<Duration>, baseline: Option<&Summary>) {
    let fires = delays.len();
    let mean = delays.iter().sum::<Duration>() / fires.max(1) as u32;
    let max = delays.iter().max().copied().unwrap_or_default();
    let summary = Summary::of(delays);
    let ratio = baseline.map_or("1.00×".to_owned(), |base| {
        format!("{:.2}×", summary.p99.as_secs_f64() / base.p99.as_secs_f64())
    });
    println!(
        "| {name} | {fires} | {} | {} | {} | {} | {ratio} |",
        micros(summary.median),
        micros(mean),
        micros(summary.p99),
        micros(max)
    );
}

#[tokio::main]
async fn main() {
    let seconds: u64 =
        std::env::var("FIRE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(31);
    let redis = Claims::redis(&"redis://127.0.0.1:6379".into(), "bench")
        .await
        .expect("a Redis on 127.0.0.1:6379");

    let baseline = bare_timer(seconds).await;
    let local = scheduler(Claims::Local, seconds).await;
    let shared = scheduler(redis, seconds).await;

    println!("| run | fires | median | mean | p99 | max | p99 vs. baseline |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let base = Summary::of(baseline.clone());
    row("bare tokio timer (baseline)", baseline, None);
    row("scheduler, local claims", local, Some(&base));
    row("scheduler, Redis claims", shared, Some(&base));
}
