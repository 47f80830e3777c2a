//! What a plugin's answers may hold (`output.*` in its budget): text past its cap is cut on
//! a character boundary with a marker that says so; a tool's result, which the model reads
//! as data, is refused whole. Either way the limit is counted and logged once a minute.

use super::loaded::Plugin;
use crate::budget::{LimitName, Refusal};
use crate::core::cut_marked;

/// Which of a plugin's answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// A command's reply, or the persona's finished reply.
    Reply,
    /// The persona's system prompt or template reply; what the memory plugin recalls.
    Prompt,
    /// An observer's report.
    Report,
}

impl Plugin {
    fn cap(&self, output: Output) -> (usize, LimitName) {
        let caps = &self.budget().limits().output;
        match output {
            Output::Reply => (caps.reply_bytes as usize, LimitName::ReplyBytes),
            Output::Prompt => (caps.prompt_bytes as usize, LimitName::PromptBytes),
            Output::Report => (caps.report_bytes as usize, LimitName::ReportBytes),
        }
    }

    /// `text` within its cap: whole, or cut with a marker.
    pub fn capped(&self, text: String, output: Output) -> String {
        let (max, limit) = self.cap(output);
        let Some(cut) = cut_marked(&text, max) else { return text };
        let what =
            format!("plugin `{}` answered with {} bytes; it was cut", self.name(), text.len());
        self.budget().refused(Refusal::quota(limit, max as u64, &what));
        cut
    }

    /// A tool's `result` for the model, refused when it is over `output.tool_result_bytes`.
    pub fn tool_result(&self, result: String) -> Result<String, Refusal> {
        let max = self.budget().limits().output.tool_result_bytes;
        if result.len() <= max as usize {
            return Ok(result);
        }
        let what = format!("plugin `{}`'s tool result was {} bytes", self.name(), result.len());
        let refusal = Refusal::quota(LimitName::ToolResultBytes, u64::from(max), &what);
        Err(self.budget().refused(refusal))
    }
}
