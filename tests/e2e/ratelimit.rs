//! Rate limits: a token bucket per user and command, shared by replicas through the real
//! Redis on 127.0.0.1:6379, kept in process while Redis is away, and back on Redis after.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dcmaid_host::bot::ratelimit::{Bucket, Decision, RateLimiter};
use dcmaid_host::core::Clock;
use dcmaid_host::telemetry::Metrics;
use fred::prelude::{ClientLike, HashesInterface};

use crate::cron::OwnRedis;
use crate::say;

/// A bucket name no other run shares.
fn fresh_key() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("test:{}:{nanos}/dice", std::process::id())
}

/// A replica's limiter, always taking from buckets of one shape.
struct Replica {
    limiter: RateLimiter,
    bucket: Bucket,
}

impl Replica {
    async fn take(&self, key: &str) -> Decision {
        self.limiter.take(self.bucket, key).await
    }
}

async fn limiter(url: &str, burst: u32) -> (Replica, Arc<Metrics>) {
    let metrics = Arc::new(Metrics::new());
    let redis = dcmaid_host::redis::connect(&url.into())
        .await
        .expect("a Redis (scripts/test.sh starts one)");
    let limiter = RateLimiter::new(Clock::system(), metrics.clone(), Some(redis));
    (Replica { limiter, bucket: Bucket::new(burst, 60) }, metrics)
}

#[tokio::test]
async fn two_replicas_share_one_bucket_in_redis() {
    let (first, _) = limiter("redis://127.0.0.1:6379", 3).await;
    let (second, _) = limiter("redis://127.0.0.1:6379", 3).await;
    let key = fresh_key();
    let mut allowed = 0;
    for replica in [&first, &second, &first, &second] {
        if replica.take(&key).await == Decision::Allowed {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 3, "three between them, not three each");
    match second.take(&key).await {
        Decision::Wait(wait) => {
            assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1))
        }
        Decision::Allowed => panic!("the bucket was empty"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_redis_is_away_limits_hold_in_process_and_go_back_to_redis_after() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let redis = OwnRedis::start(port);
    let (limiter, metrics) = limiter(&redis.url(), 2).await;
    assert_eq!(limiter.take("alice/dice").await, Decision::Allowed);

    drop(redis);
    // In process now: a full bucket of its own, and no hang on the dead connection.
    let started = Instant::now();
    assert_eq!(limiter.take("alice/dice").await, Decision::Allowed);
    assert_eq!(limiter.take("alice/dice").await, Decision::Allowed);
    assert!(matches!(limiter.take("alice/dice").await, Decision::Wait(_)), "limits still hold");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    assert!(
        metrics.encode().contains("dcmaid_ratelimit_fallbacks_total 3"),
        "{}",
        metrics.encode()
    );

    // Back: once fred has reconnected, the bucket lives in Redis again.
    let redis = OwnRedis::start(port);
    let probe = dcmaid_host::redis::connect(&redis.url().as_str().into()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        limiter.take("bob/dice").await;
        let tokens: Option<String> =
            probe.hget("dcmaid:ratelimit:bob/dice", "tokens").await.unwrap();
        if tokens.is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "the limiter never went back to Redis");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    probe.quit().await.unwrap();
}

#[tokio::test]
async fn a_user_over_the_limit_is_told_when_to_try_again() {
    let sandbox = dcmaid_tests::Sandbox::new();
    sandbox.install_hello();
    let mut config = sandbox.config();
    config.rate_limit.burst = 2;
    config.rate_limit.per_minute = 6;
    let bot = dcmaid_host::Bot::start(config).await.unwrap();
    assert_eq!(say(&bot, "alice", "/hello").await.reply, "Hello, alice! 👋");
    assert_eq!(say(&bot, "alice", "/hello").await.reply, "Hello, alice! 👋");
    assert_eq!(
        say(&bot, "alice", "/hello").await.reply,
        "Slow down: you can use /hello again in 10 s."
    );
    assert_eq!(say(&bot, "bob", "/hello").await.reply, "Hello, bob! 👋", "each user has a bucket");
    assert!(
        say(&bot, "alice", "how are you?").await.reply.starts_with("Hi, alice!"),
        "talk is not limited"
    );
    let exposition = bot.metrics().encode();
    assert!(exposition.contains("dcmaid_rate_limited_total{plugin=\"hello\"} 1"), "{exposition}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_at_once_on_a_bucket_of_forty_admit_exactly_forty_then_it_refills() {
    let redis = dcmaid_host::redis::connect(&"redis://127.0.0.1:6379".into()).await.unwrap();
    // A clock that stands still while the burst runs, then moves on the test's word.
    let manual = dcmaid_host::core::ManualClock::at_ms(1_700_000_000_000);
    let limiter =
        RateLimiter::new(Clock::from(manual.clone()), Arc::new(Metrics::new()), Some(redis));
    let limiter = Arc::new(Replica { limiter, bucket: Bucket::new(40, 60) });
    let key = fresh_key();
    let attempts: Vec<_> = (0..200)
        .map(|_| {
            let (limiter, key) = (limiter.clone(), key.clone());
            tokio::spawn(async move { limiter.take(&key).await })
        })
        .collect();
    let mut admitted = 0;
    for attempt in attempts {
        if attempt.await.unwrap() == Decision::Allowed {
            admitted += 1;
        }
    }
    assert_eq!(admitted, 40, "the bucket holds 40 and not one more");

    // One token a second: after 2.5 s, two more, and the third waits half a second.
    manual.advance(Duration::from_millis(2_500));
    assert_eq!(limiter.take(&key).await, Decision::Allowed);
    assert_eq!(limiter.take(&key).await, Decision::Allowed);
    match limiter.take(&key).await {
        Decision::Wait(wait) => assert!(wait.abs_diff(Duration::from_millis(500)).as_millis() <= 1),
        Decision::Allowed => panic!("only two tokens came back"),
    }
}
