//! What metrics and analytics add to a message: the whole pipeline (the `personality`
//! persona answering from its templates) without any observer and with the `analytics`
//! observer loaded, in the same run; and the host's own metric updates for one message,
//! timed alone. Observers run off the critical path, on the runtime's other worker.
//!
//!     scripts/build-plugins.sh --no-install && cargo bench -p dcmaid-host --bench observers
//!
//! Prints a Markdown table for BENCHMARKS.md.

mod common;

use std::time::Duration;

use common::{Summary, install, micros, sample};
use dcmaid_host::telemetry::{CallOutcome, Metrics, Status};
use dcmaid_host::wit::Platform;
use dcmaid_host::{Bot, Config};

/// Per-message latency of `bot.handle`, for `iterations` messages from 50 users.
async fn pipeline(with_analytics: bool, iterations: usize) -> Summary {
    let sandbox = tempfile::tempdir().unwrap();
    let plugins = sandbox.path().join("plugins");
    install(&plugins, "personality", "persona");
    if with_analytics {
        install(&plugins, "analytics", "observer");
    }
    let config = Config {
        data_dir: sandbox.path().to_owned(),
        rate_limit: common::unlimited(),
        ..Config::default()
    };
    let bot = Bot::start(config).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    let mut n = 0usize;
    let summary = sample(iterations / 10, iterations, async || {
        n += 1;
        let user = format!("user{}", n % 50);
        let message = bot.message(Platform::Console, &user, &user, "bench", "hello there");
        std::hint::black_box(bot.handle(message).await);
        // Let the observer keep up, outside the measured call, as it would between
        // messages; a backlog would only mean dropped events, never slower replies.
        if n.is_multiple_of(100) {
            bot.flush_observers().await;
        }
    })
    .await;
    bot.flush_observers().await;
    summary
}

/// The host's metric updates for one conversational message: the message itself and the
/// persona's call.
async fn metric_updates(iterations: usize) -> Summary {
    let metrics = Metrics::new();
    let mut n = 0usize;
    sample(iterations / 10, iterations, async || {
        n += 1;
        let took = Duration::from_micros(700);
        metrics.plugin_call("personality", "persona.shape", CallOutcome::Ok, took);
        metrics.message(&format!("console:user{}", n % 50), "none", Status::Ok, took);
    })
    .await
}

fn row(label: &str, summary: &Summary) {
    println!("| {label} | {} | {} |", micros(summary.median), micros(summary.p99));
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let iterations = 3_000;
    let updates = metric_updates(iterations * 10).await;
    let without = pipeline(false, iterations).await;
    let with = pipeline(true, iterations).await;

    println!("| measurement | median | p99 |");
    println!("| --- | --- | --- |");
    row("host metric updates for one message", &updates);
    row("pipeline, personality persona, no observer", &without);
    row("pipeline, personality persona, analytics observer", &with);
    println!();
    let added = with.median.as_secs_f64() - without.median.as_secs_f64();
    println!("analytics adds {:.1} µs per message (median)", added * 1e6);
    println!("with / without: {:.2}x", with.median.as_secs_f64() / without.median.as_secs_f64());
}
