//! The memory eval's report as tables: recall@5, recall@10 and MRR per method, over all
//! questions and per kind of question; then each method's recall latency.

use std::fmt;

use super::retrieval::{DEPTH, K, K_WIDE, MemoryEval, Score};

impl fmt::Display for MemoryEval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let questions = self.results.first().map_or(0, |r| r.overall.questions);
        writeln!(
            f,
            "Memory retrieval: {} conversations, {} turns, {questions} questions, a haystack of {} other users' turns per user\n",
            self.conversations, self.turns, self.haystack
        )?;
        writeln!(f, "| method | kind | questions | recall@{K} | recall@{K_WIDE} | MRR |")?;
        writeln!(f, "|---|---|---:|---:|---:|---:|")?;
        let row = |f: &mut fmt::Formatter<'_>, method: &str, kind: &str, score: &Score| {
            writeln!(
                f,
                "| {method} | {kind} | {} | {:.3} | {:.3} | {:.3} |",
                score.questions, score.recall_at_5, score.recall_at_10, score.mrr
            )
        };
        for result in &self.results {
            let method = result.method.to_string();
            row(f, &method, "all", &result.overall)?;
            for (kind, score) in &result.by_kind {
                row(f, &method, kind, score)?;
            }
        }
        writeln!(f, "\n| method | recall p50 / p95 (ms, embedding apart) |\n|---|---:|")?;
        for result in &self.results {
            writeln!(
                f,
                "| {} | {:.1} / {:.1} |",
                result.method, result.recall_ms_p50, result.recall_ms_p95
            )?;
        }
        let best_single = self
            .results
            .iter()
            .filter(|r| r.method.is_single())
            .map(|r| r.overall.recall_at_5)
            .fold(0.0, f64::max);
        for result in self.results.iter().filter(|r| !r.method.is_single()) {
            let gain = (result.overall.recall_at_5 / best_single - 1.0) * 100.0;
            writeln!(
                f,
                "\n{}: {gain:+.1}% recall@{K} against the better single method",
                result.method
            )?;
        }
        writeln!(
            f,
            "\nEither single search has the answer among its first {DEPTH} for {:.3} of the questions: \
             no fusion of their candidates can reach more recall@{K} ({:+.1}% against the better \
             single method).",
            self.fusion_ceiling,
            (self.fusion_ceiling / best_single - 1.0) * 100.0
        )?;
        Ok(())
    }
}
