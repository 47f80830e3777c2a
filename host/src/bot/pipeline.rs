//! One message's journey: a command goes to the plugin that owns it, anything else to the
//! conversation ([`super::conversation`]), each within its user's rate limit; the outcome is
//! counted, and the observers hear of it. The message holds the plugin set it began with
//! until it is answered, and every plugin call it makes runs in the message lane, for its
//! user (see [`crate::budget::lane`]).

use std::sync::Arc;
use std::time::Instant;

use super::command::CommandText;
use super::conversation::Conversation;
use super::live::LivePlugins;
use super::observers::Observers;
use super::outcome::Outcome;
use super::ratelimit::{Decision, RateLimiter};
use crate::budget::CallContext;
use crate::core::{Bucket, Clock};
use crate::plugin::{Output, Plugins};
use crate::telemetry::{Metrics, Status};
use crate::wit::{CommandRan, Event, Invocation, Message, PluginFailed, ReplySent};

pub struct Pipeline {
    pub(super) plugins: LivePlugins,
    pub(super) conversation: Conversation,
    pub(super) rate_limiter: Arc<RateLimiter>,
    /// Each user's bucket for each command, and for conversation.
    pub(super) commands: Bucket,
    pub(super) chat: Bucket,
    pub(super) observers: Arc<Observers>,
    pub(super) metrics: Arc<Metrics>,
    pub(super) clock: Clock,
}

impl Pipeline {
    /// Answer one message.
    pub async fn handle(&self, message: Message) -> Outcome {
        let context = CallContext::message(&message.user.id);
        let _answering = self.conversation.remembering.answering();
        context.scope(self.handle_for_user(message)).await
    }

    async fn handle_for_user(&self, message: Message) -> Outcome {
        let started = Instant::now();
        self.observers.publish(|| Event::MessageReceived(message.clone()));
        let plugins = self.plugins.current();
        let mut outcome = match CommandText::parse(&message.text) {
            Some(command) => self.run_command(&plugins, command, &message).await,
            None => self.converse(&plugins, &message).await,
        };
        let took = started.elapsed();
        outcome.latency_us = took.as_micros().try_into().unwrap_or(u64::MAX);
        self.tell_observers(&message, &mut outcome);
        let status = if outcome.failed { Status::Error } else { Status::Ok };
        let label = command_label(&plugins, outcome.command.as_deref());
        self.metrics.message(&message.user.id, label, status, took);
        outcome
    }

    /// What came of `message`, as events for the observers.
    fn tell_observers(&self, message: &Message, outcome: &mut Outcome) {
        let observers = &self.observers;
        // Delivery may lag; each event carries when it happened.
        let at_ms = self.clock.now_ms();
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

    /// Conversation, within the user's rate for it.
    async fn converse(&self, plugins: &Plugins, message: &Message) -> Outcome {
        let bucket = format!("{}/chat", message.user.id);
        if let Decision::Wait(wait) = self.rate_limiter.take(self.chat, &bucket).await {
            let persona = plugins.persona();
            if let Some(persona) = persona {
                self.metrics.rate_limited(persona.name().as_str());
            }
            let seconds = wait.as_millis().div_ceil(1000).max(1);
            let text = format!(
                "You're writing faster than I can answer. Give me {seconds} s, then go on."
            );
            let mut outcome = Outcome::answer(text, persona, None);
            outcome.limit = Some("rate_limit.chat_per_minute".to_owned());
            return outcome;
        }
        self.conversation.answer(plugins, message).await
    }

    async fn run_command(
        &self,
        plugins: &Plugins,
        command: CommandText<'_>,
        message: &Message,
    ) -> Outcome {
        let name = command.name.clone();
        if name == "help" {
            return Outcome::answer(help(plugins), None, Some(name));
        }
        let Some(owner) = plugins.command_owner(&name) else {
            return Outcome::answer(
                format!("I don't know the command /{name}. Try /help."),
                None,
                Some(name),
            );
        };
        let bucket = format!("{}/{name}", message.user.id);
        if let Decision::Wait(wait) = self.rate_limiter.take(self.commands, &bucket).await {
            self.metrics.rate_limited(owner.name().as_str());
            let seconds = wait.as_millis().div_ceil(1000).max(1);
            let text = format!("Slow down: you can use /{name} again in {seconds} s.");
            return Outcome::answer(text, Some(owner), Some(name));
        }
        let invocation = Invocation {
            name: name.clone(),
            args: command.args.to_owned(),
            message: message.clone(),
        };
        if plugins.memory().is_some_and(|memory| Arc::ptr_eq(memory, owner)) {
            // What the memory plugin answers includes the user's last turns.
            self.conversation.remembering.settle(&message.user.id).await;
        }
        match owner.run_command(&invocation).await {
            Ok(reply) => {
                let text = owner.capped(reply.text, Output::Reply);
                Outcome::answer(text, Some(owner), Some(name))
            }
            Err(error) => Outcome::apology(&error, owner, Some(name)),
        }
    }
}

/// The `command` label of a message's metrics: only commands that exist, so that users
/// cannot mint label values.
fn command_label<'a>(plugins: &Plugins, command: Option<&'a str>) -> &'a str {
    match command {
        None => "none",
        Some(name) if name == "help" || plugins.command_owner(name).is_some() => name,
        Some(_) => "unknown",
    }
}

/// The built-in `/help`: every command and what it does.
fn help(plugins: &Plugins) -> String {
    let mut lines = vec!["Commands:".to_owned(), "/help: list the commands".to_owned()];
    for (command, owner) in plugins.commands() {
        let description = owner.command_description(command).unwrap_or_default();
        lines.push(format!("/{command}: {description}"));
    }
    lines.join("\n")
}
