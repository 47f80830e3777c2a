//! The costs of the tools issue, each against its baseline in the same run:
//!
//! 1. the allowlist's URL check per request, against parsing the URL alone;
//! 2. rate-limit decisions per second, in process and in the real Redis on 127.0.0.1:6379;
//! 3. a `fetch` tool call through the plugin and `wasi:http` (instantiate, egress checks,
//!    connect, request, body, return), against the same GET made natively with reqwest on a
//!    fresh connection each time, as the plugin's is, to a server on 127.0.0.1.
//!
//!     scripts/build-plugins.sh --no-install && cargo bench -p dcmaid-host --bench egress
//!
//! Prints Markdown for BENCHMARKS.md.

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use common::{Summary, micros, sample, target_dir};
use dcmaid_host::bot::ratelimit::{Bucket, RateLimiter};
use dcmaid_host::capabilities::http::{Allowlist, Egress};
use dcmaid_host::config::StorageConfig;
use dcmaid_host::core::Clock;
use dcmaid_host::core::PluginName;
use dcmaid_host::telemetry::Metrics;
use dcmaid_host::{Bot, Config};

const URLS: [&str; 8] = [
    "https://api.github.com/repos/rust-lang/rust",
    "https://API.GITHUB.COM./search/issues?q=borrow",
    "https://api.duckduckgo.com/?q=rust&format=json",
    "https://api.github.com@evil.test/",
    "https://evil.test/",
    "https://0x7f000001/",
    "http://api.github.com/",
    "https://[::ffff:169.254.169.254]/",
];

fn allowlist_check() {
    let allowlist =
        Allowlist::parse("api.duckduckgo.com\napi.github.com\napi.openweathermap.org\n").unwrap();
    let requested = vec!["*".to_owned()];
    let egress = Egress { allowlist: &allowlist, own: &Default::default(), requested: &requested };
    const ROUNDS: usize = 50_000;
    let time = |f: &dyn Fn(&str)| {
        let started = Instant::now();
        for _ in 0..ROUNDS {
            for url in URLS {
                f(black_box(url));
            }
        }
        started.elapsed() / (ROUNDS * URLS.len()) as u32
    };
    // Alternate the two, five times, and keep each one's best: the first loop of a run
    // warms caches and clocks for both.
    let (mut parse, mut check) = (std::time::Duration::MAX, std::time::Duration::MAX);
    for _ in 0..5 {
        parse = parse.min(time(&|url| {
            black_box(url::Url::parse(url).ok());
        }));
        check = check.min(time(&|url| {
            black_box(egress.check_url(url).ok());
        }));
    }
    println!("| URL parse alone (the baseline) | {} ns |", parse.as_nanos());
    println!("| allowlist check (parse included) | {} ns |", check.as_nanos());
    println!("| check over parse | {:.2}x |\n", check.as_secs_f64() / parse.as_secs_f64());
}

async fn decisions_per_second(redis: Option<fred::prelude::Client>) -> f64 {
    const TASKS: usize = 32;
    const EACH: usize = 1_000;
    let limiter = Arc::new(RateLimiter::new(Clock::system(), Arc::new(Metrics::new()), redis));
    let bucket = Bucket::new(1_000_000, 1_000_000);
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                for call in 0..EACH {
                    let key = format!("bench:{}:{task}/{}", std::process::id(), call % 50);
                    black_box(limiter.take(bucket, &key).await);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    (TASKS * EACH) as f64 / started.elapsed().as_secs_f64()
}

async fn rate_limits() {
    let local = decisions_per_second(None).await;
    let redis =
        dcmaid_host::redis::connect(&"redis://127.0.0.1:6379".into()).await.expect("a Redis");
    let shared = decisions_per_second(Some(redis)).await;
    println!("| limiter | decisions per second (32 tasks) |\n|---|---:|");
    println!("| in process | {local:.0} |");
    println!("| Redis (EVALSHA) | {shared:.0} |");
    println!("| in process over Redis | {:.1}x |\n", local / shared);
}

/// A page server on 127.0.0.1 that answers every GET with a small HTML page.
async fn page_server() -> u16 {
    use poem::listener::{Acceptor, Listener, TcpListener};
    let page = poem::endpoint::make_sync(|_| {
        poem::Response::builder()
            .content_type("text/html")
            .body("<html><body><p>a page of about a hundred bytes, to be fetched</p></body></html>")
    });
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
    let port = acceptor.local_addr()[0].as_socket_addr().unwrap().port();
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(page));
    port
}

async fn tool_call() {
    let port = page_server().await;
    let url = format!("http://127.0.0.1:{port}/page");
    let sandbox = tempfile::tempdir().unwrap();
    let folder = sandbox.path().join("plugins/tools");
    std::fs::create_dir_all(&folder).unwrap();
    let component = target_dir().join("wasm32-wasip2/plugin/tools.wasm");
    std::fs::copy(&component, folder.join("plugin.wasm"))
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/build-plugins.sh", component.display()));
    std::fs::write(
        folder.join("plugin.toml"),
        "name = \"tools\"\nversion = \"0.1.0\"\nrole = \"tool\"\ncomponent = \"plugin.wasm\"\n\
         http_hosts = [\"*\"]\n",
    )
    .unwrap();
    let allowlist = sandbox.path().join("allowed_domains.txt");
    std::fs::write(&allowlist, format!("http://127.0.0.1:{port}\n")).unwrap();
    let mut config = Config {
        data_dir: sandbox.path().to_owned(),
        storage: StorageConfig { url: Some("mem://".into()), ..StorageConfig::default() },
        rate_limit: common::unlimited(),
        ..Config::default()
    };
    config.http.allowlist_file = Some(allowlist);
    let bot = Bot::start(config).await.unwrap();
    let tools = bot.plugins().get(&PluginName::new("tools").unwrap()).unwrap().clone();
    let arguments = format!(r#"{{"url":"{url}"}}"#);
    let through_plugin = sample(20, 300, async || {
        let text = tools.call_tool("fetch", &arguments, "bench").await.unwrap();
        assert!(text.contains("a page of about"), "{text}");
    })
    .await;
    // No connection pool: the plugin's request opens its own connection too.
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let native = sample(20, 300, async || {
        let text = client.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(text.contains("a page of about"));
    })
    .await;
    println!("| GET of a 90-byte page | median | p99 |\n|---|---:|---:|");
    row("native, reqwest, new connection (the baseline)", &native);
    row("`fetch` tool call through the plugin and wasi:http", &through_plugin);
    println!(
        "\nOverhead of the tool call: {} at the median ({:.2}x).",
        micros(through_plugin.median.saturating_sub(native.median)),
        through_plugin.median.as_secs_f64() / native.median.as_secs_f64()
    );
}

fn row(name: &str, summary: &Summary) {
    println!("| {name} | {} | {} |", micros(summary.median), micros(summary.p99));
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("| URL check, per request | time |\n|---|---:|");
    allowlist_check();
    rate_limits().await;
    tool_call().await;
}
