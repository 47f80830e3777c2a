//! `github`: a repository (`GET /repos/{owner}/{name}`) or an issue search
//! (`GET /search/issues?q=…`) on the GitHub REST API.

use dcmaid_sdk::{PluginError, config};
use serde_json::{Value, json};

/// Issues listed from a search.
const ISSUES: usize = 5;

pub fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "repository": { "type": "string", "description": "owner/name, to describe a repository" },
            "issues": { "type": "string", "description": "a GitHub issue search, e.g. `repo:rust-lang/rust is:open label:bug`" },
        },
    })
}

/// `/github OWNER/NAME` or `/github issues QUERY`.
pub fn from_command(text: &str) -> Value {
    match text.strip_prefix("issues ") {
        Some(search) => json!({ "issues": search.trim() }),
        None => json!({ "repository": text }),
    }
}

pub fn run(arguments: &Value) -> Result<String, PluginError> {
    if arguments.get("issues").is_some() {
        return issues(crate::argument(arguments, "issues")?);
    }
    repository(crate::argument(arguments, "repository")?)
}

fn get(path: &str) -> Result<Value, PluginError> {
    let url = crate::endpoint("github_url", path)?;
    let token = config::get("github_token").filter(|token| !token.is_empty());
    let authorization = token.map(|token| format!("Bearer {token}"));
    let mut headers = vec![
        // GitHub refuses requests without a User-Agent.
        ("user-agent", "dcmaid-tools"),
        ("accept", "application/vnd.github+json"),
        ("x-github-api-version", "2022-11-28"),
    ];
    if let Some(authorization) = &authorization {
        headers.push(("authorization", authorization));
    }
    crate::get_json(&url, &headers, "GitHub")
}

fn repository(name: &str) -> Result<String, PluginError> {
    let valid = |part: &str| {
        !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    let (owner, repo) = name
        .split_once('/')
        .filter(|(owner, repo)| valid(owner) && valid(repo))
        .ok_or_else(|| PluginError::InvalidInput(format!("`{name}` is not OWNER/NAME")))?;
    let found = get(&format!("/repos/{owner}/{repo}"))?;
    let field = |key: &str| found.get(key).cloned().unwrap_or(Value::Null);
    let count = |key: &str| field(key).as_u64().unwrap_or(0);
    let text = |key: &str| field(key).as_str().map(str::to_owned);
    let mut lines = vec![format!(
        "{} ★ {} · forks {} · open issues {}",
        text("full_name").unwrap_or_else(|| name.to_owned()),
        count("stargazers_count"),
        count("forks_count"),
        count("open_issues_count"),
    )];
    lines.extend(text("description"));
    if let Some(language) = text("language") {
        lines.push(format!("Language: {language}"));
    }
    lines.extend(text("html_url"));
    Ok(lines.join("\n"))
}

fn issues(search: &str) -> Result<String, PluginError> {
    let path = format!("/search/issues?{}", crate::query(&[("q", search), ("per_page", "5")]));
    let found = get(&path)?;
    let total = found.get("total_count").and_then(Value::as_u64).unwrap_or(0);
    let items = found.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
    if items.is_empty() {
        return Ok(format!("No issues match \"{search}\"."));
    }
    let mut lines = vec![format!("{total} issues match \"{search}\":")];
    for item in items.iter().take(ISSUES) {
        let text = |key: &str| item.get(key).and_then(Value::as_str).unwrap_or_default();
        let number = item.get("number").and_then(Value::as_u64).unwrap_or(0);
        lines.push(format!(
            "- #{number} [{}] {} {}",
            text("state"),
            text("title"),
            text("html_url")
        ));
    }
    Ok(lines.join("\n"))
}
