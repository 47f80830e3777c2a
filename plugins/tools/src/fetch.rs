//! `fetch`: a page the operator's allowlist grants, returned as trimmed plain text: tags,
//! scripts and styles dropped, entities for the common characters decoded, whitespace
//! collapsed, cut at `fetch_max_chars`.

use dcmaid_sdk::{PluginError, config, http};
use serde_json::{Value, json};

pub fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": { "url": { "type": "string", "description": "An https:// URL" } },
        "required": ["url"],
    })
}

pub fn run(arguments: &Value) -> Result<String, PluginError> {
    let url = crate::argument(arguments, "url")?;
    let response = http::get(url).map_err(|error| crate::failed(url, error))?;
    if (300..400).contains(&response.status) {
        let location = response.header("location").unwrap_or("nowhere");
        return Ok(format!("{url} redirects to {location} (not followed)."));
    }
    if !response.is_success() {
        return Err(PluginError::Unavailable(format!("{url} answered {}", response.status)));
    }
    let max = config::get_as::<usize>("fetch_max_chars").unwrap_or(2000);
    let html = response.header("content-type").is_some_and(|kind| kind.contains("html"));
    let text = if html { strip_html(&response.text()) } else { response.text() };
    Ok(trim(&text, max))
}

/// Collapse whitespace and cut at `max` characters, at a word where one is near.
fn trim(text: &str, max: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() <= max {
        return joined;
    }
    let cut: String = joined.chars().take(max).collect();
    let at_word = cut.rfind(' ').filter(|&at| at > max / 2).unwrap_or(cut.len());
    format!("{}…", &cut[..at_word])
}

/// The text of an HTML page, without its markup.
fn strip_html(html: &str) -> String {
    let mut text = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let tag = &rest[open..];
        let lower = tag.get(..8).unwrap_or(tag).to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            find_ci(tag, "</script>")
        } else if lower.starts_with("<style") {
            find_ci(tag, "</style>")
        } else if tag.starts_with("<!--") {
            tag.find("-->").map(|end| end + 3)
        } else {
            tag.find('>').map(|end| end + 1)
        };
        text.push(' ');
        match skip_to {
            Some(end) => rest = &tag[end..],
            None => {
                rest = "";
                break;
            }
        }
    }
    text.push_str(rest);
    decode_entities(&text)
}

/// Where `needle` (lowercase ASCII) ends in `haystack`, ignoring case.
fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let lower = haystack.to_ascii_lowercase();
    lower.find(needle).map(|at| at + needle.len())
}

fn decode_entities(text: &str) -> String {
    [
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(text.to_owned(), |text, (entity, character)| text.replace(entity, character))
}
