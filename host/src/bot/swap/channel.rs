//! The channel replicas share swaps on, and what a replica needs to use it.

use super::seal::Seal;
use crate::core::Throttle;

/// The channel swaps are announced on.
pub(super) const CHANNEL: &str = "dcmaid:plugins";

/// Where swaps are shared: the Redis client, and the seal of the replicas' secret.
pub struct Fanout {
    pub(super) redis: fred::prelude::Client,
    pub(super) seal: Seal,
    /// Rejected messages are logged once a minute per reason.
    pub(super) rejections: Throttle,
}

impl Fanout {
    pub fn new(redis: fred::prelude::Client, secret: &str) -> Fanout {
        Fanout { redis, seal: Seal::new(secret), rejections: Throttle::per_minute() }
    }
}
