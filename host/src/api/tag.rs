//! The groups the API's operations are listed under in its OpenAPI document.

use poem_openapi::Tags;

#[derive(Tags)]
pub enum Tag {
    /// Talking to the bot.
    Chat,
    /// Installing, swapping, enabling and disabling plugins.
    Plugins,
    /// Scheduled jobs.
    Jobs,
    /// What the bot keeps about users: memories and persona state.
    Memories,
    /// How the bot is doing: the metrics summary and the log tail.
    Activity,
}
