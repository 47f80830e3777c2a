//! Each time a limit stops a plugin: counted in `dcmaid_plugin_limit_hits_total{plugin,limit}`
//! and for `dcmaid plugins`, and logged once a minute per limit (with how many were held
//! back), so that a plugin hammering its limit cannot flood the log through it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::limit::{LimitName, Refusal};
use crate::core::{PluginName, Throttle};
use crate::telemetry::Metrics;

pub struct Hits {
    plugin: PluginName,
    counts: Mutex<BTreeMap<LimitName, u64>>,
    throttle: Throttle,
    metrics: Arc<Metrics>,
}

impl Hits {
    pub fn new(plugin: PluginName, metrics: Arc<Metrics>) -> Hits {
        Hits { plugin, counts: Mutex::default(), throttle: Throttle::per_minute(), metrics }
    }

    /// `refusal` stopped the plugin.
    pub fn record(&self, refusal: &Refusal) {
        let limit = refusal.limit;
        self.metrics.limit_hit(self.plugin.as_str(), limit.as_str());
        *self.counts.lock().unwrap_or_else(PoisonError::into_inner).entry(limit).or_default() += 1;
        if let Some(held_back) = self.throttle.allow(limit.as_str()) {
            let plugin = &self.plugin;
            let more = match held_back {
                0 => String::new(),
                n => format!(" ({n} more in the last minute)"),
            };
            tracing::warn!(%plugin, limit = %limit, "plugin `{plugin}` hit `{limit}`: {refusal}{more}");
        }
    }

    /// How often each limit stopped the plugin since the bot started.
    pub fn counts(&self) -> BTreeMap<LimitName, u64> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}
