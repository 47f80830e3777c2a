//! `dcmaid:bot/metrics`: counters, gauges and histograms a plugin defines for itself, kept by
//! [`crate::plugin_metrics`] and served at `GET /metrics`.

use crate::bindings::dcmaid::bot::metrics::{Host, MetricsError};
use crate::capabilities::Capability;
use crate::plugin::CallState;
use crate::plugin_metrics::{Kind, MAX_SERIES_PER_PLUGIN, MetricError};

impl CallState {
    fn record_metric(
        &self,
        kind: Kind,
        name: String,
        labels: Vec<(String, String)>,
        value: f64,
    ) -> Result<(), MetricsError> {
        let plugin = self.plugin();
        if !plugin.grants.contains(&Capability::Metrics) {
            return Err(MetricsError::NotGranted);
        }
        let recorded =
            plugin.metrics.plugins().record(plugin.name.as_str(), kind, &name, labels, value);
        recorded.map_err(|error| match error {
            MetricError::InvalidName(why) => MetricsError::InvalidName(why),
            MetricError::KindMismatch { .. } => MetricsError::KindMismatch(error.to_string()),
            MetricError::InvalidValue(why) => MetricsError::InvalidValue(why),
            MetricError::TooManySeries => MetricsError::TooManySeries(MAX_SERIES_PER_PLUGIN as u32),
        })
    }
}

impl Host for CallState {
    fn increment(
        &mut self,
        name: String,
        labels: Vec<(String, String)>,
        by: f64,
    ) -> wasmtime::Result<Result<(), MetricsError>> {
        Ok(self.record_metric(Kind::Counter, name, labels, by))
    }

    fn set(
        &mut self,
        name: String,
        labels: Vec<(String, String)>,
        value: f64,
    ) -> wasmtime::Result<Result<(), MetricsError>> {
        Ok(self.record_metric(Kind::Gauge, name, labels, value))
    }

    fn observe(
        &mut self,
        name: String,
        labels: Vec<(String, String)>,
        value: f64,
    ) -> wasmtime::Result<Result<(), MetricsError>> {
        Ok(self.record_metric(Kind::Histogram, name, labels, value))
    }
}
