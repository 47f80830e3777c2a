//! A conversational turn: the persona shapes it (a system prompt and a template reply);
//! with a language model configured, what the memory plugin recalls joins the prompt, the
//! model drafts the answer (calling tools as it needs, see [`super::toolbox`]) and the
//! persona finishes it; without one, or when the model fails, the template is the answer.
//! When the user's share of the model is spent, the persona says so in its own voice and
//! answers from its template. An answered turn is queued to be remembered after its reply. What the persona and the
//! memory plugin give is kept to their output caps.

use std::sync::Arc;

use super::outcome::Outcome;
use super::recollection::{recollect, with_memories};
use super::remembering::Remembering;
use super::toolbox::{Toolbox, Unanswered};
use crate::budget::Refusal;
use crate::capabilities::llm::{OpenAiClient, turn};
use crate::plugin::{Output, Plugin, Plugins};
use crate::wit::Message;

pub struct Conversation {
    /// The configured language model, if any.
    pub(super) model: Option<Arc<OpenAiClient>>,
    pub(super) toolbox: Toolbox,
    pub(super) remembering: Arc<Remembering>,
}

impl Conversation {
    /// Answer `message` with the persona among `plugins`, and queue the turn to be
    /// remembered.
    pub async fn answer(&self, plugins: &Plugins, message: &Message) -> Outcome {
        let outcome = self.converse(plugins, message).await;
        if !outcome.failed && outcome.plugin.is_some() {
            self.remembering.keep(plugins, message, &outcome.reply).await;
        }
        outcome
    }

    async fn converse(&self, plugins: &Plugins, message: &Message) -> Outcome {
        let Some(persona) = plugins.persona() else {
            return Outcome::answer(
                "No persona plugin is loaded, so I can only run commands. Try /help.".to_owned(),
                None,
                None,
            );
        };
        let shaped = match persona.shape(message).await {
            Ok(shaped) => shaped,
            Err(error) => return Outcome::apology(&error, persona, None),
        };
        let template = shaped.direct_reply.map(|reply| persona.capped(reply, Output::Prompt));
        let system_prompt = persona.capped(shaped.system_prompt, Output::Prompt);
        let model = self.model.as_deref().filter(|_| !system_prompt.is_empty());
        let Some(model) = model else {
            let reply = template.unwrap_or_else(|| match self.model {
                None => {
                    "I'd need a language model to answer that, and none is configured.".to_owned()
                }
                Some(_) => "I have nothing to say to that.".to_owned(),
            });
            return Outcome::answer(reply, Some(persona), None);
        };
        self.remembering.settle(&message.user.id).await;
        let recalled = recollect(plugins, message).await;
        let system_prompt = with_memories(&system_prompt, &recalled);
        let request = turn(&system_prompt, &message.text);
        let draft = match self.toolbox.infer(plugins, model, request, &message.user.id).await {
            Ok(draft) => draft,
            Err(Unanswered::Failed(reason)) => {
                return Outcome::model_failed(reason, template, persona);
            }
            Err(Unanswered::Spent(refusal)) => {
                return spent(persona, message, template, refusal).await;
            }
        };
        match persona.finish(message, &draft).await {
            Ok(reply) => {
                Outcome::answer(persona.capped(reply.text, Output::Reply), Some(persona), None)
            }
            Err(error) => Outcome::apology(&error, persona, None),
        }
    }
}

/// The user's share of the model is spent: the persona says so, in its own voice, and gives
/// its template reply.
async fn spent(
    persona: &std::sync::Arc<Plugin>,
    message: &Message,
    template: Option<String>,
    refusal: Refusal,
) -> Outcome {
    let when = match refusal.retry_after.map(|wait| wait.as_secs().div_ceil(60).max(1)) {
        Some(1) => "in a minute".to_owned(),
        Some(minutes) if minutes < 90 => format!("in about {minutes} minutes"),
        Some(minutes) => format!("in about {} hours", minutes.div_ceil(60)),
        None => "later".to_owned(),
    };
    let notice = format!(
        "I've thought so hard for you today that I need a rest: I can give you a proper answer \
         again {when}. Until then, only the short version."
    );
    let draft = match &template {
        Some(template) => format!("{template}\n\n{notice}"),
        None => notice,
    };
    let text = match persona.finish(message, &draft).await {
        Ok(reply) => persona.capped(reply.text, Output::Reply),
        Err(_) => draft,
    };
    let mut outcome = Outcome::answer(text, Some(persona), None);
    outcome.limit = Some(refusal.limit.as_str().to_owned());
    outcome
}
