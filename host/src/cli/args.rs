//! The `dcmaid` command line: its subcommands and their arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// A chat bot whose behaviours are WebAssembly plugins.
#[derive(Parser)]
#[command(version, about)]
pub struct Cli {
    /// The configuration file. Default: `dcmaid.toml` in the current directory if there is
    /// one, else built-in defaults.
    #[arg(long, short, global = true, env = "DCMAID_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    /// Check that this set-up is ready to run the bot: one line per check, with what to do.
    Doctor,
    /// Evaluate the bot.
    Eval {
        #[command(subcommand)]
        command: EvalCommand,
    },
}

/// Each command talks to the running bot's admin API when one answers on `[server] bind`
/// (with the token from `[server] admin_token_env`), else works on the store directly.
#[derive(Subcommand)]
pub enum JobsCommand {
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
pub enum EvalCommand {
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
pub enum PluginCommand {
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
        #[command(flatten)]
        allow: InstallFlags,
    },
    /// Show what a plugin in a registry asks for (capabilities, hosts) against what the
    /// config grants, and whether its signature and WIT version pass, without installing it.
    #[command(alias = "info")]
    Review {
        /// host/repository:tag, host/repository@REQ, or host/repository (the newest).
        reference: String,
        /// Review it as the install these flags would allow.
        #[command(flatten)]
        allow: InstallFlags,
    },
    /// Install the newest version of plugin NAME from where it was installed from.
    Upgrade {
        name: String,
        /// Install even if it asks for capabilities the config does not grant.
        #[arg(long)]
        without_ungranted: bool,
        /// Install it without a trusted publisher's signature: you vouch for it.
        #[arg(long)]
        allow_unsigned: bool,
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

/// What the operator allows one install beyond the usual.
#[derive(clap::Args)]
pub struct InstallFlags {
    /// Install even if it asks for capabilities the config does not grant (those calls
    /// then fail).
    #[arg(long)]
    pub without_ungranted: bool,
    /// Install even if it is older than the version installed.
    #[arg(long)]
    pub downgrade: bool,
    /// Install it in place of another publisher's plugin of the same name (whose data stays
    /// its own, out of the new plugin's reach).
    #[arg(long)]
    pub replace: bool,
    /// Install it without a trusted publisher's signature: you vouch for it (recorded by
    /// its content digest).
    #[arg(long)]
    pub allow_unsigned: bool,
}
