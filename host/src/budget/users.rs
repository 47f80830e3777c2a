//! `[user_budgets]` in `dcmaid.toml`, and what each user has used of them: the language
//! model's requests and tokens a minute and a day, whether the conversation or a plugin
//! answering the user's message asked for them. `[user_budgets.users."<user id>"]` changes
//! them for one user (an operator's own account, a known heavy user). Kept in this process.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use serde::Deserialize;

use std::sync::Arc;

use super::limit::Refusal;
use super::rates::{RateLimits, Rates, RatesView, USER_RATES};
use crate::core::{Clock, Throttle};
use crate::telemetry::Metrics;

/// Users tracked at most; past it, those with nothing left in their windows are forgotten.
const MAX_USERS: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserBudgets {
    pub llm_requests_per_minute: u64,
    pub llm_requests_per_day: u64,
    pub llm_tokens_per_minute: u64,
    pub llm_tokens_per_day: u64,
    /// Per user id (`discord:8035…`, `telegram:42`): the fields to change for that user.
    pub users: BTreeMap<String, UserOverride>,
}

/// One user's changes to the defaults.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserOverride {
    pub llm_requests_per_minute: Option<u64>,
    pub llm_requests_per_day: Option<u64>,
    pub llm_tokens_per_minute: Option<u64>,
    pub llm_tokens_per_day: Option<u64>,
}

impl Default for UserBudgets {
    fn default() -> Self {
        // A long, lively conversation: a turn every few seconds with tool calls, all day.
        UserBudgets {
            llm_requests_per_minute: 20,
            llm_requests_per_day: 1_000,
            llm_tokens_per_minute: 40_000,
            llm_tokens_per_day: 400_000,
            users: BTreeMap::new(),
        }
    }
}

impl UserBudgets {
    fn limits(&self, user: &str) -> RateLimits {
        let own = self.users.get(user);
        let pick = |field: fn(&UserOverride) -> Option<u64>, default| {
            own.and_then(field).unwrap_or(default)
        };
        RateLimits {
            requests_per_minute: pick(|o| o.llm_requests_per_minute, self.llm_requests_per_minute),
            requests_per_day: pick(|o| o.llm_requests_per_day, self.llm_requests_per_day),
            tokens_per_minute: pick(|o| o.llm_tokens_per_minute, self.llm_tokens_per_minute),
            tokens_per_day: pick(|o| o.llm_tokens_per_day, self.llm_tokens_per_day),
        }
    }
}

/// Every user's use of the language model.
pub struct UserLedger {
    budgets: UserBudgets,
    clock: Clock,
    users: Mutex<HashMap<String, Rates>>,
    metrics: Arc<Metrics>,
    /// A user who keeps writing past their budget is logged once a minute.
    throttle: Throttle,
}

impl UserLedger {
    pub fn new(budgets: UserBudgets, clock: Clock, metrics: Arc<Metrics>) -> UserLedger {
        let throttle = Throttle::per_minute();
        UserLedger { budgets, clock, users: Mutex::default(), metrics, throttle }
    }

    /// Whether `user`'s budgets have room for a request (nothing is counted).
    pub fn check(&self, user: &str) -> Result<(), Refusal> {
        self.with(user, |rates, limits, now, what| rates.check(limits, &USER_RATES, now, what))
    }

    /// Start a request for `user`, if their budgets have room.
    pub fn begin(&self, user: &str) -> Result<(), Refusal> {
        self.with(user, |rates, limits, now, what| rates.begin(limits, &USER_RATES, now, what))
    }

    /// `act` on `user`'s use, its refusal counted and logged (once a minute per user).
    fn with(
        &self,
        user: &str,
        act: impl FnOnce(&mut Rates, &RateLimits, u64, &str) -> Result<(), Refusal>,
    ) -> Result<(), Refusal> {
        let now = self.clock.now_ms();
        let limits = self.budgets.limits(user);
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        if users.len() >= MAX_USERS && !users.contains_key(user) {
            users.retain(|_, rates| !rates.is_idle(now));
        }
        let rates = users.entry(user.to_owned()).or_default();
        let began = act(rates, &limits, now, "your share of the language model is used up");
        drop(users);
        if let Err(refusal) = &began {
            self.metrics.user_limit_hit(refusal.limit.as_str());
            if self.throttle.allow(user).is_some() {
                tracing::info!(user, limit = %refusal.limit, "a user's language-model budget is spent");
            }
        }
        began
    }

    /// A request for `user` took `tokens`.
    pub fn spent(&self, user: &str, tokens: u64) {
        let now = self.clock.now_ms();
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(rates) = users.get_mut(user) {
            rates.spent(now, tokens);
        }
    }

    /// What `user` has used, beside their limits.
    pub fn view(&self, user: &str) -> RatesView {
        let now = self.clock.now_ms();
        let limits = self.budgets.limits(user);
        let users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        users.get(user).cloned().unwrap_or_default().view(&limits, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_override_changes_only_that_user() {
        let mut budgets = UserBudgets { llm_requests_per_minute: 1, ..UserBudgets::default() };
        budgets.users.insert(
            "web:boss".into(),
            UserOverride { llm_requests_per_minute: Some(3), ..UserOverride::default() },
        );
        let ledger = UserLedger::new(budgets, Clock::system(), Arc::default());
        ledger.begin("web:alice").unwrap();
        assert!(ledger.begin("web:alice").is_err());
        for _ in 0..3 {
            ledger.begin("web:boss").unwrap();
        }
        assert!(ledger.begin("web:boss").is_err());
    }
}
