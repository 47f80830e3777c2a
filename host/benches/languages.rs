//! Plugins in three languages side by side, in one run: the Rust `hello` persona, the Python
//! `dice-py` tool (componentize-py) and the JavaScript `tally-js` observer
//! (componentize-js). For each: the component's size, the bot's start with the compile
//! cache empty (the component is compiled) and warm (it is loaded from the cache), and the
//! cost of one command call (instantiate, run, return).
//!
//!     scripts/build-plugins.sh --no-install && cargo bench -p dcmaid-host --bench languages
//!
//! Prints a Markdown table for BENCHMARKS.md.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Summary, micros, millis, sample, target_dir};
use dcmaid_host::config::StorageConfig;
use dcmaid_host::wit::{Invocation, Platform};
use dcmaid_host::{Bot, Config};

struct Plugin {
    language: &'static str,
    name: &'static str,
    /// The component's file stem under `wasm32-wasip2/plugin`.
    file: &'static str,
    role: &'static str,
    command: &'static str,
    args: &'static str,
}

const PLUGINS: [Plugin; 3] = [
    Plugin {
        language: "Rust",
        name: "hello",
        file: "hello",
        role: "persona",
        command: "hello",
        args: "Ann",
    },
    Plugin {
        language: "Python",
        name: "dice-py",
        file: "dice_py",
        role: "tool",
        command: "roll",
        args: "2d6",
    },
    Plugin {
        language: "JavaScript",
        name: "tally-js",
        file: "tally_js",
        role: "observer",
        command: "tally",
        args: "",
    },
];

const STARTS: usize = 3;

fn install(data_dir: &Path, plugin: &Plugin) -> u64 {
    let component = target_dir().join(format!("wasm32-wasip2/plugin/{}.wasm", plugin.file));
    let folder = data_dir.join("plugins").join(plugin.name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(&component, folder.join("plugin.wasm"))
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/build-plugins.sh", component.display()));
    let manifest = format!(
        "name = \"{}\"\nversion = \"0.1.0\"\nrole = \"{}\"\ncomponent = \"plugin.wasm\"\n\
         capabilities = [\"kv\", \"metrics\"]\n",
        plugin.name, plugin.role
    );
    std::fs::write(folder.join("plugin.toml"), manifest).unwrap();
    std::fs::metadata(component).unwrap().len()
}

async fn start(data_dir: &Path) -> (Bot, Duration) {
    let config = Config {
        data_dir: data_dir.to_owned(),
        storage: StorageConfig { url: Some("mem://".into()), ..StorageConfig::default() },
        rate_limit: common::unlimited(),
        ..Config::default()
    };
    let started = Instant::now();
    let bot = Bot::start(config).await.unwrap();
    let took = started.elapsed();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    (bot, took)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!(
        "| plugin | size | start, compiling (median of {STARTS}) | start, cached (median of {STARTS}) | command call, median | p99 |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for plugin in &PLUGINS {
        let sandbox = tempfile::tempdir().unwrap();
        let size = install(sandbox.path(), plugin);
        let mut compiling = Vec::new();
        let mut cached = Vec::new();
        for _ in 0..STARTS {
            let _ = std::fs::remove_dir_all(sandbox.path().join("cache"));
            compiling.push(start(sandbox.path()).await.1);
            cached.push(start(sandbox.path()).await.1);
        }
        let (bot, _) = start(sandbox.path()).await;
        let owner = bot.plugins().command_owner(plugin.command).unwrap().clone();
        let message = bot.message(Platform::Console, "bench", "bench", "bench", "x");
        let invocation =
            Invocation { name: plugin.command.to_owned(), args: plugin.args.to_owned(), message };
        let calls = sample(20, 300, async || {
            owner.run_command(&invocation).await.unwrap();
        })
        .await;
        println!(
            "| {} ({}) | {:.1} MB | {} | {} | {} | {} |",
            plugin.name,
            plugin.language,
            size as f64 / 1e6,
            millis(Summary::of(compiling).median),
            millis(Summary::of(cached).median),
            micros(calls.median),
            micros(calls.p99),
        );
    }
}
