//! One message's journey: a command goes to the plugin that owns it, anything else to the
//! persona, which shapes the turn for the language model and finishes its draft. A failing
//! plugin becomes a polite reply and a log line, never a crash; a failing model, the
//! persona's template.

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use crate::bindings::{
    CommandRan, Event, Invocation, Message, PluginError, PluginFailed, ReplySent,
};
use crate::bot::Bot;
use crate::metrics::Status;
use crate::plugin::{CallError, Plugin};
use crate::ratelimit::Decision;
use crate::recollection::with_memories;

/// What came of one message (also the chat API's answer).
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
pub struct Outcome {
    pub reply: String,
    /// The plugin that answered, if one did.
    pub plugin: Option<String>,
    /// The command that ran, without the slash.
    pub command: Option<String>,
    /// Whether the answering plugin failed (the reply then is an apology).
    pub failed: bool,
    /// Whether the language model failed (the reply then is the persona's template).
    pub model_failed: bool,
    /// From receiving the message to having the reply, in microseconds.
    pub latency_us: u64,
    /// The failed plugin call behind an apology, for the observers.
    #[serde(skip)]
    #[oai(skip)]
    pub failure: Option<PluginFailed>,
}

/// A message that starts with `/`: the command's name and the rest.
struct CommandText<'a> {
    name: String,
    args: &'a str,
}

impl<'a> CommandText<'a> {
    /// `/name args`, where `name` may carry a Telegram-style `@botname`, which is dropped.
    fn parse(text: &'a str) -> Option<CommandText<'a>> {
        let rest = text.trim().strip_prefix('/')?;
        let (word, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let name = word.split('@').next().unwrap_or(word).to_lowercase();
        (!name.is_empty()).then(|| CommandText { name, args: args.trim() })
    }
}

impl Bot {
    /// Answer one message.
    pub async fn handle(&self, message: Message) -> Outcome {
        let started = Instant::now();
        self.observers().publish(|| Event::MessageReceived(message.clone()));
        // Bounds the plugin calls in flight to what the instance pool holds.
        let permit = self.call_permits().acquire().await;
        let mut outcome = match CommandText::parse(&message.text) {
            Some(command) => self.run_command(command, &message).await,
            None => {
                let outcome = self.converse(&message).await;
                if !outcome.failed && outcome.plugin.is_some() {
                    self.remember_turn(&message, &outcome.reply).await;
                }
                outcome
            }
        };
        drop(permit);
        let took = started.elapsed();
        outcome.latency_us = took.as_micros().try_into().unwrap_or(u64::MAX);
        self.tell_observers(&message, &mut outcome);
        let status = if outcome.failed { Status::Error } else { Status::Ok };
        self.metrics().message(
            &message.user.id,
            self.command_label(outcome.command.as_deref()),
            status,
            took,
        );
        outcome
    }

    /// What came of `message`, as events for the observers.
    fn tell_observers(&self, message: &Message, outcome: &mut Outcome) {
        let observers = self.observers();
        // Delivery may lag; each event carries when it happened.
        let at_ms = self.backends().clock.now_ms();
        if let (Some(command), Some(plugin)) = (&outcome.command, &outcome.plugin) {
            observers.publish(|| {
                Event::CommandRan(CommandRan {
                    message_id: message.id.clone(),
                    user_id: message.user.id.clone(),
                    command: command.clone(),
                    plugin: plugin.clone(),
                    ok: !outcome.failed,
                    at_ms,
                })
            });
        }
        if let Some(failure) = outcome.failure.take() {
            observers.publish(|| Event::PluginFailed(PluginFailed { at_ms, ..failure }));
        }
        observers.publish(|| {
            Event::ReplySent(ReplySent {
                message_id: message.id.clone(),
                user_id: message.user.id.clone(),
                plugin: outcome.plugin.clone(),
                latency_us: outcome.latency_us,
                at_ms,
            })
        });
    }

    async fn run_command(&self, command: CommandText<'_>, message: &Message) -> Outcome {
        let name = command.name.clone();
        if name == "help" {
            return Outcome::answer(self.help(), None, Some(name));
        }
        let Some(owner) = self.plugins().command_owner(&name).cloned() else {
            return Outcome::answer(
                format!("I don't know the command /{name}. Try /help."),
                None,
                Some(name),
            );
        };
        let bucket = format!("{}/{name}", message.user.id);
        if let Decision::Wait(wait) = self.rate_limiter().take(&bucket).await {
            self.metrics().rate_limited(owner.name().as_str());
            let seconds = wait.as_millis().div_ceil(1000).max(1);
            let text = format!("Slow down: you can use /{name} again in {seconds} s.");
            return Outcome::answer(text, Some(&owner), Some(name));
        }
        let invocation = Invocation {
            name: name.clone(),
            args: command.args.to_owned(),
            message: message.clone(),
        };
        match owner.run_command(&invocation).await {
            Ok(reply) => Outcome::answer(reply.text, Some(&owner), Some(name)),
            Err(error) => Outcome::apology(&error, &owner, Some(name)),
        }
    }

    async fn converse(&self, message: &Message) -> Outcome {
        let Some(persona) = self.plugins().persona().cloned() else {
            return Outcome::answer(
                "No persona plugin is loaded, so I can only run commands. Try /help.".to_owned(),
                None,
                None,
            );
        };
        let shaped = match persona.shape(message).await {
            Ok(shaped) => shaped,
            Err(error) => return Outcome::apology(&error, &persona, None),
        };
        let template = shaped.direct_reply;
        let model = self.llm().filter(|_| !shaped.system_prompt.is_empty());
        let Some(model) = model else {
            let reply = template.unwrap_or_else(|| match self.llm() {
                None => {
                    "I'd need a language model to answer that, and none is configured.".to_owned()
                }
                Some(_) => "I have nothing to say to that.".to_owned(),
            });
            return Outcome::answer(reply, Some(&persona), None);
        };
        let recalled = self.recollect(message).await;
        let system_prompt = with_memories(&shaped.system_prompt, &recalled);
        let request = crate::llm::turn(&system_prompt, &message.text);
        let draft = match self.infer_with_tools(model, request, &message.user.id).await {
            Ok(draft) => draft,
            Err(reason) => return Outcome::model_failed(reason, template, &persona),
        };
        match persona.finish(message, &draft).await {
            Ok(reply) => Outcome::answer(reply.text, Some(&persona), None),
            Err(error) => Outcome::apology(&error, &persona, None),
        }
    }

    /// The `command` label of a message's metrics: only commands that exist, so that users
    /// cannot mint label values.
    fn command_label<'a>(&self, command: Option<&'a str>) -> &'a str {
        match command {
            None => "none",
            Some(name) if name == "help" || self.plugins().command_owner(name).is_some() => name,
            Some(_) => "unknown",
        }
    }

    /// The built-in `/help`: every command and what it does.
    fn help(&self) -> String {
        let mut lines = vec!["Commands:".to_owned(), "/help: list the commands".to_owned()];
        for (command, owner) in self.plugins().commands() {
            let description = owner.command_description(command).unwrap_or_default();
            lines.push(format!("/{command}: {description}"));
        }
        lines.join("\n")
    }
}

impl Outcome {
    fn answer(reply: String, plugin: Option<&Arc<Plugin>>, command: Option<String>) -> Outcome {
        Outcome {
            reply,
            plugin: plugin.map(|p| p.name().to_string()),
            command,
            failed: false,
            model_failed: false,
            latency_us: 0,
            failure: None,
        }
    }

    /// The model failed: the persona's template if it gave one, else an apology.
    fn model_failed(reason: String, template: Option<String>, persona: &Arc<Plugin>) -> Outcome {
        tracing::error!(plugin = %persona.name(), "language model failed; answering from the template: {reason}");
        let reply = template.unwrap_or_else(|| {
            "Sorry, I can't think straight right now. Please try again in a little while."
                .to_owned()
        });
        Outcome { model_failed: true, ..Outcome::answer(reply, Some(persona), None) }
    }

    /// The polite reply for a failed plugin call, after logging what really happened.
    fn apology(error: &CallError, plugin: &Arc<Plugin>, command: Option<String>) -> Outcome {
        match error.user_message() {
            // The plugin refused the input and said why: an answer, not a failure.
            Some(_) => tracing::info!(plugin = %plugin.name(), "{error}"),
            None => tracing::error!(plugin = %plugin.name(), "{error}"),
        }
        let reply = match (error, error.user_message()) {
            (_, Some(message)) => message.to_owned(),
            (CallError::Plugin { error: PluginError::Unavailable(_), .. }, _) => {
                "Sorry, I can't do that right now. Please try again in a little while.".to_owned()
            }
            _ => format!(
                "Sorry, something went wrong on my side (in plugin `{}`). The operator can find \
                 the details in the log.",
                plugin.name()
            ),
        };
        let failed = error.user_message().is_none();
        let failure = failed.then(|| PluginFailed {
            plugin: plugin.name().to_string(),
            call: error.call().to_owned(),
            reason: error.to_string(),
            // Stamped when the observers are told.
            at_ms: 0,
        });
        Outcome { failed, failure, ..Outcome::answer(reply, Some(plugin), command) }
    }
}

#[cfg(test)]
mod tests {
    use super::CommandText;

    #[test]
    fn parses_commands_with_and_without_arguments() {
        let command = CommandText::parse("/Hello  Alice and Bob ").unwrap();
        assert_eq!((command.name.as_str(), command.args), ("hello", "Alice and Bob"));
        let command = CommandText::parse("/mood@dcmaid_bot").unwrap();
        assert_eq!((command.name.as_str(), command.args), ("mood", ""));
        assert!(CommandText::parse("hello /there").is_none());
        assert!(CommandText::parse("/").is_none());
        assert!(CommandText::parse("/ hello").is_none());
    }
}
