//! Every plugin's budget, by name, for the bot's whole life: a plugin reloaded or swapped
//! gets the budget it had (what it used and what it stores stays counted), and the lanes
//! that all plugins share.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::lane::Lanes;
use super::plugin::PluginBudget;
use super::settings::Budgets;
use crate::core::{Clock, Limits, PluginName};
use crate::telemetry::Metrics;

pub struct Ledger {
    defaults: Budgets,
    lanes: Arc<Lanes>,
    metrics: Arc<Metrics>,
    clock: Clock,
    budgets: Mutex<HashMap<PluginName, Arc<PluginBudget>>>,
}

impl Ledger {
    pub fn new(defaults: Budgets, limits: &Limits, metrics: Arc<Metrics>, clock: Clock) -> Ledger {
        Ledger {
            defaults,
            lanes: Arc::new(Lanes::new(limits)),
            metrics,
            clock,
            budgets: Mutex::default(),
        }
    }

    /// `plugin`'s budget: the one it had, or a new one from the defaults and `overrides`
    /// (its `[plugins.<name>.budgets]`, checked when the configuration loaded).
    pub fn budget(&self, plugin: &PluginName, overrides: &toml::Table) -> Arc<PluginBudget> {
        let mut budgets = self.budgets.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(budget) = budgets.get(plugin) {
            return budget.clone();
        }
        let at = format!("plugins.{plugin}.budgets");
        let limits = self.defaults.with_overrides(overrides, &at).unwrap_or_else(|error| {
            tracing::error!("{error}; using the defaults");
            self.defaults.clone()
        });
        let budget = Arc::new(PluginBudget::new(
            plugin.clone(),
            limits,
            self.lanes.clone(),
            self.metrics.clone(),
            self.clock.clone(),
        ));
        budgets.insert(plugin.clone(), budget.clone());
        budget
    }

    /// The budget `plugin` has, if it ever loaded.
    pub fn get(&self, plugin: &PluginName) -> Option<Arc<PluginBudget>> {
        self.budgets.lock().unwrap_or_else(PoisonError::into_inner).get(plugin).cloned()
    }
}
