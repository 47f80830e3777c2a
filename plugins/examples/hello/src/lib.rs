//! The smallest useful dcmaid plugin: a persona that greets people by name, counts their
//! visits in its key-value store, and owns the `/hello` command.

use dcmaid_sdk::prelude::*;

struct Hello;

impl Plugin for Hello {
    fn commands() -> Vec<CommandSpec> {
        vec![CommandSpec::new("hello", "Say hello to someone", "/hello [name]")]
    }

    fn run(invocation: Invocation) -> Result<Reply, PluginError> {
        let name = match invocation.args.as_str() {
            "" => invocation.message.user.name,
            name => name.to_owned(),
        };
        Ok(Reply::new(format!("Hello, {name}! 👋")))
    }
}

impl Persona for Hello {
    fn shape(message: Message) -> Result<Shaped, PluginError> {
        let key = format!("visits/{}", message.user.id);
        let visits = kv::get_json::<u64>(&key)?.unwrap_or(0) + 1;
        kv::set_json(&key, &visits)?;
        let greeting = config::get("greeting").unwrap_or_else(|| "Hi".to_owned());
        let name = message.user.name;
        Ok(Shaped {
            system_prompt: format!(
                "You are a cheerful greeter talking to {name} (message #{visits})."
            ),
            direct_reply: Some(format!("{greeting}, {name}! That's message #{visits} from you.")),
        })
    }
}

dcmaid_sdk::persona!(Hello);
