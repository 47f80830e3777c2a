//! Constructors that keep plugin code short.

use crate::{CommandSpec, Reply, Shaped};

impl Reply {
    pub fn new(text: impl Into<String>) -> Self {
        Reply { text: text.into() }
    }
}

impl Shaped {
    /// Answer directly with `text`, without the LLM.
    pub fn direct(text: impl Into<String>) -> Self {
        Shaped { system_prompt: String::new(), direct_reply: Some(text.into()) }
    }

    /// Let the LLM answer, steered by `system_prompt`.
    pub fn prompt(system_prompt: impl Into<String>) -> Self {
        Shaped { system_prompt: system_prompt.into(), direct_reply: None }
    }
}

impl CommandSpec {
    pub fn new(
        name: impl Into<String>,
        description: impl Into<String>,
        usage: impl Into<String>,
    ) -> Self {
        CommandSpec { name: name.into(), description: description.into(), usage: usage.into() }
    }
}
