//! A conversational turn: the persona shapes it (a system prompt and a template reply);
//! with a language model configured, what the memory plugin recalls joins the prompt, the
//! model drafts the answer (calling tools as it needs, see [`super::toolbox`]) and the
//! persona finishes it; without one, or when the model fails, the template is the answer.
//! An answered turn is remembered.

use std::sync::Arc;

use super::outcome::Outcome;
use super::recollection::{recollect, remember, with_memories};
use super::toolbox::Toolbox;
use crate::capabilities::llm::{OpenAiClient, turn};
use crate::plugin::Plugins;
use crate::wit::Message;

pub struct Conversation {
    /// The configured language model, if any.
    pub(super) model: Option<Arc<OpenAiClient>>,
    pub(super) toolbox: Toolbox,
}

impl Conversation {
    /// Answer `message` with the persona among `plugins`, and remember the turn.
    pub async fn answer(&self, plugins: &Plugins, message: &Message) -> Outcome {
        let outcome = self.converse(plugins, message).await;
        if !outcome.failed && outcome.plugin.is_some() {
            remember(plugins, message, &outcome.reply).await;
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
        let template = shaped.direct_reply;
        let model = self.model.as_deref().filter(|_| !shaped.system_prompt.is_empty());
        let Some(model) = model else {
            let reply = template.unwrap_or_else(|| match self.model {
                None => {
                    "I'd need a language model to answer that, and none is configured.".to_owned()
                }
                Some(_) => "I have nothing to say to that.".to_owned(),
            });
            return Outcome::answer(reply, Some(persona), None);
        };
        let recalled = recollect(plugins, message).await;
        let system_prompt = with_memories(&shaped.system_prompt, &recalled);
        let request = turn(&system_prompt, &message.text);
        let draft = match self.toolbox.infer(plugins, model, request, &message.user.id).await {
            Ok(draft) => draft,
            Err(reason) => return Outcome::model_failed(reason, template, persona),
        };
        match persona.finish(message, &draft).await {
            Ok(reply) => Outcome::answer(reply.text, Some(persona), None),
            Err(error) => Outcome::apology(&error, persona, None),
        }
    }
}
