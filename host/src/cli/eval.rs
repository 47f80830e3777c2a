//! `dcmaid eval persona | memory`: the persona's Big Five as a judge model measures them,
//! and the memory plugin's retrieval on a dataset.

use std::path::Path;

use anyhow::Context;
use dcmaid_host::capabilities::llm::{LlmConfig, OpenAiClient};
use dcmaid_host::eval::dataset::Dataset;
use dcmaid_host::eval::retrieval::evaluate;
use dcmaid_host::{Bot, Config};

pub async fn eval_persona(config: Config, judge: LlmConfig, json: bool) -> anyhow::Result<()> {
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

pub async fn memory(
    config: Config,
    dataset: &Path,
    haystack: usize,
    json: bool,
) -> anyhow::Result<()> {
    let dataset = Dataset::load(dataset)?;
    let report = evaluate(&config, &dataset, haystack).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    Ok(())
}
