//! The time the persona adds to a message without a language model: `persona.shape` and
//! `persona.finish` of the `personality` plugin, instantiation and its `kv` reads and writes
//! included, against the same logic run natively (no sandbox, no storage) in the same run.
//!
//!     scripts/build-plugins.sh --no-install && cargo bench -p dcmaid-host --bench persona
//!
//! Prints a Markdown table for BENCHMARKS.md.

mod common;

use std::time::Duration;

use common::{Summary, install, micros, sample};
use dcmaid_host::wit::Platform;
use dcmaid_host::{Bot, Config};
use personality_core::settings::Settings;
use personality_core::state::UserState;
use personality_core::{turn, voice};

/// What users say, round-robin: one of each kind the persona tells apart.
const TEXTS: [&str; 8] = [
    "hello there",
    "you're so cute",
    "thanks a lot",
    "what's your favourite tea?",
    "haha you're blushing",
    "I had pasta for lunch",
    "sorry about earlier",
    "bye, see you tomorrow",
];
const DRAFT: &str = "Sure, I can tell you about tea. Green tea is my favourite.";

struct Run {
    shape: Summary,
    finish: Summary,
    both: Summary,
}

/// `shape`, `finish` and both in a row, through the loaded plugin on `storage_url`.
async fn through_the_plugin(storage_url: &str, iterations: usize) -> Run {
    let sandbox = tempfile::tempdir().unwrap();
    install(&sandbox.path().join("plugins"), "personality", "persona");
    let mut config = Config {
        data_dir: sandbox.path().to_owned(),
        rate_limit: common::unlimited(),
        ..Config::default()
    };
    config.storage.url = Some(storage_url.replace("{dir}", &sandbox.path().display().to_string()));
    let bot = Bot::start(config).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    let persona = bot.plugins().persona().unwrap().clone();
    let mut n = 0usize;
    let mut next = || {
        n += 1;
        // Ten users, so both reads of known users and their updates are measured.
        let user = format!("user{}", n % 10);
        bot.message(Platform::Console, &user, &user, "bench", TEXTS[n % TEXTS.len()])
    };
    let warmup = iterations / 10;
    let shape = sample(warmup, iterations, async || {
        std::hint::black_box(persona.shape(&next()).await.unwrap());
    })
    .await;
    let message = next();
    let finish = sample(warmup, iterations, async || {
        std::hint::black_box(persona.finish(&message, DRAFT).await.unwrap());
    })
    .await;
    let both = sample(warmup, iterations, async || {
        let message = next();
        std::hint::black_box(persona.shape(&message).await.unwrap());
        std::hint::black_box(persona.finish(&message, DRAFT).await.unwrap());
    })
    .await;
    Run { shape, finish, both }
}

/// The plugin's own logic, compiled natively: the same turn and voice, state in memory.
async fn natively(iterations: usize) -> Summary {
    let settings = Settings::parse(None, None).unwrap();
    let mut states: Vec<UserState> = (0..10).map(|_| UserState::new(&settings, 0)).collect();
    let mut n = 0usize;
    sample(iterations / 10, iterations, async || {
        n += 1;
        let state = &mut states[n % 10];
        let now = n as u64 * 1000;
        let roll = turn::roll(&n.to_string(), 1);
        let text = TEXTS[n % TEXTS.len()];
        let shaped = turn::shape(&settings, state, text, "user", now, roll);
        std::hint::black_box(shaped);
        let finished = voice::finish(DRAFT, &settings.traits, &state.mood, state.last_kind, roll);
        std::hint::black_box(finished);
    })
    .await
}

fn row(label: &str, summary: &Summary) {
    println!("| {label} | {} | {} |", micros(summary.median), micros(summary.p99));
}

fn ratio(a: &Summary, b: &Summary) -> f64 {
    a.median.as_secs_f64() / b.median.as_secs_f64().max(Duration::from_nanos(1).as_secs_f64())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let iterations = 5_000;
    let native = natively(iterations * 10).await;
    let memory = through_the_plugin("mem://", iterations).await;
    let file = through_the_plugin("surrealkv://{dir}/db", iterations).await;
    let relaxed = through_the_plugin("surrealkv://{dir}/db?sync=1s", iterations).await;

    println!("| measurement | median | p99 |");
    println!("| --- | --- | --- |");
    row("native shape + finish (baseline, state in memory)", &native);
    row("plugin `shape`, kv on `mem://`", &memory.shape);
    row("plugin `finish`, kv on `mem://`", &memory.finish);
    row("plugin `shape` + `finish`, kv on `mem://`", &memory.both);
    row("plugin `shape`, kv on `surrealkv://`", &file.shape);
    row("plugin `finish`, kv on `surrealkv://`", &file.finish);
    row("plugin `shape` + `finish`, kv on `surrealkv://` (the default)", &file.both);
    row("plugin `shape`, kv on `surrealkv://…?sync=1s`", &relaxed.shape);
    row("plugin `shape` + `finish`, kv on `surrealkv://…?sync=1s`", &relaxed.both);
    println!();
    println!("plugin (mem://) / native: {:.0}x", ratio(&memory.both, &native));
    println!("plugin (surrealkv://) / plugin (mem://): {:.2}x", ratio(&file.both, &memory.both));
    println!(
        "plugin (sync every commit) / plugin (sync=1s): {:.2}x",
        ratio(&file.both, &relaxed.both)
    );
}
