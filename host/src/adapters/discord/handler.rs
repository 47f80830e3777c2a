//! serenity's event handler: READY registers the slash commands, MESSAGE_CREATE and
//! INTERACTION_CREATE go through the pipeline, and replies go back split to fit.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serenity::all::{
    ChannelId, Command, CommandInteraction, CommandOptionType, Context, CreateCommand,
    CreateCommandOption, CreateInteractionResponseFollowup, EventHandler, HttpError, Interaction,
    Message, Ready, ResumedEvent, User,
};
use serenity::async_trait;

use super::split::{MAX_MESSAGE_CHARS, split};
use super::trigger::addressed;
use crate::bot::Bot;
use crate::wit::{MessageContext, Platform};

/// The slash commands' one option: whatever follows the command, as typed after `/name`.
const ARGS_OPTION: &str = "args";
/// Tries of a REST call that Discord answers with 429, when the adapter retries itself.
const TRIES: u32 = 4;

pub struct Handler {
    bot: Arc<Bot>,
    prefix: String,
    /// The bot's own user id, from READY: to find mentions of it.
    me: OnceLock<u64>,
}

impl Handler {
    pub fn new(bot: Arc<Bot>, prefix: String) -> Handler {
        Handler { bot, prefix, me: OnceLock::new() }
    }

    /// The slash commands: `help` and every plugin command whose name Discord accepts.
    fn slash_commands(&self) -> Vec<CreateCommand> {
        let plugins = self.bot.plugins();
        let mut commands = vec![slash("help", "List the commands")];
        for (name, owner) in plugins.commands() {
            let valid = (1..=32).contains(&name.len())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
            if !valid || name == "help" {
                tracing::info!("command /{name} is not a valid Discord command; not registered");
                continue;
            }
            let description = owner.command_description(name).unwrap_or(name);
            commands.push(slash(name, description));
        }
        commands
    }

    /// The pipeline's reply to `text` from `author` in `channel`, which arrived in
    /// `context`.
    async fn answer(
        &self,
        author: &User,
        channel: ChannelId,
        text: &str,
        context: MessageContext,
    ) -> String {
        let name = author.global_name.clone().unwrap_or_else(|| author.name.clone());
        let mut message = self.bot.message(
            Platform::Discord,
            &author.id.get().to_string(),
            &name,
            &channel.get().to_string(),
            text,
        );
        message.context = context;
        self.bot.handle(message).await.reply
    }

    /// Where `message` arrived and what it points at: its server, the message it answers,
    /// the users it mentions (the bot's own mention aside).
    fn context(&self, message: &Message) -> MessageContext {
        let me = self.me.get().copied();
        MessageContext {
            direct: message.guild_id.is_none(),
            server_id: message.guild_id.map(|guild| guild.get().to_string()),
            thread_id: None,
            reply_to: message
                .message_reference
                .as_ref()
                .and_then(|reference| reference.message_id)
                .map(|id| id.get().to_string()),
            mentions: message
                .mentions
                .iter()
                .filter(|user| Some(user.id.get()) != me)
                .map(|user| format!("discord:{}", user.id.get()))
                .collect(),
            platform_message_id: Some(message.id.get().to_string()),
        }
    }

    async fn on_command(&self, ctx: &Context, command: CommandInteraction) {
        let args = command
            .data
            .options
            .iter()
            .find(|option| option.name == ARGS_OPTION)
            .and_then(|option| option.value.as_str())
            .unwrap_or_default();
        let text = format!("/{} {args}", command.data.name);
        // Discord wants an answer within three seconds; a model may take longer.
        if let Err(error) = retrying(|| command.defer(&ctx.http)).await {
            tracing::error!("discord: cannot acknowledge /{}: {error}", command.data.name);
            return;
        }
        let context = MessageContext {
            direct: command.guild_id.is_none(),
            server_id: command.guild_id.map(|guild| guild.get().to_string()),
            ..MessageContext::unknown()
        };
        let reply = self.answer(&command.user, command.channel_id, text.trim(), context).await;
        for piece in pieces(&reply) {
            let followup = || {
                let content = CreateInteractionResponseFollowup::new().content(piece.clone());
                command.create_followup(&ctx.http, content)
            };
            if let Err(error) = retrying(followup).await {
                tracing::error!("discord: reply to /{} not delivered: {error}", command.data.name);
                break;
            }
        }
    }
}

fn slash(name: &str, description: &str) -> CreateCommand {
    let description: String = description.chars().take(100).collect();
    CreateCommand::new(name).description(description).add_option(
        CreateCommandOption::new(
            CommandOptionType::String,
            ARGS_OPTION,
            "What follows the command",
        )
        .required(false),
    )
}

/// The reply's pieces that Discord accepts: at most 2,000 characters, none blank.
fn pieces(reply: &str) -> impl Iterator<Item = String> {
    split(reply, MAX_MESSAGE_CHARS).into_iter().filter(|piece| !piece.trim().is_empty())
}

/// Run `call`, and again after a pause while Discord answers 429 (only seen when the client
/// goes through a proxy: otherwise serenity's own rate limiter waits before calling).
async fn retrying<T, F, Fut>(mut call: F) -> serenity::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = serenity::Result<T>>,
{
    let mut wait = Duration::from_millis(500);
    for _ in 1..TRIES {
        match call().await {
            Err(serenity::Error::Http(HttpError::UnsuccessfulRequest(response)))
                if response.status_code.as_u16() == 429 =>
            {
                tracing::warn!("discord: rate limited; trying again in {wait:?}");
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            outcome => return outcome,
        }
    }
    call().await
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let _ = self.me.set(ready.user.id.get());
        tracing::info!(user = %ready.user.name, "discord: connected");
        let commands = self.slash_commands();
        let count = commands.len();
        match retrying(|| Command::set_global_commands(&ctx.http, commands.clone())).await {
            Ok(_) => tracing::info!("discord: {count} slash commands registered"),
            Err(error) => tracing::warn!("discord: slash commands not registered: {error}"),
        }
    }

    async fn resume(&self, _ctx: Context, _event: ResumedEvent) {
        tracing::info!("discord: resumed");
    }

    async fn message(&self, ctx: Context, message: Message) {
        if message.author.bot {
            return;
        }
        let in_guild = message.guild_id.is_some();
        let Some(text) =
            addressed(&message.content, in_guild, self.me.get().copied(), &self.prefix)
        else {
            return;
        };
        // Typing shows until the handle drops, after the reply is sent.
        let typing = message.channel_id.start_typing(&ctx.http);
        let context = self.context(&message);
        let reply = self.answer(&message.author, message.channel_id, &text, context).await;
        for piece in pieces(&reply) {
            if let Err(error) = retrying(|| message.channel_id.say(&ctx.http, piece.clone())).await
            {
                tracing::error!(channel = %message.channel_id, "discord: reply not delivered: {error}");
                break;
            }
        }
        typing.stop();
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        if let Interaction::Command(command) = interaction {
            self.on_command(&ctx, command).await;
        }
    }
}
