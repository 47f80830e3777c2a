//! Metrics of the plugin's own on the host's `/metrics`, named
//! `dcmaid_plugin_<plugin>_<name>`. Needs the `metrics` capability.

use crate::PluginError;
pub use crate::bindings::base::dcmaid::bot::metrics::{MetricsError, increment, observe, set};

/// Add one to counter `name` with `labels`.
pub fn count(name: &str, labels: &[(&str, &str)]) -> Result<(), MetricsError> {
    increment(name, &owned(labels), 1.0)
}

fn owned(labels: &[(&str, &str)]) -> Vec<(String, String)> {
    labels.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect()
}

impl From<MetricsError> for PluginError {
    fn from(error: MetricsError) -> Self {
        match error {
            MetricsError::Limited(limit) => PluginError::Limited(limit),
            other => PluginError::Internal(format!("metrics: {other:?}")),
        }
    }
}
