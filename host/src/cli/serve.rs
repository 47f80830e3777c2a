//! `dcmaid serve`: the bot with its HTTP API, Discord and Telegram when their tokens are
//! set, the scheduled jobs, and (with Redis) the other replicas' swaps.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use dcmaid_host::adapters::discord::Discord;
use dcmaid_host::adapters::telegram::Telegram;
use dcmaid_host::bot::swap;
use dcmaid_host::cron::Claims;
use dcmaid_host::{Bot, Config};

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let bind = config.server.bind;
    let telegram_config = config.telegram.clone();
    let discord_config = config.discord.clone();
    // A bad job stops the start, before anything runs.
    let jobs = config.cron.jobs()?;
    let claims = match config.redis.target() {
        Some(target) => Claims::redis(&target, &format!("dcmaid-{}", std::process::id())).await?,
        None => Claims::Local,
    };
    let bot = Arc::new(Bot::start(config).await?);
    bot.cron().load_file(&jobs).await?;
    let runner = bot.job_runner();
    let scheduled = bot.cron().start(Arc::new(claims), runner).await?;
    tracing::info!(jobs = scheduled, "cron: scheduling");
    if let Some(target) = bot.config().redis.target() {
        swap::follow(bot.swaps(), &target).await.context("following swaps through Redis")?;
    }
    if bot.config().watch_plugins {
        tracing::info!(dir = %bot.config().plugins_dir().display(), "watching the plugins for changes");
        swap::watch(bot.swaps());
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
    bot.finish_observers(Duration::from_secs(10)).await;
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
