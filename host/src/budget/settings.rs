//! `[budgets]` in `dcmaid.toml`: what each plugin may use over time and in total, with the
//! defaults every first-party plugin works within, and `[plugins.<name>.budgets]` to change
//! any of them for one plugin. A budget's name in the log, the metrics and a plugin's
//! `limited` error is its place here: `kv.max_bytes`, `llm.tokens_per_day`.

use serde::{Deserialize, Serialize};

use crate::core::check_range;

/// What one plugin may use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Budgets {
    pub cpu: CpuBudget,
    pub calls: CallBudget,
    pub memory: MemoryBudget,
    pub output: OutputBudget,
    pub log: LogBudget,
    pub kv: KvBudget,
    pub store: StoreBudget,
    pub http: HttpBudget,
    pub llm: LlmBudget,
}

/// The guest's own running time, over a sliding minute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CpuBudget {
    /// CPU-seconds a minute, across all the plugin's calls. Past it, its jobs and events are
    /// skipped and its calls refused until the minute has moved on.
    pub seconds_per_minute: f64,
}

/// Calls in flight at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallBudget {
    /// For messages (commands, the persona, memory, tools); more wait their turn.
    pub in_flight: u32,
    /// For scheduled jobs and observed events; more wait their turn.
    pub background: u32,
}

/// Linear memory and tables of all the plugin's instances together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemoryBudget {
    pub max_mib: u32,
}

/// What a plugin's answer may hold. Text past the cap is cut with a marker; a tool's result,
/// which the model reads as data, is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutputBudget {
    /// A command's reply, and the persona's finished reply.
    pub reply_bytes: u32,
    /// The persona's system prompt and its template reply.
    pub prompt_bytes: u32,
    /// A tool's result, as the model gets it.
    pub tool_result_bytes: u32,
    /// An observer's report, as written to disk.
    pub report_bytes: u32,
}

/// The plugin's log lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogBudget {
    /// Lines a second after the burst; the rest are dropped and counted.
    pub lines_per_second: u32,
    /// Lines in a row before the rate applies.
    pub burst_lines: u32,
    /// Bytes a second after the burst (of `burst_bytes`).
    pub bytes_per_second: u32,
    pub burst_bytes: u32,
    /// Longer lines are cut.
    pub max_line_bytes: u32,
}

/// The plugin's key-value table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KvBudget {
    pub max_keys: u64,
    /// Keys and values together.
    pub max_bytes: u64,
}

/// The plugin's document collections (and the in-memory index of an embedded store, which
/// holds the same documents).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreBudget {
    pub max_documents: u64,
    /// Fields and vectors together, and relations.
    pub max_bytes: u64,
}

/// Outgoing HTTP requests (where the allowlist lets them go).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpBudget {
    /// Requests waiting for an answer at once, across the plugin's calls.
    pub max_in_flight: u32,
    /// Requests one call may send.
    pub requests_per_call: u32,
    /// A request body's size.
    pub max_request_bytes: u64,
}

/// The language model and the embeddings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmBudget {
    pub requests_per_minute: u64,
    pub requests_per_day: u64,
    pub tokens_per_minute: u64,
    pub tokens_per_day: u64,
    /// Texts in one `embed` call.
    pub embed_texts: u32,
    /// Bytes of text in one `embed` call.
    pub embed_bytes: u32,
}

impl Default for CpuBudget {
    fn default() -> Self {
        // A quarter of a two-core machine: far more than a plugin that answers chat uses
        // (the persona spends about 0.1 ms a message), far less than all of it.
        CpuBudget { seconds_per_minute: 30.0 }
    }
}

impl Default for CallBudget {
    fn default() -> Self {
        CallBudget { in_flight: 8, background: 2 }
    }
}

impl Default for MemoryBudget {
    fn default() -> Self {
        MemoryBudget { max_mib: 512 }
    }
}

impl Default for OutputBudget {
    fn default() -> Self {
        OutputBudget {
            reply_bytes: 16 << 10,
            prompt_bytes: 32 << 10,
            tool_result_bytes: 16 << 10,
            report_bytes: 1 << 20,
        }
    }
}

impl Default for LogBudget {
    fn default() -> Self {
        LogBudget {
            lines_per_second: 20,
            burst_lines: 200,
            bytes_per_second: 16 << 10,
            burst_bytes: 256 << 10,
            max_line_bytes: 4 << 10,
        }
    }
}

impl Default for KvBudget {
    fn default() -> Self {
        KvBudget { max_keys: 100_000, max_bytes: 64 << 20 }
    }
}

impl Default for StoreBudget {
    fn default() -> Self {
        StoreBudget { max_documents: 200_000, max_bytes: 256 << 20 }
    }
}

impl Default for HttpBudget {
    fn default() -> Self {
        HttpBudget { max_in_flight: 8, requests_per_call: 16, max_request_bytes: 1 << 20 }
    }
}

impl Default for LlmBudget {
    fn default() -> Self {
        LlmBudget {
            requests_per_minute: 60,
            requests_per_day: 5_000,
            tokens_per_minute: 100_000,
            tokens_per_day: 2_000_000,
            embed_texts: 64,
            embed_bytes: 256 << 10,
        }
    }
}

impl Budgets {
    /// `self` with the operator's `overrides` for one plugin (`[plugins.<name>.budgets]`):
    /// only what they name changes. The message names the field.
    pub fn with_overrides(&self, overrides: &toml::Table, at: &str) -> Result<Budgets, String> {
        if overrides.is_empty() {
            return Ok(self.clone());
        }
        let mut merged = match toml::Value::try_from(self) {
            Ok(toml::Value::Table(table)) => table,
            _ => unreachable!("budgets serialize to a table"),
        };
        merge(&mut merged, overrides);
        let budgets: Budgets = toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| format!("{at}: {}", e.message()))?;
        budgets.check(at)?;
        Ok(budgets)
    }

    /// Rules serde cannot express; the message names the field under `at` (`budgets`).
    pub fn check(&self, at: &str) -> Result<(), String> {
        let field = |name: &str| format!("{at}.{name}");
        let cpu = self.cpu.seconds_per_minute;
        if !(0.01..=6_000.0).contains(&cpu) {
            return Err(format!(
                "{}: expected 0.01 to 6000, got {cpu}",
                field("cpu.seconds_per_minute")
            ));
        }
        check_range(&field("calls.in_flight"), self.calls.in_flight, 1..=1024)?;
        check_range(&field("calls.background"), self.calls.background, 1..=1024)?;
        check_range(&field("memory.max_mib"), self.memory.max_mib, 1..=65_536)?;
        check_range(&field("output.reply_bytes"), self.output.reply_bytes, 64..=16 << 20)?;
        check_range(&field("output.prompt_bytes"), self.output.prompt_bytes, 64..=16 << 20)?;
        check_range(
            &field("output.tool_result_bytes"),
            self.output.tool_result_bytes,
            64..=16 << 20,
        )?;
        check_range(&field("output.report_bytes"), self.output.report_bytes, 64..=256 << 20)?;
        check_range(&field("log.lines_per_second"), self.log.lines_per_second, 1..=100_000)?;
        check_range(&field("log.burst_lines"), self.log.burst_lines, 1..=1_000_000)?;
        check_range(&field("log.bytes_per_second"), self.log.bytes_per_second, 64..=1 << 30)?;
        check_range(&field("log.burst_bytes"), self.log.burst_bytes, 64..=1 << 30)?;
        check_range(&field("log.max_line_bytes"), self.log.max_line_bytes, 64..=1 << 20)?;
        check_range(&field("http.max_in_flight"), self.http.max_in_flight, 1..=1024)?;
        check_range(&field("http.requests_per_call"), self.http.requests_per_call, 1..=10_000)?;
        check_range(&field("http.max_request_bytes"), self.http.max_request_bytes, 1..=1 << 30)?;
        check_range(&field("llm.embed_texts"), self.llm.embed_texts, 1..=10_000)?;
        check_range(&field("llm.embed_bytes"), self.llm.embed_bytes, 64..=64 << 20)
    }
}

/// `overrides` into `base`, table by table.
fn merge(base: &mut toml::Table, overrides: &toml::Table) {
    for (key, value) in overrides {
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(base)), toml::Value::Table(value)) => merge(base, value),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_changes_what_it_names_and_nothing_else() {
        let defaults = Budgets::default();
        let overrides: toml::Table =
            toml::from_str("cpu.seconds_per_minute = 2\n[kv]\nmax_bytes = 1024\n").unwrap();
        let budgets = defaults.with_overrides(&overrides, "plugins.x.budgets").unwrap();
        assert_eq!(budgets.cpu.seconds_per_minute, 2.0);
        assert_eq!(budgets.kv.max_bytes, 1024);
        assert_eq!(budgets.kv.max_keys, defaults.kv.max_keys);
        assert_eq!(budgets.llm, defaults.llm);
    }

    #[test]
    fn a_wrong_override_names_the_field() {
        let defaults = Budgets::default();
        let unknown: toml::Table = toml::from_str("[kv]\nmax_byte = 1\n").unwrap();
        let error = defaults.with_overrides(&unknown, "plugins.x.budgets").unwrap_err();
        assert!(error.contains("max_byte"), "{error}");
        let zero: toml::Table = toml::from_str("[calls]\nin_flight = 0\n").unwrap();
        let error = defaults.with_overrides(&zero, "plugins.x.budgets").unwrap_err();
        assert!(error.contains("plugins.x.budgets.calls.in_flight"), "{error}");
    }
}
