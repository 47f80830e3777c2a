//! `dcmaid plugin list`, and the swaps in the running bot: `reload`, `rollback`,
//! `disable`, `enable`.

use std::time::Duration;

use anyhow::Context;
use dcmaid_host::Config;
use dcmaid_host::bot::SwapAction;
use dcmaid_host::budget::{BudgetReport, UsageView};

use super::operator::Operator;

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

/// `dcmaid plugin list`: what each plugin is and owns, and what it uses of its budgets (in
/// the running bot, when one answers; else in a bot started for the command).
pub async fn list_plugins(config: Config) -> anyhow::Result<()> {
    let plugins_dir = config.plugins_dir();
    let operator = Operator::connect(config).await?;
    let table = operator.plugins().await?;
    println!(
        "{:<16} {:<10} {:<9} {:<6} {:<24} GRANTED",
        "NAME", "VERSION", "ROLE", "WIT", "COMMANDS"
    );
    for plugin in &table.loaded {
        let commands: Vec<String> = plugin.commands.iter().map(|name| format!("/{name}")).collect();
        println!(
            "{:<16} {:<10} {:<9} {:<6} {:<24} {}",
            plugin.name,
            plugin.version,
            plugin.role,
            plugin.wit,
            commands.join(" "),
            plugin.granted.join(",")
        );
    }
    for failed in &table.failed {
        println!("FAILED {}: {}", failed.manifest, failed.error);
    }
    for conflict in &table.conflicts {
        let how = match conflict.by_config {
            true => "as the config says",
            false => "trusted first, then by name; choose in dcmaid.toml [routes]",
        };
        let claimants = conflict.claimants.join(", ");
        println!(
            "CONFLICT {}: claimed by {claimants}; {} has it ({how})",
            conflict.claim, conflict.chosen
        );
    }
    if table.loaded.is_empty() && table.failed.is_empty() {
        println!("(no plugins in {})", plugins_dir.display());
        return Ok(());
    }
    println!("\nIDENTITIES (whose data each reaches)");
    for plugin in &table.loaded {
        println!("{:<16} {}", plugin.name, plugin.identity);
    }
    println!("\nBUDGETS (used of allowed; {})", operator.describe());
    for plugin in &table.loaded {
        println!("{:<16} {}", plugin.name, budget_line(&plugin.budget));
    }
    Ok(())
}

/// One plugin's budgets on a line: CPU, memory, kv, store, the model, and the limits hit.
fn budget_line(budget: &BudgetReport) -> String {
    let mib = |bytes: u64| format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20));
    let stored = |usage: &Option<UsageView>, items: &str| match usage {
        Some(usage) => format!(
            "{} of {} {items}, {} of {}",
            usage.items,
            usage.max_items,
            mib(usage.bytes),
            mib(usage.max_bytes)
        ),
        None => "-".to_owned(),
    };
    let llm = &budget.llm;
    let hits: Vec<String> =
        budget.limit_hits.iter().map(|(limit, n)| format!("{limit} x{n}")).collect();
    format!(
        "cpu {:.1} of {} s/min; memory {} of {}; kv {}; store {}; llm {} of {} requests/min, {} of {} \
         tokens/day; log lines dropped {}; limits hit: {}",
        budget.cpu_seconds_last_minute,
        budget.cpu_seconds_per_minute,
        mib(budget.memory_bytes),
        mib(budget.memory_max_bytes),
        stored(&budget.kv, "keys"),
        stored(&budget.store, "documents"),
        llm.requests_last_minute,
        llm.requests_per_minute,
        llm.tokens_last_day,
        llm.tokens_per_day,
        budget.log_lines_dropped,
        if hits.is_empty() { "none".to_owned() } else { hits.join(", ") }
    )
}
