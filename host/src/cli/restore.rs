//! `dcmaid restore FOLDER`: a backup (as `backup_database` writes them) imported back.

use std::path::Path;

use dcmaid_host::{Bot, Config};

pub async fn restore(config: Config, folder: &Path) -> anyhow::Result<()> {
    let bot = Bot::start(config).await?;
    let restored = dcmaid_host::backup::restore(bot.storage(), folder).await?;
    println!("restored {restored} plugin database(s) from {}", folder.display());
    Ok(())
}
