//! `dcmaid plugin list`, and the swaps in the running bot: `reload`, `rollback`,
//! `disable`, `enable`.

use std::time::Duration;

use anyhow::Context;
use dcmaid_host::bot::SwapAction;
use dcmaid_host::{Bot, Config};

/// `dcmaid plugin reload | rollback | disable | enable NAME`: a swap in the running bot,
/// through its admin API.
pub async fn swap(config: &Config, name: &str, action: SwapAction) -> anyhow::Result<()> {
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

pub async fn list_plugins(config: Config) -> anyhow::Result<()> {
    let bot = Bot::start(config).await?;
    let plugins = bot.plugins();
    println!(
        "{:<16} {:<10} {:<9} {:<6} {:<24} GRANTED",
        "NAME", "VERSION", "ROLE", "WIT", "COMMANDS"
    );
    for plugin in plugins.loaded() {
        let manifest = plugin.manifest();
        let commands: Vec<String> =
            plugin.commands().iter().map(|spec| format!("/{}", spec.name)).collect();
        let grants: Vec<String> = plugin.grants().iter().map(ToString::to_string).collect();
        println!(
            "{:<16} {:<10} {:<9} {:<6} {:<24} {}",
            manifest.name.as_str(),
            manifest.version.to_string(),
            manifest.role.to_string(),
            plugin.wit_version().to_string(),
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
