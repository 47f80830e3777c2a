//! Budgets: what each plugin may use over time and in total, enforced by the host so that
//! one plugin cannot starve the others or exhaust the machine. A call waits in its lane
//! ([`lane`]: messages never queue behind jobs or observers, which run at low priority on
//! their own threads, [`background`]) and for one of its plugin's permits, and is refused
//! while the plugin is over its CPU-seconds a minute ([`cpu`]). Capabilities hold the
//! plugin's quotas (kv, store: [`usage`]), its log and network rates, and its and each
//! user's language-model budgets ([`rates`], [`users`]). Every refusal names its limit
//! ([`limit`]), is counted and is logged once a minute ([`hits`]).

pub mod background;
pub mod cpu;
mod hits;
pub mod lane;
mod ledger;
pub mod limit;
mod plugin;
mod rates;
mod report;
mod settings;
mod usage;
mod users;

pub use background::Background;
pub use lane::{CallContext, Lane, Lanes};
pub use ledger::Ledger;
pub use limit::{LimitName, Refusal};
pub use plugin::{Admission, PluginBudget};
pub use rates::RatesView;
pub use report::BudgetReport;
pub use settings::{
    Budgets, CallBudget, CpuBudget, HttpBudget, KvBudget, LlmBudget, LogBudget, MemoryBudget,
    OutputBudget, StoreBudget,
};
pub use usage::{Change, Usage, UsageView};
pub use users::{UserBudgets, UserLedger, UserOverride};
