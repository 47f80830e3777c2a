//! The queue of turns waiting to be remembered (`crate::bot::remembering`): how many wait,
//! how long each waited, and what became of each.

use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::core::named;

/// What became of a turn the worker took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TurnFate {
    /// The memory plugin stored it.
    Remembered,
    /// The memory plugin failed on it; it stays queued for a later try.
    Retried,
    /// It failed on every try and was given up, with a log line.
    GivenUp,
}

named!(TurnFate { Remembered => "remembered", Retried => "retried", GivenUp => "given_up" });

impl EncodeLabelValue for TurnFate {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        std::fmt::Write::write_str(encoder, self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct FateLabels {
    fate: TurnFate,
}

pub struct RememberMetrics {
    depth: Gauge,
    lag: Histogram,
    turns: Family<FateLabels, Counter>,
}

impl RememberMetrics {
    pub(super) fn register(registry: &mut Registry) -> RememberMetrics {
        let depth = Gauge::default();
        registry.register(
            "dcmaid_remember_queue_depth",
            "Turns this replica queued to be remembered and has not yet seen remembered",
            depth.clone(),
        );
        // 10 ms doubling to about 5.5 minutes: a queue that lags minutes is one to see.
        let lag = Histogram::new(exponential_buckets(0.01, 2.0, 16));
        registry.register(
            "dcmaid_remember_lag_seconds",
            "From a turn's reply to its being remembered",
            lag.clone(),
        );
        let turns = Family::<FateLabels, Counter>::default();
        registry.register(
            "dcmaid_remember_turns",
            "Queued turns the worker took, by what became of them",
            turns.clone(),
        );
        RememberMetrics { depth, lag, turns }
    }

    /// `depth` turns wait now.
    pub fn depth(&self, depth: usize) {
        self.depth.set(i64::try_from(depth).unwrap_or(i64::MAX));
    }

    pub fn turn(&self, fate: TurnFate, waited: Option<Duration>) {
        self.turns.get_or_create(&FateLabels { fate }).inc();
        if let Some(waited) = waited {
            self.lag.observe(waited.as_secs_f64());
        }
    }
}
