//! `web_search`: the DuckDuckGo Instant Answer API (`/?q=…&format=json`), which answers
//! with an abstract, a direct answer, a definition or related topics, whichever it has.

use dcmaid_sdk::PluginError;
use serde_json::{Value, json};

/// Related topics given when there is no abstract.
const TOPICS: usize = 3;

pub fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": { "query": { "type": "string", "description": "What to search for" } },
        "required": ["query"],
    })
}

pub fn run(arguments: &Value) -> Result<String, PluginError> {
    let query = crate::argument(arguments, "query")?;
    let path = format!(
        "/?{}",
        crate::query(&[("q", query), ("format", "json"), ("no_html", "1"), ("skip_disambig", "1")])
    );
    let url = crate::endpoint("duckduckgo_url", &path)?;
    let answer = crate::get_json(&url, &[], "DuckDuckGo")?;
    Ok(summarize(query, &answer))
}

fn text<'a>(answer: &'a Value, key: &str) -> Option<&'a str> {
    answer.get(key).and_then(Value::as_str).map(str::trim).filter(|text| !text.is_empty())
}

fn summarize(query: &str, answer: &Value) -> String {
    if let Some(abstract_text) = text(answer, "AbstractText") {
        let heading = text(answer, "Heading").unwrap_or(query);
        let source = match (text(answer, "AbstractSource"), text(answer, "AbstractURL")) {
            (Some(source), Some(url)) => format!("\n({source}: {url})"),
            (None, Some(url)) => format!("\n({url})"),
            _ => String::new(),
        };
        return format!("{heading}: {abstract_text}{source}");
    }
    if let Some(direct) = text(answer, "Answer") {
        return direct.to_owned();
    }
    if let Some(definition) = text(answer, "Definition") {
        return definition.to_owned();
    }
    let topics = related(answer);
    if topics.is_empty() {
        return format!("I found nothing for \"{query}\".");
    }
    let lines: Vec<String> = topics.iter().map(|(text, url)| format!("- {text} ({url})")).collect();
    format!("Related to \"{query}\":\n{}", lines.join("\n"))
}

/// The first related topics, looking inside topic groups too.
fn related(answer: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack: Vec<&Value> = answer
        .get("RelatedTopics")
        .and_then(Value::as_array)
        .map(|topics| topics.iter().rev().collect())
        .unwrap_or_default();
    while let Some(topic) = stack.pop() {
        if found.len() == TOPICS {
            break;
        }
        if let Some(group) = topic.get("Topics").and_then(Value::as_array) {
            stack.extend(group.iter().rev());
        } else if let (Some(text), Some(url)) = (text(topic, "Text"), text(topic, "FirstURL")) {
            found.push((text.to_owned(), url.to_owned()));
        }
    }
    found
}
