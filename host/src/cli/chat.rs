//! `dcmaid chat`: the bot in the terminal, or behind a pipe (one reply line per line).

use std::io::IsTerminal;

use dcmaid_host::adapters::console::{self, Mode};
use dcmaid_host::{Bot, Config};

pub async fn chat(config: Config, user: &str) -> anyhow::Result<()> {
    let bot = Bot::start(config).await?;
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let mode = if interactive { Mode::Interactive } else { Mode::Piped };
    let input = tokio::io::BufReader::new(tokio::io::stdin());
    console::chat(&bot, user, mode, input, tokio::io::stdout()).await?;
    bot.finish_observers(std::time::Duration::from_secs(10)).await;
    Ok(())
}
