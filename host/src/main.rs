//! The `dcmaid` command: parse the command line, set up logging, load the configuration,
//! and hand the subcommand to its module in [`cli`].

mod cli;

use std::path::Path;

use clap::Parser;
use dcmaid_host::Config;
use dcmaid_host::bot::SwapAction;
use dcmaid_host::capabilities::llm::LlmConfig;
use dcmaid_host::install::Allow;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use cli::args::{Cli, Command, EvalCommand, InstallFlags, PluginCommand};
use cli::{chat, doctor, eval, jobs, plugins, registry, restore, serve};

fn main() -> anyhow::Result<()> {
    quiet_error_backtraces();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}

/// Errors are ordinary values here (a plugin's refusal, a store that is away, a denied
/// URL), and with `RUST_BACKTRACE=1`, which operators set to see where a panic happened,
/// `anyhow` and `std` would also walk the stack for every error made: that cost a
/// conversation with memory 26% of its throughput (BENCHMARKS.md, issue 29). Panics keep
/// their backtraces; `RUST_LIB_BACKTRACE=1` brings the errors' back for debugging.
fn quiet_error_backtraces() {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: no other thread exists yet (the runtime starts after this), so nothing
        // reads the environment while it changes.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // `chat` keeps the terminal for the conversation: only warnings unless RUST_LOG says.
    let default_level = match cli.command {
        Command::Chat { .. } | Command::Eval { .. } | Command::Jobs { .. } | Command::Doctor => {
            "warn"
        }
        _ => "info",
    };
    // Stderr for the operator, and the admin API's log tail, both behind the same filter.
    tracing_subscriber::registry()
        .with(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level)))
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(dcmaid_host::telemetry::logtail::layer())
        .init();

    let config = load_config(cli.config.as_deref())?;
    match cli.command {
        Command::Serve => serve::serve(config).await,
        Command::Chat { user } => chat::chat(config, &user).await,
        Command::Plugin { command } => plugin(config, command).await,
        Command::Jobs { command } => jobs::run(config, command).await,
        Command::Restore { folder } => restore::restore(config, &folder).await,
        Command::Doctor => doctor::doctor(&config).await,
        Command::Eval {
            command: EvalCommand::Persona { judge, judge_model, judge_key_env, json },
        } => {
            let judge = LlmConfig {
                base_url: Some(judge),
                model: judge_model,
                api_key_env: judge_key_env,
                ..config.llm.clone()
            };
            eval::eval_persona(config, judge, json).await
        }
        Command::Eval { command: EvalCommand::Memory { dataset, haystack, json } } => {
            eval::memory(config, &dataset, haystack, json).await
        }
    }
}

async fn plugin(config: Config, command: PluginCommand) -> anyhow::Result<()> {
    match command {
        PluginCommand::List => plugins::list_plugins(config).await,
        PluginCommand::Reload { name } => plugins::swap(&config, &name, SwapAction::Reload).await,
        PluginCommand::Rollback { name } => {
            plugins::swap(&config, &name, SwapAction::Rollback).await
        }
        PluginCommand::Disable { name } => plugins::swap(&config, &name, SwapAction::Disable).await,
        PluginCommand::Enable { name } => plugins::swap(&config, &name, SwapAction::Enable).await,
        PluginCommand::Keygen { out } => registry::keygen(&out),
        PluginCommand::Publish { folder, reference, token_env } => {
            registry::publish(&folder, &reference, &token_env).await
        }
        PluginCommand::Install { reference, version, allow } => {
            registry::install(config, &reference, version.as_deref(), allowed(allow)).await
        }
        PluginCommand::Review { reference, allow } => {
            registry::review(&config, &reference, allowed(allow)).await
        }
        PluginCommand::Upgrade { name, without_ungranted, allow_unsigned } => {
            let allow = Allow {
                ungranted: without_ungranted,
                unsigned: allow_unsigned,
                ..Allow::default()
            };
            registry::upgrade(config, &name, allow).await
        }
        PluginCommand::Remove { name } => registry::remove(&config, &name),
        PluginCommand::Sign { folder, key, publisher } => registry::sign(&folder, &key, &publisher),
    }
}

/// What the operator's flags allow one install.
fn allowed(flags: InstallFlags) -> Allow {
    Allow {
        ungranted: flags.without_ungranted,
        downgrade: flags.downgrade,
        replace: flags.replace,
        unsigned: flags.allow_unsigned,
    }
}

fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    match path {
        Some(path) => Ok(Config::load(path)?),
        None if Path::new("dcmaid.toml").is_file() => Ok(Config::load(Path::new("dcmaid.toml"))?),
        None => Ok(Config::default()),
    }
}
