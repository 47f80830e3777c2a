//! The memory eval's report as a table: recall@5 and MRR per method and kind of question.

use std::fmt;

use super::retrieval::{DEPTH, K, MemoryEval};

impl fmt::Display for MemoryEval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let questions = self.results.first().map_or(0, |r| r.overall.questions);
        writeln!(
            f,
            "Memory retrieval: {} conversations, {} turns, {questions} questions, a haystack of {} other users' turns per user; recall@{K} and MRR\n",
            self.conversations, self.turns, self.haystack
        )?;
        let kinds: Vec<&String> =
            self.results.first().map(|r| r.by_kind.keys().collect()).unwrap_or_default();
        write!(f, "| method | recall@{K} | MRR |")?;
        for kind in &kinds {
            write!(f, " recall@{K} {kind} |")?;
        }
        writeln!(f, " recall p50 / p95 (ms, embedding apart) |")?;
        write!(f, "|---|---:|---:|")?;
        for _ in &kinds {
            write!(f, "---:|")?;
        }
        writeln!(f, "---:|")?;
        for result in &self.results {
            write!(
                f,
                "| {} | {:.3} | {:.3} |",
                result.method, result.overall.recall_at_k, result.overall.mrr
            )?;
            for kind in &kinds {
                let score = result.by_kind.get(*kind).map_or(0.0, |s| s.recall_at_k);
                write!(f, " {score:.3} |")?;
            }
            writeln!(f, " {:.1} / {:.1} |", result.recall_ms_p50, result.recall_ms_p95)?;
        }
        let best_single = self
            .results
            .iter()
            .filter(|r| r.method.is_single())
            .map(|r| r.overall.recall_at_k)
            .fold(0.0, f64::max);
        for result in self.results.iter().filter(|r| !r.method.is_single()) {
            let gain = (result.overall.recall_at_k / best_single - 1.0) * 100.0;
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
