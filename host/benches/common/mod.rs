//! What the benches share: timing with a summary, and installing built plugin components.

#![allow(dead_code)] // Each bench uses its own part of this.

pub mod serve;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Median and 99th percentile of `samples`.
pub struct Summary {
    pub median: Duration,
    pub p99: Duration,
}

impl Summary {
    pub fn of(mut samples: Vec<Duration>) -> Summary {
        Summary { median: percentile(&mut samples, 0.5), p99: percentile(&mut samples, 0.99) }
    }
}

/// The `q` quantile of `samples` (which it sorts).
pub fn percentile(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort();
    samples
        .get(((samples.len().max(1) - 1) as f64 * q).round() as usize)
        .copied()
        .unwrap_or_default()
}

/// The in-repo memory set's turns, and its first `questions` questions: the texts the memory
/// and embedding benches embed.
pub fn memory_texts(questions: usize) -> (Vec<String>, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/memory-eval/dataset.json");
    let dataset = dcmaid_host::eval::dataset::Dataset::load(&path).unwrap();
    let conversations = &dataset.conversations;
    let turns = conversations.iter().flat_map(|c| c.turns.iter().map(|t| t.text.clone()));
    let asked = conversations.iter().flat_map(|c| c.questions.iter().map(|q| q.text.clone()));
    (turns.collect(), asked.take(questions).collect())
}

/// The memory counts `--sizes N,M` names, or 10k and 100k.
pub fn sizes() -> Vec<usize> {
    std::env::args()
        .skip_while(|arg| arg != "--sizes")
        .nth(1)
        .map(|list| list.split(',').map(|n| n.parse().expect("--sizes N,M")).collect())
        .unwrap_or_else(|| vec![10_000, 100_000])
}

pub fn micros(duration: Duration) -> String {
    format!("{:.2} µs", duration.as_secs_f64() * 1e6)
}

pub fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1e3)
}

/// Time `iterations` runs of `f` after `warmup` unmeasured ones.
pub async fn sample<F: AsyncFnMut()>(warmup: usize, iterations: usize, mut f: F) -> Summary {
    for _ in 0..warmup {
        f().await;
    }
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let started = Instant::now();
        f().await;
        samples.push(started.elapsed());
    }
    Summary::of(samples)
}

pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

pub fn install(plugins: &Path, name: &str, role: &str) {
    let manifest = format!("version = \"0.1.0\"\nrole = \"{role}\"\ncapabilities = [\"kv\"]\n");
    install_with(plugins, name, &manifest);
}

/// Install the built component `name` with `manifest` (everything but its name and
/// component file) as its plugin.toml.
pub fn install_with(plugins: &Path, name: &str, manifest: &str) {
    let component = target_dir().join(format!("wasm32-wasip2/plugin/{name}.wasm"));
    assert!(
        component.is_file(),
        "{} is missing: run scripts/build-plugins.sh",
        component.display()
    );
    let folder = plugins.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(&component, folder.join("plugin.wasm")).unwrap();
    let manifest = format!("name = \"{name}\"\ncomponent = \"plugin.wasm\"\n{manifest}");
    std::fs::write(folder.join("plugin.toml"), manifest).unwrap();
}

/// Rate limits no benchmark reaches: a bench sends one user's messages as fast as the bot
/// answers them, which the default limits would (rightly) slow down.
pub fn unlimited() -> dcmaid_host::config::RateLimitConfig {
    dcmaid_host::config::RateLimitConfig {
        burst: 1_000_000,
        per_minute: 1_000_000,
        chat_burst: 1_000_000,
        chat_per_minute: 1_000_000,
    }
}
