//! Metrics that plugins define for themselves (the `metrics` capability): families created
//! on first use, in a registry of their own next to the host's, each named
//! `dcmaid_plugin_<plugin>_<name>` so that no plugin can pose as the host or another plugin.
//! A plugin may create at most [`MAX_SERIES_PER_PLUGIN`] series, which bounds what a
//! misbehaving plugin can do to `/metrics`.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Series (a name with one set of label values) one plugin may create.
pub const MAX_SERIES_PER_PLUGIN: usize = 1_000;
const MAX_NAME_BYTES: usize = 64;
const MAX_LABELS: usize = 8;
const MAX_LABEL_VALUE_BYTES: usize = 128;

pub type Labels = Vec<(String, String)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricError {
    #[error("{0}")]
    InvalidName(String),
    #[error("`{name}` is a {existing:?}, not a {wanted:?}")]
    KindMismatch { name: String, existing: Kind, wanted: Kind },
    #[error("{0}")]
    InvalidValue(String),
    #[error("the plugin already has {MAX_SERIES_PER_PLUGIN} series")]
    TooManySeries,
}

/// 1 ms doubling to about 65 s.
fn plugin_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 17))
}

enum Metric {
    Counter(Family<Labels, Counter<f64, AtomicU64>>),
    Gauge(Family<Labels, Gauge<f64, AtomicU64>>),
    Histogram(Family<Labels, Histogram, fn() -> Histogram>),
}

impl Metric {
    fn kind(&self) -> Kind {
        match self {
            Metric::Counter(_) => Kind::Counter,
            Metric::Gauge(_) => Kind::Gauge,
            Metric::Histogram(_) => Kind::Histogram,
        }
    }
}

#[derive(Default)]
struct State {
    registry: Registry,
    /// By full name.
    metrics: HashMap<String, Metric>,
    /// Per plugin: the series it created, as (full name, labels).
    series: HashMap<String, HashSet<(String, Labels)>>,
}

#[derive(Default)]
pub struct PluginMetrics {
    state: Mutex<State>,
}

impl PluginMetrics {
    /// Add to a counter, set a gauge or observe into a histogram, by `kind`.
    pub fn record(
        &self,
        plugin: &str,
        kind: Kind,
        name: &str,
        mut labels: Labels,
        value: f64,
    ) -> Result<(), MetricError> {
        check_name(name, "metric")?;
        check_labels(&labels)?;
        if !value.is_finite() || (kind == Kind::Counter && value < 0.0) {
            return Err(MetricError::InvalidValue(format!(
                "`{name}`: {value} is not a valid {kind:?} value"
            )));
        }
        // Label order does not make a different series.
        labels.sort();
        let full_name = format!("dcmaid_plugin_{}_{name}", plugin.replace('-', "_"));
        let mut guard = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let state = &mut *guard;
        let series = state.series.entry(plugin.to_owned()).or_default();
        let key = (full_name.clone(), labels);
        if !series.contains(&key) && series.len() >= MAX_SERIES_PER_PLUGIN {
            return Err(MetricError::TooManySeries);
        }
        let metric = match state.metrics.get(&full_name) {
            Some(metric) if metric.kind() != kind => {
                let existing = metric.kind();
                return Err(MetricError::KindMismatch {
                    name: name.to_owned(),
                    existing,
                    wanted: kind,
                });
            }
            Some(metric) => metric,
            None => {
                let help = format!("Defined by plugin `{plugin}`");
                let metric = new_metric(kind, &mut state.registry, &full_name, help);
                state.metrics.entry(full_name.clone()).or_insert(metric)
            }
        };
        match metric {
            Metric::Counter(family) => {
                family.get_or_create(&key.1).inc_by(value);
            }
            Metric::Gauge(family) => {
                family.get_or_create(&key.1).set(value);
            }
            Metric::Histogram(family) => family.get_or_create(&key.1).observe(value),
        }
        series.insert(key);
        Ok(())
    }

    /// The plugins' metrics in the OpenMetrics text format, without the closing `# EOF`.
    pub fn encode(&self, out: &mut String) {
        let state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode_registry(out, &state.registry);
    }
}

fn new_metric(kind: Kind, registry: &mut Registry, name: &str, help: String) -> Metric {
    match kind {
        Kind::Counter => {
            let family = Family::default();
            registry.register(name, help, family.clone());
            Metric::Counter(family)
        }
        Kind::Gauge => {
            let family = Family::default();
            registry.register(name, help, family.clone());
            Metric::Gauge(family)
        }
        Kind::Histogram => {
            let family = Family::new_with_constructor(plugin_histogram as fn() -> Histogram);
            registry.register(name, help, family.clone());
            Metric::Histogram(family)
        }
    }
}

fn check_name(name: &str, what: &str) -> Result<(), MetricError> {
    let valid = (1..=MAX_NAME_BYTES).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    match valid {
        true => Ok(()),
        false => Err(MetricError::InvalidName(format!(
            "{what} name `{name}`: use [a-z_][a-z0-9_]*, at most {MAX_NAME_BYTES} bytes"
        ))),
    }
}

fn check_labels(labels: &Labels) -> Result<(), MetricError> {
    if labels.len() > MAX_LABELS {
        return Err(MetricError::InvalidName(format!("at most {MAX_LABELS} labels")));
    }
    let mut seen = HashSet::new();
    for (name, value) in labels {
        check_name(name, "label")?;
        if name == "le" || !seen.insert(name) {
            return Err(MetricError::InvalidName(format!(
                "label `{name}` is reserved or repeated"
            )));
        }
        if value.len() > MAX_LABEL_VALUE_BYTES {
            return Err(MetricError::InvalidName(format!(
                "label `{name}`: values are at most {MAX_LABEL_VALUE_BYTES} bytes"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn plugins_get_namespaced_families_of_one_kind_each() {
        let metrics = PluginMetrics::default();
        let kind = labels(&[("kind", "greeting")]);
        metrics.record("my-plugin", Kind::Counter, "events", kind.clone(), 2.0).unwrap();
        metrics.record("my-plugin", Kind::Gauge, "queue", Vec::new(), 5.0).unwrap();
        metrics.record("my-plugin", Kind::Histogram, "took", Vec::new(), 0.01).unwrap();
        let mut text = String::new();
        metrics.encode(&mut text);
        assert!(
            text.contains("dcmaid_plugin_my_plugin_events_total{kind=\"greeting\"} 2.0"),
            "{text}"
        );
        assert!(text.contains("dcmaid_plugin_my_plugin_queue{} 5.0"), "{text}");
        assert!(text.contains("dcmaid_plugin_my_plugin_took_count{} 1"), "{text}");
        let mismatch = metrics.record("my-plugin", Kind::Gauge, "events", kind, 1.0);
        assert!(matches!(mismatch, Err(MetricError::KindMismatch { .. })));
    }

    #[test]
    fn bad_names_values_and_too_many_series_are_refused() {
        let metrics = PluginMetrics::default();
        let refuse = |name: &str, labels: Labels, value: f64| {
            metrics.record("p", Kind::Counter, name, labels, value).unwrap_err()
        };
        assert!(matches!(refuse("Bad-Name", Vec::new(), 1.0), MetricError::InvalidName(_)));
        assert!(matches!(refuse("ok", labels(&[("le", "1")]), 1.0), MetricError::InvalidName(_)));
        assert!(matches!(refuse("ok", Vec::new(), -1.0), MetricError::InvalidValue(_)));
        assert!(matches!(refuse("ok", Vec::new(), f64::NAN), MetricError::InvalidValue(_)));
        for n in 0..MAX_SERIES_PER_PLUGIN {
            let series = labels(&[("n", &n.to_string())]);
            metrics.record("p", Kind::Counter, "many", series, 1.0).unwrap();
        }
        let one_more = labels(&[("n", "last")]);
        assert_eq!(refuse("many", one_more, 1.0), MetricError::TooManySeries);
        // An existing series still counts, and another plugin has its own allowance.
        metrics.record("p", Kind::Counter, "many", labels(&[("n", "0")]), 1.0).unwrap();
        metrics.record("q", Kind::Counter, "many", Vec::new(), 1.0).unwrap();
    }
}
