//! What a plugin call costs, measured against the same logic run natively in the same run.
//!
//!     scripts/build-plugins.sh --no-install && cargo bench -p dcmaid-host --bench call_overhead
//!
//! Prints a Markdown table (the figures of BENCHMARKS.md): per-call cost of instantiating a
//! plugin from its pre-linked `InstancePre` and calling a trivial export, its parts, the
//! native baseline, and the cold start of `dcmaid chat` with the compile cache cold and warm.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use common::{Summary, install, micros, millis, sample};

use dcmaid_host::wit::{Invocation, Platform, PluginError, Reply};
use dcmaid_host::{Bot, Config};

/// The misbehave plugin's `/ok` branch, written natively: the baseline.
#[inline(never)]
fn native_run(invocation: &Invocation) -> Result<Reply, PluginError> {
    match invocation.name.as_str() {
        "trap" | "spin" | "hog" | "kv" | "set" => unreachable!("not benchmarked"),
        _ => Ok(Reply { text: "ok".to_owned() }),
    }
}

fn cold_start(data_dir: &Path, clear_cache: bool, runs: usize) -> Summary {
    let binary = env!("CARGO_BIN_EXE_dcmaid");
    let config = data_dir.join("dcmaid.toml");
    std::fs::write(&config, format!("data_dir = \"{}\"\n", data_dir.display())).unwrap();
    let mut samples = Vec::new();
    for _ in 0..runs {
        if clear_cache {
            let _ = std::fs::remove_dir_all(data_dir.join("cache"));
        }
        let started = Instant::now();
        let mut child = Command::new(binary)
            .args(["--config", config.to_str().unwrap(), "chat", "--user", "bench"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(b"/ok\n").unwrap();
        let output = child.wait_with_output().unwrap();
        samples.push(started.elapsed());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "ok", "{stderr}");
    }
    Summary::of(samples)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let sandbox = tempfile::tempdir().unwrap();
    let data_dir = sandbox.path();
    install(&data_dir.join("plugins"), "misbehave", "tool");
    install(&data_dir.join("plugins"), "hello", "persona");
    install_old(&data_dir.join("plugins"));
    let config = Config {
        data_dir: data_dir.to_owned(),
        rate_limit: common::unlimited(),
        ..Config::default()
    };
    let bot = Bot::start(config).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    let plugin = bot.plugins().command_owner("ok").unwrap().clone();
    let message = bot.message(Platform::Console, "bench", "bench", "bench", "/ok");
    let invocation =
        Invocation { name: "ok".into(), args: String::new(), message: message.clone() };

    let (warmup, iterations) = (500, 5_000);
    let native = sample(warmup, iterations * 10, async || {
        std::hint::black_box(native_run(std::hint::black_box(&invocation)).unwrap());
    })
    .await;
    let instantiate = sample(warmup, iterations, async || {
        plugin.instantiate_only().await.unwrap();
    })
    .await;
    let call = sample(warmup, iterations, async || {
        std::hint::black_box(plugin.run_command(&invocation).await.unwrap());
    })
    .await;
    let old = bot.plugins().command_owner("v01-kv").unwrap().clone();
    let old_invocation = Invocation { name: "v01-none".into(), ..invocation.clone() };
    let old_call = sample(warmup, iterations, async || {
        std::hint::black_box(old.run_command(&old_invocation).await.unwrap());
    })
    .await;
    let pipeline = sample(warmup, iterations, async || {
        std::hint::black_box(bot.handle(message.clone()).await);
    })
    .await;
    let greeting = bot.message(Platform::Console, "bench", "bench", "bench", "hello");
    let persona = sample(50, 1_000, async || {
        std::hint::black_box(bot.handle(greeting.clone()).await);
    })
    .await;
    drop(bot);

    // The processes get a data dir of their own: this one's database is still closing.
    let process_dir = tempfile::tempdir().unwrap();
    install(&process_dir.path().join("plugins"), "misbehave", "tool");
    install(&process_dir.path().join("plugins"), "hello", "persona");
    let cold = cold_start(process_dir.path(), true, 5);
    let warm = cold_start(process_dir.path(), false, 10);

    let ratio = call.median.as_secs_f64() / native.median.as_secs_f64();
    println!("| measurement | median | p99 |");
    println!("| --- | --- | --- |");
    println!(
        "| native `/ok` logic (baseline) | {} | {} |",
        micros(native.median),
        micros(native.p99)
    );
    println!(
        "| instantiate from `InstancePre` only | {} | {} |",
        micros(instantiate.median),
        micros(instantiate.p99)
    );
    println!(
        "| instantiate + call `commands.run` (`/ok`) | {} | {} |",
        micros(call.median),
        micros(call.p99)
    );
    println!(
        "| the same on a `dcmaid:bot@0.1.0` plugin (arguments and answer converted) | {} | {} |",
        micros(old_call.median),
        micros(old_call.p99)
    );
    println!(
        "| whole pipeline, `/ok` command | {} | {} |",
        micros(pipeline.median),
        micros(pipeline.p99)
    );
    println!(
        "| whole pipeline, hello persona (2 kv ops on SurrealKV) | {} | {} |",
        micros(persona.median),
        micros(persona.p99)
    );
    println!(
        "| `dcmaid chat` cold start, compile cache cold | {} | {} |",
        millis(cold.median),
        millis(cold.p99)
    );
    println!(
        "| `dcmaid chat` cold start, compile cache warm | {} | {} |",
        millis(warm.median),
        millis(warm.p99)
    );
    println!();
    println!("instantiate + call / native: {ratio:.0}x");
    println!(
        "cold start, cache cold / warm: {:.2}x",
        cold.median.as_secs_f64() / warm.median.as_secs_f64()
    );
}

/// The committed `dcmaid:bot@0.1.0` fixture, as the tool plugin `old`.
fn install_old(plugins: &Path) {
    let folder = plugins.join("old");
    std::fs::create_dir_all(&folder).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/wit-0.1.0.wasm");
    std::fs::copy(fixture, folder.join("old.wasm")).unwrap();
    let manifest = "name = \"old\"\nversion = \"1.0.0\"\nwit = \"0.1.0\"\nrole = \"tool\"\ncomponent = \"old.wasm\"\n";
    std::fs::write(folder.join("plugin.toml"), manifest).unwrap();
}
