//! `dcmaid:bot/metrics`: counters, gauges and histograms a plugin defines for itself, kept
//! beside the host's ([`crate::telemetry::PluginMetrics`]) and served at `GET /metrics`.

use std::sync::Arc;

use super::access::{Access, NotGranted};
use super::provider::{PluginInfo, Prepared, Provider, linked};
use crate::core::Capability;
use crate::telemetry::{self, Kind, MAX_SERIES_PER_PLUGIN, MetricError};
use crate::wit::latest::dcmaid::bot::metrics::{self as wit, Labels, MetricsError};

/// The `metrics` capability: a plugin's metrics go where the host's do, under its name.
pub struct Metrics;

impl Provider for Metrics {
    const GRANT: Option<Capability> = Some(Capability::Metrics);
    type Shared = Arc<telemetry::Metrics>;
    type Plugin = Arc<telemetry::Metrics>;

    async fn prepare(
        metrics: &Arc<telemetry::Metrics>,
        _: &PluginInfo<'_>,
    ) -> Prepared<Arc<telemetry::Metrics>> {
        Ok(metrics.clone())
    }

    linked!(wit);
}

impl From<NotGranted> for MetricsError {
    fn from(_: NotGranted) -> Self {
        MetricsError::NotGranted
    }
}

impl From<MetricError> for MetricsError {
    fn from(error: MetricError) -> Self {
        match error {
            MetricError::InvalidName(why) => MetricsError::InvalidName(why),
            MetricError::KindMismatch { .. } => MetricsError::KindMismatch(error.to_string()),
            MetricError::InvalidValue(why) => MetricsError::InvalidValue(why),
            MetricError::TooManySeries => MetricsError::TooManySeries(MAX_SERIES_PER_PLUGIN as u32),
        }
    }
}

impl Access<Arc<telemetry::Metrics>> {
    /// Add to a counter, set a gauge or observe into a histogram of the plugin's, by `kind`.
    fn record(
        &self,
        kind: Kind,
        name: &str,
        labels: Labels,
        value: f64,
    ) -> Result<(), MetricsError> {
        let registry = self.granted()?.plugins();
        Ok(registry.record(self.plugin().as_str(), kind, name, labels, value)?)
    }
}

impl wit::Host for Access<Arc<telemetry::Metrics>> {
    fn increment(&mut self, name: String, labels: Labels, by: f64) -> Result<(), MetricsError> {
        self.record(Kind::Counter, &name, labels, by)
    }

    fn set(&mut self, name: String, labels: Labels, value: f64) -> Result<(), MetricsError> {
        self.record(Kind::Gauge, &name, labels, value)
    }

    fn observe(&mut self, name: String, labels: Labels, value: f64) -> Result<(), MetricsError> {
        self.record(Kind::Histogram, &name, labels, value)
    }
}
