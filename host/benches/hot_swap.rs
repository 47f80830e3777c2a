//! Hot swap, in one run:
//!
//! 1. swap latency: from asking for the reload to the first reply from the new version,
//!    with the compile cache cold (the component is compiled) and warm (loaded from the
//!    cache), for the Rust `hello` persona and the Python `dice-py` tool;
//! 2. install to first reply: `hello` pulled from our registry (on 127.0.0.1), vetted,
//!    written into place and swapped in, cache cold and warm;
//! 3. replies per second from four concurrent senders, steady, and while `hello` is swapped
//!    back and forth every 100 ms (the baseline is the steady run).
//!
//!     scripts/build-plugins.sh --no-install && cargo bench -p dcmaid-host --bench hot_swap
//!
//! Prints Markdown for BENCHMARKS.md.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{Summary, millis, target_dir};
use dcmaid_host::config::StorageConfig;
use dcmaid_host::core::PluginName;
use dcmaid_host::wit::Platform;
use dcmaid_host::{Bot, Config};

const ROUNDS: usize = 5;

fn install(plugins: &Path, name: &str, file: &str, role: &str, version: &str) {
    let folder = plugins.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let component = target_dir().join(format!("wasm32-wasip2/plugin/{file}.wasm"));
    std::fs::copy(&component, folder.join("plugin.wasm"))
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/build-plugins.sh", component.display()));
    std::fs::write(
        folder.join("plugin.toml"),
        format!(
            "name = \"{name}\"\nversion = \"{version}\"\nrole = \"{role}\"\n\
             component = \"plugin.wasm\"\ncapabilities = [\"kv\"]\n"
        ),
    )
    .unwrap();
}

async fn start(data_dir: &Path) -> Arc<Bot> {
    let config = Config {
        data_dir: data_dir.to_owned(),
        storage: StorageConfig { url: Some("mem://".into()), ..StorageConfig::default() },
        rate_limit: common::unlimited(),
        ..Config::default()
    };
    let bot = Arc::new(Bot::start(config).await.unwrap());
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    bot
}

async fn say(bot: &Bot, user: &str, text: &str) -> String {
    bot.handle(bot.message(Platform::Console, user, user, user, text)).await.reply
}

/// Reload `name` at a new version, then ask `command` until the new version answers.
async fn swap_latency(
    bot: &Bot,
    plugins: &Path,
    plugin: (&str, &str, &str),
    command: &str,
    cold: bool,
    round: usize,
) -> Duration {
    let (name, file, role) = plugin;
    let version = format!("0.2.{round}");
    install(plugins, name, file, role, &version);
    if cold {
        let _ = std::fs::remove_dir_all(bot.config().cache_dir());
    }
    let started = Instant::now();
    let swapped = bot.swaps().reload_plugin(&PluginName::new(name).unwrap()).await.unwrap();
    assert_eq!(swapped.to, Some(version));
    let reply = say(bot, "bench", command).await;
    assert!(!reply.starts_with("Sorry"), "{reply}");
    started.elapsed()
}

async fn latencies(plugins: &Path, bot: &Bot) {
    println!("| plugin | swap to first reply, cache cold (median of {ROUNDS}) | cache warm |");
    println!("|---|---:|---:|");
    let cases = [("hello", "hello", "persona", "/hello"), ("dice-py", "dice_py", "tool", "/rolls")];
    for (name, file, role, command) in cases {
        let mut cold = Vec::new();
        let mut warm = Vec::new();
        for round in 0..ROUNDS {
            let plugin = (name, file, role);
            cold.push(swap_latency(bot, plugins, plugin, command, true, round * 2).await);
            // The same bytes again: the cache the cold swap filled.
            warm.push(swap_latency(bot, plugins, plugin, command, false, round * 2 + 1).await);
        }
        println!(
            "| {name} | {} | {} |",
            millis(Summary::of(cold).median),
            millis(Summary::of(warm).median)
        );
    }
}

/// Our registry on 127.0.0.1 with `hello` published at versions `1.0.R` for each round.
async fn registry_with_hello(root: &Path, work: &Path) -> String {
    use dcmaid_registry::package::Package;
    use dcmaid_registry::server::{Registry, routes};
    use poem::listener::{Acceptor, Listener, TcpListener};
    let store = dcmaid_registry::store::Store::open(root).unwrap();
    let registry = Arc::new(Registry::new(store, Some("bench".into())));
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
    let host = acceptor.local_addr()[0].as_socket_addr().unwrap().to_string();
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(routes(registry)));
    for round in 0..ROUNDS * 2 {
        let version = format!("1.0.{round}");
        install(work, "hello", "hello", "persona", &version);
        let package = Package::from_folder(&work.join("hello")).unwrap();
        let reference = format!("{host}/bench/hello:{version}");
        dcmaid_registry::client::push(&package, &reference, Some("bench")).await.unwrap();
    }
    host
}

async fn install_to_first_reply(bot: &Bot, reference: &str, cold: bool) -> Duration {
    if cold {
        let _ = std::fs::remove_dir_all(bot.config().cache_dir());
    }
    let started = Instant::now();
    // The bench's package is unsigned: the operator vouches for it.
    let allow =
        dcmaid_host::install::Allow { ungranted: true, unsigned: true, ..Default::default() };
    dcmaid_host::install::install(bot.config(), reference, allow).await.unwrap();
    bot.swaps().reload_plugin(&PluginName::new("hello").unwrap()).await.unwrap();
    // A user of its own each time: the rate limit is not what is measured.
    let reply = say(bot, reference, "/hello").await;
    assert!(reply.starts_with("Hello"), "{reply}");
    started.elapsed()
}

async fn installs(bot: &Bot, work: &Path) {
    let host = registry_with_hello(&work.join("registry"), &work.join("publisher")).await;
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let reference = |n: usize| format!("{host}/bench/hello:1.0.{n}");
        cold.push(install_to_first_reply(bot, &reference(round * 2), true).await);
        warm.push(install_to_first_reply(bot, &reference(round * 2 + 1), false).await);
    }
    println!(
        "| hello, installed from our registry | {} | {} |",
        millis(Summary::of(cold).median),
        millis(Summary::of(warm).median)
    );
}

/// Replies per second from `SENDERS` concurrent senders over `length`, while `swapping`.
async fn throughput(bot: &Arc<Bot>, plugins: &Path, length: Duration, swapping: bool) -> f64 {
    const SENDERS: usize = 4;
    let replies = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let (bot, replies, stop) = (bot.clone(), replies.clone(), stop.clone());
            tokio::spawn(async move {
                let user = format!("sender{sender}");
                while !stop.load(Ordering::Relaxed) {
                    let reply = say(&bot, &user, "hello there").await;
                    assert!(!reply.starts_with("Sorry"), "{reply}");
                    replies.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let started = Instant::now();
    let mut swaps = 0;
    while started.elapsed() < length {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if swapping {
            install(plugins, "hello", "hello", "persona", &format!("0.3.{swaps}"));
            bot.swaps().reload_plugin(&PluginName::new("hello").unwrap()).await.unwrap();
            swaps += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for sender in senders {
        sender.await.unwrap();
    }
    replies.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sandbox = tempfile::tempdir().unwrap();
    let plugins = sandbox.path().join("plugins");
    install(&plugins, "hello", "hello", "persona", "0.1.0");
    install(&plugins, "dice-py", "dice_py", "tool", "0.1.0");
    let bot = start(sandbox.path()).await;
    latencies(&plugins, &bot).await;
    installs(&bot, sandbox.path()).await;

    let length = Duration::from_secs(3);
    let _warm_up = throughput(&bot, &plugins, Duration::from_secs(1), false).await;
    let steady = throughput(&bot, &plugins, length, false).await;
    let swapping = throughput(&bot, &plugins, length, true).await;
    println!("\n| 4 senders, conversation with `hello` | replies per second |\n|---|---:|");
    println!("| steady (the baseline) | {steady:.0} |");
    println!("| swapping `hello` every 100 ms | {swapping:.0} |");
    println!("| during swaps over steady | {:.2}x |", swapping / steady);
}
