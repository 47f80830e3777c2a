//! How often one client may call the registry: a token bucket per client address (an IPv6
//! client by its /64, which one subscriber usually holds whole), so that no client can keep
//! the server busy for the others. Behind a reverse proxy every client has the proxy's
//! address: limit there instead, or give this limit room for all of them.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Buckets kept at most; past it, full ones (clients quiet long enough) are forgotten first.
const MAX_CLIENTS: usize = 100_000;

/// The request rate each client may keep up, and how many it may send at once.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    /// Requests a minute, on average; 0: no limit.
    pub per_minute: u32,
    /// Requests at once, before the rate applies.
    pub burst: u32,
}

impl Default for Rate {
    fn default() -> Rate {
        Rate { per_minute: 600, burst: 120 }
    }
}

/// Every client's bucket.
pub struct ClientRates {
    rate: Rate,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl ClientRates {
    pub fn new(rate: Rate) -> ClientRates {
        ClientRates { rate, buckets: Mutex::default() }
    }

    /// Take one request for `client` at `now`: `Ok`, or how long until it may send one.
    pub fn take(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.rate.per_minute == 0 {
            return Ok(());
        }
        let per_second = f64::from(self.rate.per_minute) / 60.0;
        let burst = f64::from(self.rate.burst.max(1));
        let refill = |bucket: Bucket| {
            let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
            (bucket.tokens + elapsed * per_second).min(burst)
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&subnet(client)) {
            buckets.retain(|_, bucket| refill(*bucket) < burst);
            if buckets.len() >= MAX_CLIENTS {
                // Every client is busy: a newcomer waits as if its bucket were empty.
                return Err(Duration::from_secs_f64(1.0 / per_second));
            }
        }
        let bucket = buckets.entry(subnet(client)).or_insert(Bucket { tokens: burst, at: now });
        let tokens = refill(*bucket);
        if tokens >= 1.0 {
            *bucket = Bucket { tokens: tokens - 1.0, at: now };
            Ok(())
        } else {
            *bucket = Bucket { tokens, at: now };
            Err(Duration::from_secs_f64((1.0 - tokens) / per_second))
        }
    }
}

/// The address a client is counted by: an IPv4 address, or an IPv6 address's /64.
fn subnet(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::from(segments)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_the_rate_and_others_are_not_held_up() {
        let rates = ClientRates::new(Rate { per_minute: 60, burst: 3 });
        let start = Instant::now();
        let greedy: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(rates.take(greedy, start), Ok(()));
        }
        let wait = rates.take(greedy, start).unwrap_err();
        assert!((999..=1000).contains(&wait.as_millis()), "{wait:?}");
        assert_eq!(rates.take(greedy, start + Duration::from_secs(1)), Ok(()));
        assert_eq!(rates.take("192.0.2.2".parse().unwrap(), start), Ok(()), "another client");

        // One IPv6 subscriber's /64 is one client, however many addresses it uses.
        let ipv6 = |last: &str| format!("2001:db8:1:2::{last}").parse::<IpAddr>().unwrap();
        for last in ["1", "2", "3"] {
            assert_eq!(rates.take(ipv6(last), start), Ok(()));
        }
        assert!(rates.take(ipv6("4"), start).is_err());
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert!(rates.take(mapped, start).is_err(), "an IPv4-mapped address is its IPv4 one");

        let off = ClientRates::new(Rate { per_minute: 0, burst: 0 });
        assert!((0..1000).all(|_| off.take(greedy, start).is_ok()));
    }
}
