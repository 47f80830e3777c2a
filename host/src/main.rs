//! The `dcmaid` command.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use dcmaid_host::adapters::console::{self, Mode};
use dcmaid_host::adapters::discord::Discord;
use dcmaid_host::adapters::telegram::Telegram;
use dcmaid_host::api::jobs::NewJob;
use dcmaid_host::config::LlmConfig;
use dcmaid_host::cron::operator::Operator;
use dcmaid_host::cron::{Claims, JobView};
use dcmaid_host::llm::OpenAiClient;
use dcmaid_host::{Bot, Config};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// A chat bot whose behaviours are WebAssembly plugins.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// The configuration file. Default: `dcmaid.toml` in the current directory if there is
    /// one, else built-in defaults.
    #[arg(long, short, global = true, env = "DCMAID_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot and its HTTP API.
    Serve,
    /// Talk to the bot in the terminal (or pipe lines in: one reply line per input line).
    Chat {
        /// Who you are in the conversation.
        #[arg(long, short, env = "USER", default_value = "you")]
        user: String,
    },
    /// Manage plugins.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Scheduled jobs (`[cron] schedules_file`).
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Import a backup folder (as `backup_database` writes them) into the plugins' databases.
    Restore {
        /// A folder under `<data_dir>/backups`.
        folder: PathBuf,
    },
    /// Evaluate the bot.
    Eval {
        #[command(subcommand)]
        command: EvalCommand,
    },
}

/// Each command talks to the running bot's admin API when one answers on `[server] bind`
/// (with the token from `[server] admin_token_env`), else works on the store directly.
#[derive(Subcommand)]
enum JobsCommand {
    /// Every job: its schedule, command, source, next run and last run.
    List,
    /// Add a job that runs one of the built-in commands.
    Add {
        /// The job's name: a-z, 0-9, `_` and `-`.
        name: String,
        /// A cron expression: five fields, or six with seconds first; `L`, `W`, `#`, `@daily`.
        #[arg(long)]
        cron: String,
        /// `backup_database` or `generate_analytics_report`.
        #[arg(long)]
        command: String,
        /// An IANA time zone, e.g. `Europe/Berlin`; default UTC.
        #[arg(long)]
        timezone: Option<String>,
        /// Add it disabled.
        #[arg(long)]
        disabled: bool,
        /// How late a fire may still run, in seconds.
        #[arg(long)]
        misfire_grace_secs: Option<u64>,
        /// Run missed fires once rather than once each.
        #[arg(long)]
        coalesce: bool,
        /// Runs at the same time at most.
        #[arg(long)]
        max_instances: Option<usize>,
    },
    /// Remove a job added through the API or CLI, or a plugin's job.
    Remove { name: String },
    /// Enable a job.
    Enable { name: String },
    /// Disable a job; it stays, and fires again when enabled.
    Disable { name: String },
    /// Run a job now, once.
    Run {
        /// The job's name.
        name: String,
    },
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Interview the persona with the 44 Big Five Inventory statements, have a judge model
    /// rate its answers, and compare the measured traits with the configured ones.
    Persona {
        /// The judge: an OpenAI-compatible API's base URL, e.g. `https://api.openai.com/v1`.
        #[arg(long)]
        judge: String,
        /// The judge's model.
        #[arg(long, default_value = "gpt-4o-mini")]
        judge_model: String,
        /// The environment variable that holds the judge's API key.
        #[arg(long, default_value = "DCMAID_JUDGE_API_KEY")]
        judge_key_env: String,
        /// Print the report as JSON, every answer and rating included.
        #[arg(long)]
        json: bool,
    },
    /// Measure the memory plugin's retrieval: remember a dataset's conversations, ask its
    /// questions, and report recall@5 and MRR for vector, keyword, hybrid and hybrid with
    /// relations.
    Memory {
        /// The dataset (see tests/data/memory-eval/README.md).
        #[arg(long, default_value = "tests/data/memory-eval/dataset.json")]
        dataset: PathBuf,
        /// Also store this many of the other users' turns as each user's memories, as a long
        /// history would hold (see `host/src/eval/haystack.rs`).
        #[arg(long, default_value_t = 0)]
        haystack: usize,
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum PluginCommand {
    /// List the installed plugins, what they own and what they were granted.
    List,
    /// Load a plugin anew from its folder in the plugins directory and swap it into the
    /// running bot (through its admin API); the old version keeps serving if the new fails.
    Reload { name: String },
    /// Put back the version a plugin's last swap replaced, in the running bot.
    Rollback { name: String },
    /// Stop serving a plugin in the running bot, and after restarts too; its files stay.
    Disable { name: String },
    /// Serve a disabled plugin again, loaded anew, in the running bot.
    Enable { name: String },
    /// Make a publisher's ed25519 key pair: the secret key goes to FILE, the public key is
    /// printed for operators' `[trust] publishers`.
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Push the plugin in FOLDER to an OCI registry as REFERENCE (host/repository:tag),
    /// with the publish token from $DCMAID_REGISTRY_TOKEN.
    Publish {
        folder: PathBuf,
        reference: String,
        #[arg(long, default_value = "DCMAID_REGISTRY_TOKEN")]
        token_env: String,
    },
    /// Install a plugin from an OCI registry: REFERENCE is host/repository:tag, or
    /// host/repository with --version (a semver requirement; default: the newest). Shows
    /// what it asks for; the running bot swaps it in.
    Install {
        /// host/repository:tag, host/repository@REQ (e.g. `@^0.2`), or host/repository.
        reference: String,
        #[arg(long)]
        version: Option<String>,
        /// Install even if it asks for capabilities the config does not grant (those calls
        /// then fail).
        #[arg(long)]
        without_ungranted: bool,
    },
    /// Show what a plugin in a registry asks for (capabilities, hosts) against what the
    /// config grants, and whether its signature and WIT version pass, without installing it.
    #[command(alias = "info")]
    Review {
        /// host/repository:tag, host/repository@REQ, or host/repository (the newest).
        reference: String,
    },
    /// Install the newest version of plugin NAME from where it was installed from.
    Upgrade {
        name: String,
        #[arg(long)]
        without_ungranted: bool,
    },
    /// Remove plugin NAME from the plugins directory (a running bot keeps it until restart).
    Remove { name: String },
    /// Sign the plugin in FOLDER (its plugin.toml and component) as PUBLISHER, writing
    /// FOLDER/plugin.sig: the folder is then a package `publish` pushes.
    #[command(alias = "package")]
    Sign {
        folder: PathBuf,
        /// The secret key file `dcmaid plugin keygen` wrote.
        #[arg(long)]
        key: PathBuf,
        #[arg(long)]
        publisher: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // `chat` keeps the terminal for the conversation: only warnings unless RUST_LOG says.
    let default_level = match cli.command {
        Command::Chat { .. } | Command::Eval { .. } | Command::Jobs { .. } => "warn",
        _ => "info",
    };
    // Stderr for the operator, and the admin API's log tail, both behind the same filter.
    tracing_subscriber::registry()
        .with(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level)))
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(dcmaid_host::logtail::layer())
        .init();

    let config = load_config(cli.config.as_deref())?;
    match cli.command {
        Command::Serve => serve(config).await,
        Command::Chat { user } => chat(config, &user).await,
        Command::Plugin { command: PluginCommand::List } => list_plugins(config).await,
        Command::Plugin { command: PluginCommand::Reload { name } } => {
            swap(config, &name, "reload").await
        }
        Command::Plugin { command: PluginCommand::Rollback { name } } => {
            swap(config, &name, "rollback").await
        }
        Command::Plugin { command: PluginCommand::Disable { name } } => {
            swap(config, &name, "disable").await
        }
        Command::Plugin { command: PluginCommand::Enable { name } } => {
            swap(config, &name, "enable").await
        }
        Command::Plugin { command: PluginCommand::Keygen { out } } => keygen(&out),
        Command::Plugin { command: PluginCommand::Publish { folder, reference, token_env } } => {
            publish(&folder, &reference, &token_env).await
        }
        Command::Plugin {
            command: PluginCommand::Install { reference, version, without_ungranted },
        } => install(config, &reference, version.as_deref(), without_ungranted).await,
        Command::Plugin { command: PluginCommand::Review { reference } } => {
            review(&config, &reference).await
        }
        Command::Plugin { command: PluginCommand::Upgrade { name, without_ungranted } } => {
            upgrade(config, &name, without_ungranted).await
        }
        Command::Plugin { command: PluginCommand::Remove { name } } => remove(&config, &name),
        Command::Plugin { command: PluginCommand::Sign { folder, key, publisher } } => {
            sign(&folder, &key, &publisher)
        }
        Command::Jobs { command } => jobs(config, command).await,
        Command::Restore { folder } => restore(config, &folder).await,
        Command::Eval {
            command: EvalCommand::Persona { judge, judge_model, judge_key_env, json },
        } => {
            let judge = LlmConfig {
                base_url: Some(judge),
                model: judge_model,
                api_key_env: judge_key_env,
                ..config.llm.clone()
            };
            eval_persona(config, judge, json).await
        }
        Command::Eval { command: EvalCommand::Memory { dataset, haystack, json } } => {
            let dataset = dcmaid_host::eval::memory::Dataset::load(&dataset)?;
            let report = dcmaid_host::eval::memory::memory(&config, &dataset, haystack).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{report}");
            }
            Ok(())
        }
    }
}

fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    match path {
        Some(path) => Ok(Config::load(path)?),
        None if Path::new("dcmaid.toml").is_file() => Ok(Config::load(Path::new("dcmaid.toml"))?),
        None => Ok(Config::default()),
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let bind = config.server.bind;
    let telegram_config = config.telegram.clone();
    let discord_config = config.discord.clone();
    // A bad job stops the start, before anything runs.
    let jobs = config.cron_jobs()?;
    let claims = match &config.redis.url {
        Some(url) => Claims::redis(url, &format!("dcmaid-{}", std::process::id())).await?,
        None => Claims::Local,
    };
    let bot = Arc::new(Bot::start(config).await?);
    bot.cron().load_file(&jobs).await?;
    let runner = dcmaid_host::cron::run::runner(&bot);
    let scheduled = bot.cron().start(Arc::new(claims), runner).await?;
    tracing::info!(jobs = scheduled, "cron: scheduling");
    if let Some(url) = &bot.config().redis.url {
        dcmaid_host::swap::follow(&bot, url).await.context("following swaps through Redis")?;
    }
    if bot.config().watch_plugins {
        tracing::info!(dir = %bot.config().plugins_dir().display(), "watching the plugins for changes");
        dcmaid_host::swap::watch(&bot);
    }
    let webhook = match Telegram::from_env(&telegram_config, bot.clone())? {
        Some(telegram) => telegram.start(&telegram_config).await?,
        None => {
            tracing::info!("telegram: off (${} is not set)", telegram_config.token_env);
            None
        }
    };
    let discord = Discord::from_env(&discord_config, bot.clone()).await?;
    if discord.is_none() {
        tracing::info!("discord: off (${} is not set)", discord_config.token_env);
    }
    let listener = poem::listener::TcpListener::bind(bind);
    tracing::info!("serving on http://{bind}");
    let served = poem::Server::new(listener)
        .run_with_graceful_shutdown(
            dcmaid_host::api::routes(bot.clone(), webhook),
            shutdown_signal(),
            Some(Duration::from_secs(10)),
        )
        .await
        .with_context(|| format!("serving HTTP on {bind}"));
    // Replies have finished (or had their 10 s); jobs in progress get theirs.
    bot.cron().shutdown(Duration::from_secs(10)).await;
    if let Some(discord) = discord {
        discord.shutdown().await;
    }
    served
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn chat(config: Config, user: &str) -> anyhow::Result<()> {
    let bot = Bot::start(config).await?;
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let mode = if interactive { Mode::Interactive } else { Mode::Piped };
    let input = tokio::io::BufReader::new(tokio::io::stdin());
    console::chat(&bot, user, mode, input, tokio::io::stdout()).await?;
    Ok(())
}

async fn eval_persona(config: Config, judge: LlmConfig, json: bool) -> anyhow::Result<()> {
    let url = judge.base_url.clone().unwrap_or_default();
    anyhow::ensure!(
        url.starts_with("http://") || url.starts_with("https://"),
        "--judge: expected an http:// or https:// URL, got `{url}`"
    );
    let judge = OpenAiClient::new(&judge).context("setting up the judge's HTTP client")?;
    let bot = Bot::start(config).await?;
    let report = dcmaid_host::eval::persona(&bot, &judge).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    Ok(())
}

async fn jobs(config: Config, command: JobsCommand) -> anyhow::Result<()> {
    let operator = Operator::connect(config).await?;
    match command {
        JobsCommand::List => print_jobs(&operator.list().await?),
        JobsCommand::Add {
            name,
            cron,
            command,
            timezone,
            disabled,
            misfire_grace_secs,
            coalesce,
            max_instances,
        } => {
            let new = NewJob {
                name,
                cron,
                command,
                timezone,
                enabled: Some(!disabled),
                misfire_grace_secs,
                coalesce: Some(coalesce),
                max_instances,
            };
            let added = operator.add(new).await?;
            println!("added job `{}` to {}", added.name, operator.describe());
            print_jobs(&[added]);
        }
        JobsCommand::Remove { name } => {
            operator.remove(&name).await?;
            println!("removed job `{name}` from {}", operator.describe());
        }
        JobsCommand::Enable { name } => {
            print_jobs(&[operator.set_enabled(&name, true).await?]);
        }
        JobsCommand::Disable { name } => {
            print_jobs(&[operator.set_enabled(&name, false).await?]);
        }
        JobsCommand::Run { name } => match operator.run(&name).await? {
            Ok(()) => println!("job `{name}` ran: ok"),
            Err(error) => anyhow::bail!("job `{name}` failed: {error}"),
        },
    }
    Ok(())
}

fn print_jobs(jobs: &[JobView]) {
    let time = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map_or("-".to_owned(), |at| at.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    };
    println!(
        "{:<28} {:<16} {:<28} {:<7} {:<8} {:<21} {:<21} LAST",
        "NAME", "CRON", "COMMAND", "SOURCE", "ENABLED", "NEXT RUN (UTC)", "LAST RUN (UTC)"
    );
    for job in jobs {
        let last = match (&job.last_status, &job.last_error) {
            (Some(status), Some(error)) => format!("{status}: {error}"),
            (Some(status), None) => status.clone(),
            (None, _) => "-".to_owned(),
        };
        let cron = match &job.timezone {
            Some(zone) => format!("{} ({zone})", job.cron),
            None => job.cron.clone(),
        };
        println!(
            "{:<28} {:<16} {:<28} {:<7} {:<8} {:<21} {:<21} {last}",
            job.name,
            cron,
            job.command,
            job.source.to_string(),
            job.enabled,
            time(job.next_run_at),
            time(job.last_run_at),
        );
    }
    if jobs.is_empty() {
        println!(
            "(no jobs: set [cron] schedules_file in dcmaid.toml, or add one with `dcmaid jobs add`)"
        );
    }
}

async fn restore(config: Config, folder: &Path) -> anyhow::Result<()> {
    let bot = Bot::start(config).await?;
    let restored = dcmaid_host::backup::restore(&bot.backends().storage, folder).await?;
    println!("restored {restored} plugin database(s) from {}", folder.display());
    Ok(())
}

/// `dcmaid plugin publish FOLDER REFERENCE`.
async fn publish(folder: &Path, reference: &str, token_env: &str) -> anyhow::Result<()> {
    let package = dcmaid_registry::package::Package::from_folder(folder)?;
    let token = std::env::var(token_env).ok().filter(|t| !t.trim().is_empty());
    let pushed = dcmaid_registry::client::push(&package, reference, token.as_deref()).await?;
    let signed = if package.signature.is_some() { "signed" } else { "unsigned" };
    println!(
        "published {} {} ({signed}) as {reference}: {pushed}",
        package.summary.name, package.summary.version
    );
    Ok(())
}

/// `dcmaid plugin install REFERENCE [--version REQ]`.
/// `reference` with a tag: `host/repository@REQ` or `--version REQ` resolved to the newest
/// matching version, a bare `host/repository` to the newest of all.
async fn resolved(reference: &str, version: Option<&str>) -> anyhow::Result<String> {
    // `host/repository@^0.2`: a version requirement, not a digest.
    let (reference, version) = match reference.split_once('@') {
        Some((repository, requirement)) if !requirement.starts_with("sha256:") => {
            (repository, Some(requirement))
        }
        _ => (reference, version),
    };
    Ok(match version {
        Some(requirement) => dcmaid_host::install::resolve(reference, requirement).await?,
        None if !reference.rsplit('/').next().unwrap_or(reference).contains(':') => {
            dcmaid_host::install::resolve(reference, "*").await?
        }
        None => reference.to_owned(),
    })
}

async fn review(config: &Config, reference: &str) -> anyhow::Result<()> {
    let reference = resolved(reference, None).await?;
    let review = dcmaid_host::install::review(config, &reference).await?;
    println!("{} {} ({reference})", review.name, review.version);
    println!("  {}", review.description);
    println!("  publisher: {}", review.publisher.as_deref().unwrap_or("(none)"));
    for capability in &review.capabilities {
        let state = if capability.granted { "granted by the config" } else { "NOT granted" };
        println!("  capability {}: {state}", capability.name);
    }
    if review.capabilities.is_empty() {
        println!("  capabilities: (none)");
    }
    println!("  hosts it asks to reach: {}", list_or_none(&review.http_hosts));
    match &review.refused {
        None => println!("  this host would load it"),
        Some(why) => println!("  this host would refuse it: {why}"),
    }
    Ok(())
}

async fn install(
    config: Config,
    reference: &str,
    version: Option<&str>,
    without_ungranted: bool,
) -> anyhow::Result<()> {
    let reference = resolved(reference, version).await?;
    let installed = dcmaid_host::install::install(&config, &reference, without_ungranted).await?;
    match &installed.replaced {
        Some(old) => println!(
            "installed {} {} (was {old}) from {reference}",
            installed.name, installed.version
        ),
        None => println!("installed {} {} from {reference}", installed.name, installed.version),
    }
    println!("  granted: {}", list_or_none(&installed.granted));
    if !installed.not_granted.is_empty() {
        println!(
            "  requested but not granted (grant in [plugins.{}] grant or default_grants): {}",
            installed.name,
            installed.not_granted.join(", ")
        );
    }
    println!("  hosts it asks to reach: {}", list_or_none(&installed.http_hosts));
    // A running bot swaps it in; without one, the next start loads it.
    if let Err(error) = swap(config, &installed.name, "reload").await {
        println!("  not swapped into a running bot: {error:#}");
    }
    Ok(())
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() { "none".to_owned() } else { items.join(", ") }
}

/// `dcmaid plugin upgrade NAME`.
async fn upgrade(config: Config, name: &str, without_ungranted: bool) -> anyhow::Result<()> {
    let origin = dcmaid_host::install::origin(&config, name)
        .with_context(|| format!("`{name}` was not installed from a registry"))?;
    let repository = origin.rsplit_once(':').map_or(origin.as_str(), |(repository, _)| repository);
    install(config, repository, Some("*"), without_ungranted).await
}

/// `dcmaid plugin remove NAME`.
fn remove(config: &Config, name: &str) -> anyhow::Result<()> {
    dcmaid_host::plugin::PluginName::new(name).map_err(anyhow::Error::msg)?;
    let folder = config.plugins_dir().join(name);
    anyhow::ensure!(folder.is_dir(), "no plugin `{name}` in {}", config.plugins_dir().display());
    std::fs::remove_dir_all(&folder).with_context(|| format!("removing {}", folder.display()))?;
    println!("removed {name}; a running bot keeps serving it until it restarts");
    Ok(())
}

/// `dcmaid plugin keygen --out FILE`.
fn keygen(out: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(!out.exists(), "{} exists; not overwriting a key", out.display());
    let (secret, public) = dcmaid_host::trust::keygen()?;
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    let mut file = file.open(out).with_context(|| format!("writing {}", out.display()))?;
    std::io::Write::write_all(&mut file, format!("{}\n", secret.to_hex()).as_bytes())?;
    println!("secret key written to {} (keep it private)", out.display());
    println!("public key: {public}");
    println!("operators trust it with:\n[trust.publishers]\nyour-name = \"{public}\"");
    Ok(())
}

/// `dcmaid plugin sign FOLDER --key FILE --publisher NAME`.
fn sign(folder: &Path, key: &Path, publisher: &str) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(key).with_context(|| format!("reading {}", key.display()))?;
    let secret = dcmaid_host::trust::SecretKey::parse(&text)
        .map_err(|why| anyhow::anyhow!("{}: {why}", key.display()))?;
    let signature = dcmaid_host::trust::sign(folder, &secret, publisher)?;
    println!("signed {} as {publisher}: {}", folder.display(), signature.digest);
    Ok(())
}

/// `dcmaid plugin reload|rollback NAME`: a swap in the running bot, through its admin API.
async fn swap(config: Config, name: &str, action: &str) -> anyhow::Result<()> {
    let mut address = config.server.bind;
    if address.ip().is_unspecified() {
        address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let url = format!("http://{address}/api/v1/plugins/{name}/{action}");
    let mut request = reqwest::Client::new().post(&url).timeout(Duration::from_secs(120));
    if let Some(token) = config.server.admin_token() {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.with_context(|| {
        format!(
            "no dcmaid answers on http://{address}; a swap needs the running bot (`dcmaid \
             serve`), and a bot that starts loads the plugins' files as they are"
        )
    })?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if !status.is_success() {
        let error = body.get("error").and_then(|e| e.as_str()).unwrap_or("no details");
        anyhow::bail!("{action} of `{name}` refused ({status}): {error}");
    }
    let from = body.get("from").and_then(|v| v.as_str()).unwrap_or("(new)");
    let to = body.get("to").and_then(|v| v.as_str()).unwrap_or("(disabled)");
    let took = body.get("took").and_then(|v| v.as_u64()).unwrap_or(0);
    println!("{name}: {from} -> {to} in {took} ms");
    Ok(())
}

async fn list_plugins(config: Config) -> anyhow::Result<()> {
    let bot = Bot::start(config).await?;
    let plugins = bot.plugins();
    println!("{:<16} {:<10} {:<9} {:<24} GRANTED", "NAME", "VERSION", "ROLE", "COMMANDS");
    for plugin in plugins.loaded() {
        let manifest = plugin.manifest();
        let commands: Vec<String> =
            plugin.commands().iter().map(|spec| format!("/{}", spec.name)).collect();
        let grants: Vec<String> = plugin.grants().iter().map(ToString::to_string).collect();
        println!(
            "{:<16} {:<10} {:<9} {:<24} {}",
            manifest.name.as_str(),
            manifest.version.to_string(),
            manifest.role.to_string(),
            commands.join(" "),
            grants.join(",")
        );
    }
    for failed in plugins.failed() {
        println!("FAILED {}: {}", failed.manifest.display(), failed.error);
    }
    if plugins.loaded().next().is_none() && plugins.failed().is_empty() {
        println!("(no plugins in {})", bot.config().plugins_dir().display());
    }
    Ok(())
}
