//! Memory retrieval quality (`dcmaid eval memory`): conversations with planted facts go into
//! the real memory plugin, then paraphrased questions are asked of it, and recall@5,
//! recall@10 and the mean reciprocal rank are measured for each retrieval method: vector
//! only, keyword only, hybrid fused by standard scores and by reciprocal rank fusion, hybrid
//! following relations, and hybrid without the lift for the time a question names
//! ([`Method`]). Each method runs in a fresh in-memory database, set only by the plugin's own
//! settings (its weights, `fusion`, `relations` and `dates`); every method with the keyword
//! search puts memories naming the question's identifiers first, as the plugin does by
//! default (`identifiers`). The bot runs on a clock moved to each turn's and question's time,
//! where the dataset gives one. With a haystack, each user's memories also hold other users'
//! turns ([`super::haystack`]), stored straight into the plugin's collection before the
//! user's own. Every text is embedded once for all methods ([`Embedded`]), so the recall
//! latencies printed leave the embedding out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::dataset::Dataset;

use crate::bot::Bot;
use crate::capabilities::llm::Embedder;
use crate::config::Config;
use crate::core::{Clock, ManualClock, PluginName};
use crate::wit::Platform;

/// Recall is scored over the first this many memories, and over the first [`K_WIDE`].
pub const K: usize = 5;
/// The wider recall, and how many memories each recall asks the plugin for: the first [`K`]
/// are read from a recall of this many (whose searches each give 40 candidates rather than
/// 20, so a recall@5 here can differ a little from a recall of 5).
pub const K_WIDE: usize = 10;

/// How deep the single searches are read for the ceiling of fusion: the candidates each
/// search gives a recall of [`K`] (the plugin asks each for 4 × K, at least 20).
pub const DEPTH: usize = 20;

/// A retrieval method: settings of the memory plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    Vector,
    Keyword,
    /// Both searches, fused by standard scores (the plugin's default).
    Hybrid,
    /// Both searches, fused by reciprocal rank fusion.
    HybridRrf,
    /// [`Method::Hybrid`] following relations (`relations = true`; off by default).
    HybridRelations,
    /// [`Method::Hybrid`] without the lift of memories told in the period a question names
    /// (`dates = false`). The single searches run without it too: they are the baselines.
    HybridUndated,
}

impl Method {
    pub const ALL: [Method; 6] = [
        Method::Vector,
        Method::Keyword,
        Method::Hybrid,
        Method::HybridRrf,
        Method::HybridRelations,
        Method::HybridUndated,
    ];

    fn settings(self) -> toml::Table {
        let mut table = toml::Table::new();
        let (vector, keyword) = match self {
            Method::Vector => (1.0, 0.0),
            Method::Keyword => (0.0, 1.0),
            Method::Hybrid
            | Method::HybridRrf
            | Method::HybridRelations
            | Method::HybridUndated => (1.0, 1.0),
        };
        let dated = !self.is_single() && self != Method::HybridUndated;
        let fusion = if self == Method::HybridRrf { "rrf" } else { "z-score" };
        table.insert("vector_weight".into(), vector.into());
        table.insert("keyword_weight".into(), keyword.into());
        table.insert("fusion".into(), fusion.into());
        table.insert("relations".into(), (self == Method::HybridRelations).into());
        table.insert("dates".into(), dated.into());
        table
    }

    pub(super) fn is_single(self) -> bool {
        matches!(self, Method::Vector | Method::Keyword)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Vector => "vector only",
            Method::Keyword => "keyword only (BM25)",
            Method::Hybrid => "hybrid (z-score)",
            Method::HybridRrf => "hybrid (RRF)",
            Method::HybridRelations => "hybrid (z-score) + relations",
            Method::HybridUndated => "hybrid (z-score) without dates",
        })
    }
}

/// Recall@[`K`], recall@[`K_WIDE`] and the mean reciprocal rank (over the first [`K_WIDE`])
/// over some questions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Score {
    pub questions: usize,
    pub recall_at_5: f64,
    pub recall_at_10: f64,
    pub mrr: f64,
}

#[derive(Default)]
struct Tally {
    questions: usize,
    hits: usize,
    wide_hits: usize,
    reciprocal_ranks: f64,
}

impl Tally {
    fn add(&mut self, rank: Option<usize>) {
        self.questions += 1;
        if let Some(rank) = rank.filter(|rank| *rank <= K_WIDE) {
            self.wide_hits += 1;
            self.hits += usize::from(rank <= K);
            self.reciprocal_ranks += 1.0 / rank as f64;
        }
    }

    fn score(&self) -> Score {
        let n = self.questions.max(1) as f64;
        Score {
            questions: self.questions,
            recall_at_5: self.hits as f64 / n,
            recall_at_10: self.wide_hits as f64 / n,
            mrr: self.reciprocal_ranks / n,
        }
    }
}

/// One method's results.
#[derive(Debug, Clone, Serialize)]
pub struct MethodResult {
    pub method: Method,
    pub overall: Score,
    pub by_kind: BTreeMap<String, Score>,
    /// Milliseconds per `remember` of a turn (its vector kept from before), mean.
    pub remember_ms_mean: f64,
    /// Milliseconds per `recall` (the question's vector kept from before) of [`K_WIDE`]
    /// memories, or of [`DEPTH`] for a single search.
    pub recall_ms_p50: f64,
    pub recall_ms_p95: f64,
    /// For a single search, per question: whether the answer is among its first [`DEPTH`].
    #[serde(skip)]
    found_deep: Vec<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemoryEval {
    pub conversations: usize,
    pub turns: usize,
    /// Other users' turns stored as each user's memories besides their own.
    pub haystack: usize,
    pub results: Vec<MethodResult>,
    /// The share of questions whose answer either single search has among its first
    /// [`DEPTH`]: the most recall@K any fusion of their candidates could reach (before
    /// relations bring in others).
    pub fusion_ceiling: f64,
}

/// Run `dataset` against the memory plugin in `config`'s plugins directory, once per method,
/// with a haystack of `haystack` other users' turns per user.
pub async fn evaluate(
    config: &Config,
    dataset: &Dataset,
    haystack: usize,
) -> anyhow::Result<MemoryEval> {
    let embedded = Embedded::of(config, dataset).await?;
    let mut results = Vec::with_capacity(Method::ALL.len());
    for method in Method::ALL {
        results.push(run_method(config, dataset, method, haystack, &embedded).await?);
    }
    let singles: Vec<&[bool]> =
        results.iter().filter(|r| r.method.is_single()).map(|r| r.found_deep.as_slice()).collect();
    let either = (0..dataset.questions()).filter(|&q| singles.iter().any(|found| found[q]));
    let fusion_ceiling = either.count() as f64 / dataset.questions().max(1) as f64;
    Ok(MemoryEval {
        conversations: dataset.conversations.len(),
        turns: dataset.conversations.iter().map(|c| c.turns.len()).sum(),
        haystack,
        results,
        fusion_ceiling,
    })
}

/// Every turn and question of a dataset with its vector: the model runs once per text, not
/// once per method (four times over, each about as long as the rest of the method's run).
struct Embedded {
    texts: Vec<String>,
    vectors: Vec<Vec<f32>>,
}

impl Embedded {
    async fn of(config: &Config, dataset: &Dataset) -> anyhow::Result<Embedded> {
        let llm = crate::capabilities::llm::from_config(&config.llm)?.map(std::sync::Arc::new);
        let embedder = Embedder::from_config(&config.llm, &config.embed, llm.as_ref())
            .map_err(anyhow::Error::msg)?;
        let texts: BTreeSet<String> = dataset
            .conversations
            .iter()
            .flat_map(|c| {
                let turns = c.turns.iter().map(|t| &t.text);
                turns.chain(c.questions.iter().map(|q| &q.text))
            })
            // The plugin embeds a turn's chunks, which are trimmed.
            .flat_map(|text| [text.clone(), text.trim().to_owned()])
            .collect();
        let texts: Vec<String> = texts.into_iter().collect();
        let vectors = embedder.embed_fresh(&texts).await?;
        Ok(Embedded { texts, vectors })
    }

    fn vector(&self, text: &str) -> Option<Vec<f32>> {
        let at = self.texts.binary_search_by(|kept| kept.as_str().cmp(text)).ok()?;
        self.vectors.get(at).cloned()
    }
}

/// Store `size` other users' turns as each user's memories, straight into the memory
/// plugin's collection as its `remember` stores a turn, without relations.
async fn pile_haystack(
    bot: &Bot,
    dataset: &Dataset,
    size: usize,
    embedded: &Embedded,
) -> anyhow::Result<()> {
    if size == 0 {
        return Ok(());
    }
    let name = PluginName::new("memory").expect("a valid name");
    // The memory plugin's own budget, so that what is written here counts against its quota.
    let budget = bot.budgets().budget(&name, &toml::Table::new());
    let documents = bot.capabilities().store.documents(name.as_str(), budget).await?;
    let haystack = super::haystack::Haystack::new(dataset);
    for (of, conversation) in dataset.conversations.iter().enumerate() {
        let user = &conversation.user;
        let user_id = bot.message(Platform::Console, user, user, "eval", "").user.id;
        for text in haystack.for_user(of, size) {
            let fields =
                serde_json::json!({"user_id": user_id, "kind": "turn", "text": text, "at_ms": 0});
            let serde_json::Value::Object(fields) = fields else { unreachable!("an object") };
            documents.insert("memories", fields, embedded.vector(text)).await?;
        }
    }
    Ok(())
}

async fn run_method(
    config: &Config,
    dataset: &Dataset,
    method: Method,
    haystack: usize,
    embedded: &Embedded,
) -> anyhow::Result<MethodResult> {
    let scratch = tempfile::tempdir()?;
    let mut config = config.clone();
    config.plugins_dir = Some(config.plugins_dir());
    config.data_dir = scratch.path().to_owned();
    config.storage.url = Some("mem://".to_owned());
    config.redis.url = None;
    // No chat model (unless it also serves the embeddings): facts extracted by a model
    // would be memories the dataset cannot score.
    if config.llm.embedding_model.is_none() {
        config.llm.base_url = None;
    }
    config.limits.call_timeout_ms = config.limits.call_timeout_ms.max(60_000);
    config.embed.recent = config.embed.recent.max(embedded.texts.len());
    let name = PluginName::new("memory").expect("a valid name");
    config.plugins.entry(name).or_default().config.extend(method.settings());
    // The clock moves to each turn's and each question's time, where the dataset gives one.
    let started_ms = Clock::system().now_ms();
    let clock = ManualClock::at_ms(started_ms);
    let bot = Bot::start_with_clock(config, Clock::from(clock.clone())).await?;
    let memory = bot.plugins().memory().cloned().ok_or_else(|| {
        let failed: Vec<String> = bot.plugins().failed().iter().map(|f| f.error.clone()).collect();
        anyhow::anyhow!("no memory plugin loaded (failed: {failed:?})")
    })?;

    let embedder = bot.capabilities().llm.embedder.clone().map_err(anyhow::Error::msg)?;
    embedder.keep(&embedded.texts, &embedded.vectors);
    pile_haystack(&bot, dataset, haystack, embedded).await?;
    let mut remembering = Duration::ZERO;
    let mut turns = 0usize;
    // (user, text) -> turn id, to score what recall returns.
    let mut turn_of: HashMap<(String, String), String> = HashMap::new();
    for conversation in &dataset.conversations {
        for turn in &conversation.turns {
            clock.set_ms(turn.at_ms.unwrap_or(started_ms));
            let message = bot.message(
                Platform::Console,
                &conversation.user,
                &conversation.user,
                "eval",
                &turn.text,
            );
            let started = Instant::now();
            memory.remember(&message, "").await?;
            remembering += started.elapsed();
            turns += 1;
            turn_of
                .insert((conversation.user.clone(), turn.text.trim().to_owned()), turn.id.clone());
        }
    }

    let mut overall = Tally::default();
    let mut by_kind: BTreeMap<String, Tally> = BTreeMap::new();
    let mut latencies = Vec::with_capacity(dataset.questions());
    let mut found_deep = Vec::with_capacity(dataset.questions());
    // A single search is read deeper for the ceiling; its first K_WIDE are what a recall of
    // K_WIDE returns, as neither follows relations.
    let depth = if method.is_single() { DEPTH } else { K_WIDE };
    for conversation in &dataset.conversations {
        let user = &conversation.user;
        let platform_user = bot.message(Platform::Console, user, user, "eval", "").user.id;
        let last_told = conversation.last_told_ms().unwrap_or(started_ms);
        for question in &conversation.questions {
            clock.set_ms(question.at_ms.unwrap_or(last_told));
            let started = Instant::now();
            let recalled = memory.recall(&platform_user, &question.text, depth as u32).await?;
            latencies.push(started.elapsed());
            let rank = recalled.iter().position(|memory| {
                let turn = turn_of.get(&(user.clone(), memory.text.trim().to_owned()));
                turn.is_some_and(|id| question.answers.contains(id))
            });
            let rank = rank.map(|index| index + 1);
            found_deep.push(rank.is_some());
            let rank = rank.filter(|rank| *rank <= K_WIDE);
            overall.add(rank);
            by_kind.entry(question.kind.clone()).or_default().add(rank);
        }
    }
    latencies.sort();
    Ok(MethodResult {
        method,
        overall: overall.score(),
        by_kind: by_kind.into_iter().map(|(kind, tally)| (kind, tally.score())).collect(),
        remember_ms_mean: remembering.as_secs_f64() * 1000.0 / turns.max(1) as f64,
        recall_ms_p50: percentile_ms(&latencies, 0.50),
        recall_ms_p95: percentile_ms(&latencies, 0.95),
        found_deep,
    })
}

fn percentile_ms(sorted: &[Duration], quantile: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * quantile).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The evaluation sets in the repository read, and every answer is a turn of its user.
    #[test]
    fn the_evaluation_sets_read_and_their_answers_are_their_users_turns() {
        let folder =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/memory-eval");
        for name in ["dataset.json", "crowded.json", "records.json"] {
            let dataset = Dataset::load(&folder.join(name)).unwrap();
            assert!(dataset.questions() >= 300, "{name}: {}", dataset.questions());
            for conversation in &dataset.conversations {
                for question in &conversation.questions {
                    assert!(!question.answers.is_empty(), "{name} {}", question.id);
                    for answer in &question.answers {
                        assert!(
                            conversation.turns.iter().any(|turn| turn.id == *answer),
                            "{name} {}: no turn {answer}",
                            question.id
                        );
                    }
                }
            }
        }
    }
}
