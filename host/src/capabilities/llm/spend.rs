//! Language-model requests within budgets: the plugin's, when a plugin asks, and the user's,
//! when the request serves a user's message (the conversation's own turns, or a plugin
//! called while answering one). Both are checked before anything is sent and charged with
//! the tokens the answer took.

use super::model::{Answer, ModelError};
use super::openai::OpenAiClient;
use crate::budget::{PluginBudget, UserLedger};
use crate::wit::latest::dcmaid::bot::llm::Inference;

/// Whose budgets a request is charged to.
pub struct Spender<'a> {
    pub plugin: Option<&'a PluginBudget>,
    pub user: Option<&'a str>,
    pub users: &'a UserLedger,
}

impl Spender<'_> {
    /// One completion from `model`, if every budget has room.
    pub async fn infer(
        &self,
        model: &OpenAiClient,
        request: &Inference,
    ) -> Result<Answer, ModelError> {
        // The user's budget is checked before the plugin's counts the request, so that a
        // refusal of either charges neither.
        if let Some(user) = self.user {
            self.users.check(user).map_err(ModelError::Limited)?;
        }
        if let Some(plugin) = self.plugin {
            plugin.begin_llm().map_err(ModelError::Limited)?;
        }
        if let Some(user) = self.user {
            self.users.begin(user).map_err(ModelError::Limited)?;
        }
        let answer = model.infer(request).await?;
        if let Some(plugin) = self.plugin {
            plugin.spent_llm(answer.tokens);
        }
        if let Some(user) = self.user {
            self.users.spent(user, answer.tokens);
        }
        Ok(answer)
    }
}
