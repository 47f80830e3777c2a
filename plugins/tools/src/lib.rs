//! The tools plugin: web search (the DuckDuckGo Instant Answer API), GitHub (a repository,
//! or an issue search), the current weather (OpenWeatherMap) and fetching a page as text.
//! Each is a tool the language model may call and a command a user may run; both go
//! through the same code. Every request leaves through `wasi:http`, where the host's
//! allowlist decides; a refusal is told to the user as such.

mod fetch;
mod github;
mod search;
mod weather;

use dcmaid_sdk::http::{self, HttpError};
use dcmaid_sdk::prelude::*;
use serde_json::{Value, json};

struct Tools;

/// One tool: its name for the model, its command, and how to read the command's text into
/// the tool's arguments.
struct Entry {
    tool: &'static str,
    command: &'static str,
    description: &'static str,
    usage: &'static str,
    parameters: fn() -> Value,
    /// The command's text as the tool's arguments.
    from_command: fn(&str) -> Value,
    run: fn(&Value) -> Result<String, PluginError>,
}

const ENTRIES: &[Entry] = &[
    Entry {
        tool: "web_search",
        command: "search",
        description: "Search the web (DuckDuckGo instant answers) for a topic or a question.",
        usage: "/search QUERY",
        parameters: search::parameters,
        from_command: |text| json!({ "query": text }),
        run: search::run,
    },
    Entry {
        tool: "github",
        command: "github",
        description: "Look up a GitHub repository (owner/name), or search issues.",
        usage: "/github OWNER/NAME | /github issues QUERY",
        parameters: github::parameters,
        from_command: github::from_command,
        run: github::run,
    },
    Entry {
        tool: "weather",
        command: "weather",
        description: "The current weather in a city (OpenWeatherMap).",
        usage: "/weather CITY",
        parameters: weather::parameters,
        from_command: |text| json!({ "city": text }),
        run: weather::run,
    },
    Entry {
        tool: "fetch",
        command: "fetch",
        description: "Fetch a web page the operator allows, as plain text.",
        usage: "/fetch URL",
        parameters: fetch::parameters,
        from_command: |text| json!({ "url": text }),
        run: fetch::run,
    },
];

impl Plugin for Tools {
    fn commands() -> Vec<CommandSpec> {
        let spec = |entry: &Entry| CommandSpec::new(entry.command, entry.description, entry.usage);
        ENTRIES.iter().map(spec).collect()
    }

    fn run(invocation: Invocation) -> Result<Reply, PluginError> {
        let entry = ENTRIES.iter().find(|entry| entry.command == invocation.name);
        let entry = entry.ok_or_else(|| {
            PluginError::InvalidInput(format!("I don't know the command /{}.", invocation.name))
        })?;
        let text = invocation.args.trim();
        if text.is_empty() {
            return Err(PluginError::InvalidInput(format!("Usage: {}", entry.usage)));
        }
        (entry.run)(&(entry.from_command)(text)).map(Reply::new)
    }
}

impl Tool for Tools {
    fn tools() -> Vec<ToolSpec> {
        let spec = |entry: &Entry| ToolSpec {
            name: entry.tool.to_owned(),
            description: entry.description.to_owned(),
            parameters: (entry.parameters)().to_string(),
        };
        ENTRIES.iter().map(spec).collect()
    }

    fn call(name: String, arguments: String, _user_id: String) -> Result<String, PluginError> {
        let entry = ENTRIES.iter().find(|entry| entry.tool == name);
        let entry =
            entry.ok_or_else(|| PluginError::InvalidInput(format!("no tool called `{name}`")))?;
        let arguments: Value = serde_json::from_str(&arguments).map_err(|e| {
            PluginError::InvalidInput(format!("{name}: arguments are not a JSON object: {e}"))
        })?;
        (entry.run)(&arguments)
    }
}

dcmaid_sdk::tool!(Tools);

/// A required string argument, trimmed.
fn argument<'a>(arguments: &'a Value, name: &str) -> Result<&'a str, PluginError> {
    match arguments.get(name).and_then(Value::as_str).map(str::trim) {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(PluginError::InvalidInput(format!("`{name}` is required"))),
    }
}

/// A setting, or an error that names it.
fn setting(key: &str) -> Result<String, PluginError> {
    config::get(key).filter(|value| !value.trim().is_empty()).ok_or_else(|| {
        PluginError::InvalidInput(format!(
            "this needs `{key}` in the plugin's settings ([plugins.tools.config] in dcmaid.toml)"
        ))
    })
}

/// `base` (a setting) joined with `path_and_query`.
fn endpoint(base_key: &str, path_and_query: &str) -> Result<String, PluginError> {
    Ok(format!("{}{path_and_query}", setting(base_key)?.trim_end_matches('/')))
}

/// `name=value&…`, form-encoded.
fn query(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// GET `url` as JSON; what went wrong in words a user understands.
fn get_json(url: &str, headers: &[(&str, &str)], service: &str) -> Result<Value, PluginError> {
    let response = http::send(http::Method::GET, url, headers, Vec::new())
        .map_err(|error| failed(service, error))?;
    if !response.is_success() {
        let detail = response.json::<Value>().ok();
        let message = detail.as_ref().and_then(|d| d.get("message")).and_then(Value::as_str);
        let message = message.unwrap_or("no details");
        return Err(match response.status {
            // What the user asked for is not there, or not allowed: theirs to change.
            404 => PluginError::InvalidInput(format!("{service} found nothing: {message}")),
            400..=499 => PluginError::InvalidInput(format!(
                "{service} refused the request ({}): {message}",
                response.status
            )),
            status => PluginError::Unavailable(format!("{service} answered {status}: {message}")),
        });
    }
    response.json().map_err(|e| PluginError::Internal(format!("{service}: {e}")))
}

/// A request that got no response, as the user should hear it.
fn failed(service: &str, error: HttpError) -> PluginError {
    match error {
        HttpError::Denied => PluginError::InvalidInput(format!(
            "I'm not allowed to reach {service}: the operator's allowlist does not grant it."
        )),
        HttpError::BadUrl(_) => PluginError::InvalidInput(format!(
            "I can't fetch {service}: only plain http and https links can be fetched."
        )),
        HttpError::PrivateAddress => PluginError::InvalidInput(format!(
            "I may not reach {service}: it points at a private or local address."
        )),
        HttpError::NotFound => {
            PluginError::InvalidInput(format!("I can't find {service}: that name does not exist."))
        }
        HttpError::Timeout => PluginError::Unavailable(format!("{service} took too long")),
        HttpError::TooLarge => {
            PluginError::InvalidInput(format!("{service} sent more than I may read"))
        }
        other => PluginError::Unavailable(format!("{service}: {other}")),
    }
}
