//! Rate limits: a token bucket per user and command or tool, and one per user for plain
//! conversation (see [`crate::core::Bucket`]). With Redis, every replica shares the
//! buckets: one Lua script takes a token atomically (EVALSHA). Without Redis, or while it
//! is away, the buckets are in this process; the host logs the switch, counts each call
//! that could not reach Redis, and goes back to Redis once fred has reconnected. The
//! semantics are the same either way.

mod settings;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use fred::prelude::{Client, ClientLike};
use fred::types::scripts::Script;

pub use crate::core::{Bucket, Decision, State};
pub use settings::RateLimitConfig;

use crate::core::Clock;
use crate::telemetry::Metrics;

/// Buckets kept in process before full ones (which say nothing) are forgotten.
const LOCAL_BUCKETS: usize = 10_000;
/// After Redis failed a call, how long to limit in process before trying it again, so that
/// an outage costs one timeout, not one per call.
const RETRY_AFTER_MS: u64 = 5_000;

pub struct RateLimiter {
    clock: Clock,
    metrics: Arc<Metrics>,
    /// Each key's bucket and what it holds.
    local: Mutex<HashMap<String, (Bucket, State)>>,
    redis: Option<Shared>,
}

/// The buckets in Redis.
struct Shared {
    client: Client,
    script: Script,
    /// While Redis is away: the time (ms) to try it again; 0 while it is in use.
    retry_at_ms: AtomicU64,
}

impl RateLimiter {
    /// Buckets in `redis` when given, else in this process.
    pub fn new(clock: Clock, metrics: Arc<Metrics>, redis: Option<Client>) -> RateLimiter {
        let redis = redis.map(|client| Shared {
            client,
            script: Script::from_lua(include_str!("bucket.lua")),
            retry_at_ms: AtomicU64::new(0),
        });
        RateLimiter { clock, metrics, local: Mutex::default(), redis }
    }

    /// Take a token from the bucket `key` (e.g. `<user>/<command>`), shaped as `bucket`.
    pub async fn take(&self, bucket: Bucket, key: &str) -> Decision {
        if let Some(shared) = &self.redis {
            let now = self.clock.now_ms();
            let retry_at = shared.retry_at_ms.load(Ordering::Relaxed);
            if now >= retry_at && shared.client.is_connected() {
                match self.take_shared(shared, bucket, key, now).await {
                    Ok(decision) => {
                        if shared.retry_at_ms.swap(0, Ordering::Relaxed) != 0 {
                            tracing::info!("rate limits: back on Redis");
                        }
                        return decision;
                    }
                    Err(error) => {
                        tracing::warn!("rate limits: Redis failed ({error}); limiting in process");
                        shared.retry_at_ms.store(now + RETRY_AFTER_MS, Ordering::Relaxed);
                    }
                }
            } else if retry_at == 0 {
                tracing::warn!("rate limits: Redis is away; limiting in process until it is back");
                shared.retry_at_ms.store(now + RETRY_AFTER_MS, Ordering::Relaxed);
            }
            self.metrics.ratelimit_fallback();
        }
        self.take_local(bucket, key, self.clock.now_ms())
    }

    fn take_local(&self, bucket: Bucket, key: &str, now: u64) -> Decision {
        let mut buckets = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= LOCAL_BUCKETS {
            buckets.retain(|_, (bucket, state)| {
                bucket.refilled(Some(*state), now).tokens < bucket.burst
            });
        }
        let state = buckets.get(key).filter(|(was, _)| *was == bucket).map(|(_, state)| *state);
        let (state, decision) = bucket.take(state, now);
        buckets.insert(key.to_owned(), (bucket, state));
        decision
    }

    async fn take_shared(
        &self,
        shared: &Shared,
        bucket: Bucket,
        key: &str,
        now: u64,
    ) -> Result<Decision, fred::error::Error> {
        // A bucket left alone this long is full again: Redis may forget it.
        let refill_ms = (bucket.burst / bucket.per_ms).ceil() as u64 + 1_000;
        let args = vec![
            bucket.burst.to_string(),
            bucket.per_ms.to_string(),
            now.to_string(),
            refill_ms.to_string(),
        ];
        let (allowed, wait_ms): (i64, i64) = shared
            .script
            .evalsha_with_reload(&shared.client, format!("dcmaid:ratelimit:{key}"), args)
            .await?;
        Ok(match allowed {
            1 => Decision::Allowed,
            _ => Decision::Wait(Duration::from_millis(wait_ms.max(0) as u64)),
        })
    }
}
