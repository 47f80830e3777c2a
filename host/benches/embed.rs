//! The local embedding models side by side (issue 29), in one run: each model's size on
//! disk, load time, throughput in batches of 32 (how the remembering worker embeds) and the
//! latency of one short text alone (how a recall embeds its question), over the in-repo
//! memory set's turns and questions.
//!
//! ```sh
//! scripts/fetch-model.sh                                       # all-MiniLM-L6-v2
//! DCMAID_EMBEDDING_MODEL=bge-small-en-v1.5 scripts/fetch-model.sh
//! cargo bench --profile dev --workspace --bench embed [-- --models DIR,DIR]
//! ```
//!
//! Without `--models`, every model folder under `~/.cache/dcmaid/models` is measured, the
//! default (all-MiniLM-L6-v2) first: ratios are against it. Prints Markdown for BENCHMARKS.md.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use common::{Summary, millis};
use dcmaid_host::capabilities::llm::embed::LocalModel;

/// Texts embedded one at a time, for the single-text latency.
const ALONE: usize = 200;

fn model_dirs() -> Vec<PathBuf> {
    if let Some(list) = std::env::args().skip_while(|arg| arg != "--models").nth(1) {
        return list.split(',').map(PathBuf::from).collect();
    }
    let home = std::env::var_os("HOME").expect("HOME is set");
    let root = Path::new(&home).join(".cache/dcmaid/models");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/fetch-model.sh", root.display()))
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|dir| dir.join("model.safetensors").is_file())
        .collect();
    dirs.sort_by_key(|dir| !dir.ends_with("all-MiniLM-L6-v2"));
    dirs
}

fn main() {
    let (turns, questions) = common::memory_texts(ALONE);

    println!(
        "| model | size | load | batches of 32 ({} turns) | one question alone, median / p99 |",
        turns.len()
    );
    println!("|---|---:|---:|---:|---:|");
    let mut first: Option<f64> = None;
    for dir in model_dirs() {
        let name = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let bytes = std::fs::metadata(dir.join("model.safetensors")).map(|m| m.len()).unwrap_or(0);
        let started = Instant::now();
        let model = LocalModel::load(&dir).unwrap();
        let loaded = started.elapsed();
        model.embed(&turns[..32.min(turns.len())]).unwrap(); // warm-up

        let started = Instant::now();
        model.embed(&turns).unwrap();
        let per_second = turns.len() as f64 / started.elapsed().as_secs_f64();
        let ratio = first.map(|base| format!(" ({:.2}x)", per_second / base)).unwrap_or_default();
        first.get_or_insert(per_second);

        let mut samples = Vec::with_capacity(questions.len());
        for question in &questions {
            let started = Instant::now();
            model.embed(std::slice::from_ref(question)).unwrap();
            samples.push(started.elapsed());
        }
        let alone = Summary::of(samples);
        println!(
            "| {name} | {:.0} MB | {} | {per_second:.0} texts/s{ratio} | {} / {} |",
            bytes as f64 / 1e6,
            millis(loaded),
            millis(alone.median),
            millis(alone.p99),
        );
    }
}
