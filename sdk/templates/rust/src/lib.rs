//! A tool plugin: `/greet NAME` greets and counts greetings in the plugin's `kv`, and the
//! language model may call the same as the tool `greet`.

use dcmaid_sdk::prelude::*;

struct MyPlugin;

/// Greet `name` with the configured greeting, and count it.
fn greet(name: &str) -> Result<String, PluginError> {
    let greeting = config::get("greeting").unwrap_or_else(|| "Hello".to_owned());
    let count = kv::get_json::<u64>("greetings")?.unwrap_or(0) + 1;
    kv::set_json("greetings", &count)?;
    Ok(format!("{greeting}, {name}! (greeting number {count})"))
}

impl Plugin for MyPlugin {
    fn commands() -> Vec<CommandSpec> {
        vec![CommandSpec::new("greet", "Greet someone", "/greet NAME")]
    }

    fn run(invocation: Invocation) -> Result<Reply, PluginError> {
        let name = invocation.args.trim();
        let name = if name.is_empty() { invocation.message.user.name.as_str() } else { name };
        greet(name).map(Reply::new)
    }
}

impl Tool for MyPlugin {
    fn tools() -> Vec<ToolSpec> {
        let parameters = r#"{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}"#;
        vec![ToolSpec {
            name: "greet".to_owned(),
            description: "Greet someone by name".to_owned(),
            parameters: parameters.to_owned(),
        }]
    }

    fn call(name: String, arguments: String, _user_id: String) -> Result<String, PluginError> {
        if name != "greet" {
            return Err(PluginError::InvalidInput(format!("no tool called `{name}`")));
        }
        let arguments: serde_json::Value = serde_json::from_str(&arguments)
            .map_err(|e| PluginError::InvalidInput(format!("arguments: {e}")))?;
        greet(arguments["name"].as_str().unwrap_or("stranger"))
    }
}

dcmaid_sdk::tool!(MyPlugin);
