//! A plugin's budget as the operator sees it (`dcmaid plugins`, the API, the console):
//! what it uses beside what it may, and which limits stopped it how often.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::plugin::PluginBudget;
use super::rates::RatesView;
use super::usage::UsageView;

#[derive(Debug, Clone, Serialize, Deserialize, poem_openapi::Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BudgetReport {
    pub cpu_seconds_last_minute: f64,
    pub cpu_seconds_per_minute: f64,
    pub calls_in_flight: u32,
    pub memory_bytes: u64,
    pub memory_max_bytes: u64,
    /// None until the plugin's kv usage is first measured (at its first write).
    pub kv: Option<UsageView>,
    /// None until the plugin's store usage is first measured (at its first write).
    pub store: Option<UsageView>,
    pub llm: RatesView,
    pub log_lines_dropped: u64,
    /// How often each limit stopped the plugin since the bot started, by limit name.
    pub limit_hits: BTreeMap<String, u64>,
}

impl PluginBudget {
    pub fn report(&self) -> BudgetReport {
        let measured = |usage: &super::usage::Usage| usage.is_measured().then(|| usage.view());
        BudgetReport {
            cpu_seconds_last_minute: self.cpu_last_minute(),
            cpu_seconds_per_minute: self.limits().cpu.seconds_per_minute,
            calls_in_flight: self.calls_in_flight(),
            memory_bytes: self.memory().load(std::sync::atomic::Ordering::Relaxed) as u64,
            memory_max_bytes: self.max_memory_bytes() as u64,
            kv: measured(self.kv()),
            store: measured(self.store()),
            llm: self.llm_view(),
            log_lines_dropped: self.log_lines_dropped(),
            limit_hits: self.hits().into_iter().map(|(l, n)| (l.as_str().to_owned(), n)).collect(),
        }
    }
}
