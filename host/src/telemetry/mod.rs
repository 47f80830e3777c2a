//! What the operator sees of the host: its Prometheus metrics (`GET /metrics`, with the
//! metrics plugins define for themselves), the dashboard's last minutes, and the live log
//! tail.

mod labels;
pub mod logtail;
mod metrics;
mod plugin_metrics;
mod recent;
mod remember_metrics;

pub use labels::{CallOutcome, EventFate, HttpOutcome, Status, SwapOutcome};
pub use metrics::{CONTENT_TYPE, Metrics};
pub use plugin_metrics::{Kind, Labels, MAX_SERIES_PER_PLUGIN, MetricError, PluginMetrics};
pub use recent::{MINUTES_KEPT, Recent, Summary};
pub use remember_metrics::{RememberMetrics, TurnFate};
