//! Long-term memory, in one run:
//!
//! 1. embedding throughput of the local model (all-MiniLM-L6-v2 on the CPU with candle):
//!    sentences per second, the evaluation dataset's turns in batches of 32;
//! 2. remember throughput: the memory plugin's `remember` of those turns one after another
//!    (embedding, storing and relating included), memories per second;
//! 3. recall latency, p50 and p95, with 10k and 100k memories of one user (the worst case:
//!    no user filter narrows the search): the plugin's `recall` (hybrid, relations followed)
//!    with the question's vector among the host's recent embeddings, as it is when a turn's
//!    `remember` follows its `recall`, and the embedding of the same question straight from
//!    the model; the store's two searches alone, from the in-memory index and (for the first
//!    20 questions) from SurrealDB's own HNSW and BM25 indexes, the baseline; and the
//!    store's `related` and `get`, which recall calls for its best hits;
//! 4. forgetting: the store's `remove` of a memory and its relations, p50 and p95, at each
//!    size (every synthetic memory is related to the one stored before it).
//!    The memories beyond the dataset's are its turns' vectors mixed pairwise
//!    (normalised 0.8/0.2 blends), with text from both, stored straight into the plugin's
//!    collection.
//!
//! ```sh
//! scripts/fetch-model.sh && scripts/build-plugins.sh --no-install
//! cargo bench --workspace --bench memory [-- --sizes 10000,100000]
//! ```
//!
//! Prints Markdown for BENCHMARKS.md.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::millis;
use dcmaid_host::core::PluginName;
use dcmaid_host::wit::Platform;
use dcmaid_host::{Bot, Config};
use serde_json::json;

const USER: &str = "bench";
const QUERIES: usize = 200;
/// Questions asked of SurrealDB's own indexes too, for the baseline: its BM25 takes seconds
/// a query at 100k, so fewer.
const BASELINE_QUERIES: usize = 20;
/// Memories forgotten at each size, for `remove`'s latency.
const REMOVALS: usize = 50;

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    (common::percentile(&mut samples, 0.5), common::percentile(&mut samples, 0.95))
}

fn micros(duration: Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

fn normalised(mut vector: Vec<f32>) -> Vec<f32> {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    vector.iter_mut().for_each(|x| *x /= norm);
    vector
}

#[tokio::main]
async fn main() {
    let sizes = common::sizes();
    let (turns, questions) = common::memory_texts(QUERIES);

    let dir = tempfile::tempdir().unwrap();
    common::serve::install_first_party(&dir.path().join("plugins"), "memory", "memory");
    let mut config = Config {
        data_dir: dir.path().to_owned(),
        rate_limit: common::unlimited(),
        ..Config::default()
    };
    config.limits.call_timeout_ms = 60_000;
    let bot = Arc::new(Bot::start(config).await.unwrap());
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    let memory = bot.plugins().memory().cloned().expect("the memory plugin loaded");
    let embedder = bot.capabilities().llm.embedder.clone().expect("the local model is installed");

    // 1. Embedding throughput.
    let started = Instant::now();
    let vectors = embedder.embed_fresh(&turns).await.unwrap();
    let took = started.elapsed();
    let per_second = turns.len() as f64 / took.as_secs_f64();
    println!("| measure | result |\n|---|---:|");
    println!(
        "| embedding throughput, local model, batches of 32 | {per_second:.0} sentences/s ({} in {}) |",
        turns.len(),
        millis(took)
    );

    // 2. Remember throughput, through the plugin.
    let remembered = turns.len().min(500);
    let started = Instant::now();
    for text in &turns[..remembered] {
        let message = bot.message(Platform::Console, "remember-bench", "R", "bench", text);
        memory.remember(&message, "").await.unwrap();
    }
    let took = started.elapsed();
    println!(
        "| remember throughput, plugin `remember` one after another | {:.1} memories/s ({remembered} in {}) |",
        remembered as f64 / took.as_secs_f64(),
        millis(took)
    );

    // 3. Recall latency at each size.
    let plugin = PluginName::new("memory").unwrap();
    let store = &bot.capabilities().store;
    let budget = bot.budgets().budget(&plugin, &toml::Table::new());
    let documents = store.documents(plugin.as_str(), budget.clone()).await.unwrap();
    let unindexed = store.documents_unindexed(plugin.as_str(), budget).await.unwrap();
    let user_id = bot.message(Platform::Console, USER, USER, "bench", "").user.id;
    let mut stored = 0usize;
    let mut filling = Duration::ZERO;
    let mut relating = Duration::ZERO;
    // Every synthetic memory is related to the one stored before it, so that the relations
    // table grows with the memories, as `remember` makes it grow.
    let mut ids: Vec<String> = Vec::new();
    for size in sizes {
        let started = Instant::now();
        while stored < size {
            let (a, b) = (stored % turns.len(), (stored * 7 + 3) % turns.len());
            let mixed: Vec<f32> =
                vectors[a].iter().zip(&vectors[b]).map(|(x, y)| 0.8 * x + 0.2 * y).collect();
            let text = format!(
                "{} {}",
                turns[a],
                turns[b].split_whitespace().take(4).collect::<Vec<_>>().join(" ")
            );
            let fields = json!({"user_id": user_id, "kind": "turn", "text": text, "at_ms": 0});
            let serde_json::Value::Object(fields) = fields else { unreachable!() };
            let id = documents.insert("memories", fields, Some(normalised(mixed))).await.unwrap();
            if let Some(previous) = ids.last() {
                let edge = json!({"strength": 0.5, "reason": "stored one after the other"});
                let serde_json::Value::Object(edge) = edge else { unreachable!() };
                let relate = Instant::now();
                documents.relate("memories", "related", previous, &id, edge).await.unwrap();
                relating += relate.elapsed();
            }
            ids.push(id);
            stored += 1;
            if stored.is_multiple_of(10_000) {
                eprintln!(
                    "{stored} memories stored ({:.0}/s)",
                    stored as f64 / (filling + started.elapsed()).as_secs_f64()
                );
            }
        }
        filling += started.elapsed();
        // The in-memory index was built when the collection was first used, and has taken
        // every insert since; wait in case it is still reading what was stored before.
        while !documents.is_indexed("memories").await.unwrap() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Warm up, then measure: the plugin's recall, and the query embedding alone.
        for question in questions.iter().take(10) {
            memory.recall(&user_id, question, 5).await.unwrap();
        }
        let mut recalls = Vec::with_capacity(questions.len());
        let mut dated_recalls = Vec::with_capacity(questions.len());
        let mut embeds = Vec::with_capacity(questions.len());
        let mut totals = Vec::with_capacity(questions.len());
        let (mut knns, mut bm25s) = (Vec::new(), Vec::new());
        let (mut db_knns, mut db_bm25s) = (Vec::new(), Vec::new());
        let (mut relateds, mut gets) = (Vec::new(), Vec::new());
        let of_user = vec![("user_id".to_owned(), json!(user_id))];
        for question in &questions {
            let started = Instant::now();
            let vector = embedder.embed_fresh(std::slice::from_ref(question)).await.unwrap();
            let embed = started.elapsed();
            // Recall meets the question's vector among the recent ones.
            embedder.embed(std::slice::from_ref(question)).await.unwrap();
            // The two searches alone, straight on the store, as the plugin asks for them.
            let vector = vector.into_iter().next().unwrap();
            let vector_again = vector.clone();
            let started = Instant::now();
            documents.nearest("memories", vector, &of_user, 20).await.unwrap();
            knns.push(started.elapsed());
            let started = Instant::now();
            let found = documents.search("memories", question, &of_user, 20).await.unwrap();
            bm25s.push(started.elapsed());
            if let Some(best) = found.first() {
                let started = Instant::now();
                documents.related("memories", "related", &best.id, 8).await.unwrap();
                relateds.push(started.elapsed());
                let started = Instant::now();
                documents.get("memories", &best.id).await.unwrap();
                gets.push(started.elapsed());
            }
            // The baseline: the same searches answered by SurrealDB's HNSW and BM25 indexes.
            if db_knns.len() < BASELINE_QUERIES {
                let started = Instant::now();
                unindexed.nearest("memories", vector_again.clone(), &of_user, 20).await.unwrap();
                db_knns.push(started.elapsed());
                let started = Instant::now();
                unindexed.search("memories", question, &of_user, 20).await.unwrap();
                db_bm25s.push(started.elapsed());
            }
            let started = Instant::now();
            let recalled = memory.recall(&user_id, question, 5).await.unwrap();
            let recall = started.elapsed();
            assert!(!recalled.is_empty());
            // The same question naming a period: the searches are asked for twice the
            // candidates, and the memories told in it lifted.
            let dated = format!("Last week: {question}");
            embedder.embed(std::slice::from_ref(&dated)).await.unwrap();
            let started = Instant::now();
            memory.recall(&user_id, &dated, 5).await.unwrap();
            dated_recalls.push(started.elapsed());
            embeds.push(embed);
            recalls.push(recall);
            totals.push(recall + embed);
        }
        let (recall_p50, recall_p95) = percentiles(recalls);
        let (dated_p50, dated_p95) = percentiles(dated_recalls);
        let (embed_p50, embed_p95) = percentiles(embeds);
        let (total_p50, total_p95) = percentiles(totals);
        let (related_p50, related_p95) = percentiles(relateds);
        let (get_p50, get_p95) = percentiles(gets);
        let (knn_p50, knn_p95) = percentiles(knns);
        let (bm25_p50, bm25_p95) = percentiles(bm25s);
        let (db_knn_p50, db_knn_p95) = percentiles(db_knns);
        let (db_bm25_p50, db_bm25_p95) = percentiles(db_bm25s);
        let ratio = |baseline: Duration, ours: Duration| {
            baseline.as_secs_f64() / ours.as_secs_f64().max(1e-9)
        };
        println!(
            "| at {size}: the store's kNN alone (20, user filter), p50 / p95 | {} / {} (SurrealDB's HNSW: {} / {}; {:.0}x / {:.0}x faster) |",
            millis(knn_p50),
            millis(knn_p95),
            millis(db_knn_p50),
            millis(db_knn_p95),
            ratio(db_knn_p50, knn_p50),
            ratio(db_knn_p95, knn_p95)
        );
        println!(
            "| at {size}: the store's BM25 alone (20, user filter, the raw question), p50 / p95 | {} / {} (SurrealDB's BM25: {} / {}; {:.0}x / {:.0}x faster) |",
            millis(bm25_p50),
            millis(bm25_p95),
            millis(db_bm25_p50),
            millis(db_bm25_p95),
            ratio(db_bm25_p50, bm25_p50),
            ratio(db_bm25_p95, bm25_p95)
        );
        println!(
            "| at {size}: the store's `related` (8) and `get` of the best hit, p50 / p95 | {} / {} and {} / {} |",
            micros(related_p50),
            micros(related_p95),
            micros(get_p50),
            micros(get_p95)
        );
        println!(
            "| recall at {size} memories of one user, the question's vector recent, p50 / p95 | {} / {} (embedding the question: {} / {}; the two added: {} / {}) |",
            millis(recall_p50),
            millis(recall_p95),
            millis(embed_p50),
            millis(embed_p95),
            millis(total_p50),
            millis(total_p95)
        );
        println!(
            "| recall at {size}, the question naming a period (\"Last week: …\"), its vector recent, p50 / p95 | {} / {} |",
            millis(dated_p50),
            millis(dated_p95)
        );
        // Forgetting: `remove` deletes a memory and its relations, found by the relations'
        // endpoint indexes. Spread over what is stored; each has an edge in and one out.
        let step = (ids.len() / REMOVALS).max(1);
        let mut removals = Vec::with_capacity(REMOVALS);
        let forgotten: Vec<String> =
            (1..ids.len() - 1).step_by(step).take(REMOVALS).map(|at| ids[at].clone()).collect();
        for id in &forgotten {
            let started = Instant::now();
            assert!(documents.remove("memories", id).await.unwrap());
            removals.push(started.elapsed());
        }
        ids.retain(|id| !forgotten.contains(id));
        let (remove_p50, remove_p95) = percentiles(removals);
        println!(
            "| at {size} memories and {} relations: the store's `remove` (a memory and its relations), p50 / p95 | {} / {} |",
            stored - 1,
            millis(remove_p50),
            millis(remove_p95)
        );
    }
    println!(
        "\nStoring the synthetic memories took {} ({:.0} memories/s, straight into the store, \
         each related to the one before; relating took {} of it).",
        millis(filling),
        stored as f64 / filling.as_secs_f64(),
        millis(relating)
    );
}
