//! One fire per slot, however many replicas run the schedule. Before a job runs for a slot
//! (its due time), the replica claims the slot: with Redis in one atomic step, `SET
//! dcmaid:cron:<job>:<slot> <replica> NX PX <hold>`, which exactly one replica wins. Each
//! slot has its own key, so a replica that dies mid-job never blocks the next slot. Without
//! Redis the process is the only replica and claims every slot.

use crate::redis::RedisTarget;
use std::time::Duration;

use chrono::{DateTime, Utc};
use fred::prelude::{Client, Expiration, KeysInterface, SetOptions};

#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    #[error("redis at {url}: {source}")]
    Connect { url: String, source: fred::error::Error },
    #[error("redis: claiming a slot failed: {0}")]
    Claim(fred::error::Error),
}

pub enum Claims {
    /// This process is the only replica.
    Local,
    Redis {
        client: Client,
        replica: String,
    },
}

impl Claims {
    /// Claims through the Redis at `target`, as `replica` (a name for logs and the key's
    /// value).
    pub async fn redis(target: &RedisTarget, replica: &str) -> Result<Claims, ClaimError> {
        let client = crate::redis::connect(target)
            .await
            .map_err(|source| ClaimError::Connect { url: target.to_string(), source })?;
        Ok(Claims::Redis { client, replica: replica.to_owned() })
    }

    /// Whether this replica won `slot` of `job`; the claim is held for `hold`, long enough
    /// that no replica can still be deciding about the slot when it lapses.
    pub async fn claim(
        &self,
        job: &str,
        slot: DateTime<Utc>,
        hold: Duration,
    ) -> Result<bool, ClaimError> {
        let Claims::Redis { client, replica } = self else { return Ok(true) };
        let key = format!("dcmaid:cron:{job}:{}", slot.timestamp_millis());
        let hold_ms = i64::try_from(hold.as_millis()).unwrap_or(i64::MAX).max(1);
        let set: Option<String> = client
            .set(key, replica.as_str(), Some(Expiration::PX(hold_ms)), Some(SetOptions::NX), false)
            .await
            .map_err(ClaimError::Claim)?;
        Ok(set.is_some())
    }
}
