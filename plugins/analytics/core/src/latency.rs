//! Response times as a histogram of fixed buckets: cheap to keep per day, to merge over a
//! week, and good enough for percentiles ("95 % of replies within 20 ms").

use serde::{Deserialize, Serialize};

/// Upper bounds of the buckets, in microseconds; one more bucket holds everything slower.
pub const BOUNDS_US: [u64; 16] = [
    250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000,
    2_000_000, 5_000_000, 10_000_000, 30_000_000,
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    /// Counts per bucket; empty until the first sample.
    counts: Vec<u64>,
}

impl Latency {
    pub fn observe(&mut self, micros: u64) {
        if self.counts.is_empty() {
            self.counts = vec![0; BOUNDS_US.len() + 1];
        }
        let bucket = BOUNDS_US.iter().position(|bound| micros <= *bound).unwrap_or(BOUNDS_US.len());
        self.counts[bucket] += 1;
    }

    pub fn merge(&mut self, other: &Latency) {
        if self.counts.is_empty() {
            self.counts = vec![0; BOUNDS_US.len() + 1];
        }
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
    }

    pub fn samples(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The bound that `quantile` (0.0 to 1.0) of the samples are within, in microseconds;
    /// `None` without samples, `u64::MAX` when it is the open-ended last bucket.
    pub fn percentile(&self, quantile: f64) -> Option<u64> {
        let total = self.samples();
        if total == 0 {
            return None;
        }
        // The rank of the sample at `quantile`, 1-based: p95 of 20 samples is the 19th.
        let rank = ((quantile.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (bucket, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Some(BOUNDS_US.get(bucket).copied().unwrap_or(u64::MAX));
            }
        }
        Some(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_bucket_bounds() {
        let mut latency = Latency::default();
        assert_eq!(latency.percentile(0.5), None);
        for micros in [100, 200, 300, 400, 600, 900, 1_500, 3_000, 8_000, 40_000_000] {
            latency.observe(micros);
        }
        assert_eq!(latency.samples(), 10);
        assert_eq!(latency.percentile(0.2), Some(250));
        assert_eq!(latency.percentile(0.5), Some(1_000));
        assert_eq!(latency.percentile(0.9), Some(10_000));
        assert_eq!(latency.percentile(1.0), Some(u64::MAX));
    }

    #[test]
    fn merged_histograms_add_up() {
        let (mut a, mut b) = (Latency::default(), Latency::default());
        a.observe(100);
        b.observe(100);
        b.observe(3_000);
        a.merge(&b);
        assert_eq!(a.samples(), 3);
        assert_eq!(a.percentile(0.5), Some(250));
        assert_eq!(a.percentile(0.99), Some(5_000));
    }
}
