//! `dcmaid:bot@0.1.0`'s values and the newest version's, both ways. Most types are the same
//! in both but for their Rust type; what 0.2.0 added is dropped on the way down (a message's
//! context), and an error case 0.1.0 cannot name becomes the closest case it has, with the
//! same message.

use super::bindings::dcmaid::bot as old;
use super::bindings::exports::dcmaid::bot as old_exports;
use crate::wit::convert::{Downgrade, Upgrade, cases, record};
use crate::wit::v0_2::dcmaid::bot as new;
use crate::wit::v0_2::exports::dcmaid::bot as new_exports;

cases!(old::types, new::types, Platform { Console, Web, Discord, Telegram });
record!(old::types, new::types, User { id, name, platform });
record!(old::types, new::types, Reply { text });
record!(old::types, new::types, CommandSpec { name, description, usage });
record!(old::types, new::types, ToolSpec { name, description, parameters });
record!(old::types, new::types, ReplySent { message_id, user_id, plugin, latency_us, at_ms });
record!(old::types, new::types, CommandRan { message_id, user_id, command, plugin, ok, at_ms });
record!(old::types, new::types, PluginFailed { plugin, call, reason, at_ms });
record!(old::types, new::types, ToolCalled { user_id, tool, plugin, ok, latency_us, at_ms });
record!(old::types, new::types, Invocation { name, args, message });
cases!(old::types, new::types, Event {
    MessageReceived(message),
    ReplySent(sent),
    CommandRan(ran),
    PluginFailed(failed),
    ToolCalled(called),
});

/// 0.1.0 has no context: it stays behind on the way down, and is empty on the way up.
impl Downgrade<old::types::Message> for new::types::Message {
    fn downgrade(self) -> old::types::Message {
        old::types::Message {
            id: self.id,
            user: self.user.downgrade(),
            channel: self.channel,
            text: self.text,
            received_at_ms: self.received_at_ms,
        }
    }
}

impl Upgrade<new::types::Message> for old::types::Message {
    fn upgrade(self) -> new::types::Message {
        new::types::Message {
            id: self.id,
            user: self.user.upgrade(),
            channel: self.channel,
            text: self.text,
            received_at_ms: self.received_at_ms,
            context: new::types::MessageContext::unknown(),
        }
    }
}

impl Upgrade<new::types::PluginError> for old::types::PluginError {
    fn upgrade(self) -> new::types::PluginError {
        use new::types::PluginError as New;
        match self {
            Self::InvalidInput(text) => New::InvalidInput(text),
            Self::Unavailable(text) => New::Unavailable(text),
            Self::Internal(text) => New::Internal(text),
        }
    }
}

cases!(old::log, new::log, Level { Trace, Debug, Info, Warn, Error });

cases!(old::llm, new::llm, Role { System, User, Assistant, Tool });
record!(old::llm, new::llm, ToolCall { id, name, arguments });
record!(old::llm, new::llm, ChatMessage { role, content, tool_calls, tool_call_id });
record!(old::llm, new::llm, Inference { messages, tools, max_tokens, temperature });
cases!(old::llm, new::llm, Completion { Text(text), ToolCalls(calls) });

record!(old::scheduler, new::scheduler, Job { name, cron, timezone, payload });

record!(old::store, new::store, Collection { name, dimensions, text_field, keys });
record!(old::store, new::store, Entry { id, fields, updated_at_ms });
record!(old::store, new::store, Hit { id, fields, score });
record!(old::store, new::store, Edge { source, target, fields, updated_at_ms });

record!(old_exports::persona, new_exports::persona, Shaped { system_prompt, direct_reply });
record!(
    old_exports::persona,
    new_exports::persona,
    BigFive { openness, conscientiousness, extraversion, agreeableness, neuroticism }
);
record!(old_exports::memory, new_exports::memory, Recalled { id, text, score });

/// What 0.1.0 said for a missing grant of a capability whose errors had no case for it.
fn not_granted(capability: &str) -> String {
    format!(
        "this plugin has no `{capability}` grant: request it in plugin.toml and grant it in \
         dcmaid.toml"
    )
}

impl Downgrade<old::kv::KvError> for new::kv::KvError {
    fn downgrade(self) -> old::kv::KvError {
        use old::kv::KvError as Old;
        match self {
            Self::InvalidKey(why) => Old::InvalidKey(why),
            Self::TooLarge(max) => Old::TooLarge(max),
            Self::Unavailable(why) => Old::Unavailable(why),
            Self::NotGranted => Old::Unavailable(not_granted("kv")),
            Self::Limited(limit) => Old::Unavailable(limit.message),
        }
    }
}

impl Downgrade<old::llm::LlmError> for new::llm::LlmError {
    fn downgrade(self) -> old::llm::LlmError {
        use old::llm::LlmError as Old;
        match self {
            Self::NotConfigured => Old::NotConfigured,
            Self::Unavailable(why) => Old::Unavailable(why),
            Self::Rejected(why) => Old::Rejected(why),
            Self::NotGranted => Old::Unavailable(not_granted("llm")),
            Self::Limited(limit) => Old::Unavailable(limit.message),
        }
    }
}

impl Downgrade<old::metrics::MetricsError> for new::metrics::MetricsError {
    fn downgrade(self) -> old::metrics::MetricsError {
        use old::metrics::MetricsError as Old;
        match self {
            Self::NotGranted => Old::NotGranted,
            Self::InvalidName(why) => Old::InvalidName(why),
            Self::KindMismatch(why) => Old::KindMismatch(why),
            Self::InvalidValue(why) => Old::InvalidValue(why),
            Self::TooManySeries(most) => Old::TooManySeries(most),
            Self::Limited(limit) => Old::InvalidValue(limit.message),
        }
    }
}

impl Downgrade<old::scheduler::SchedulerError> for new::scheduler::SchedulerError {
    fn downgrade(self) -> old::scheduler::SchedulerError {
        use old::scheduler::SchedulerError as Old;
        match self {
            Self::NotGranted => Old::NotGranted,
            Self::InvalidJob(why) => Old::InvalidJob(why),
            Self::TooManyJobs(most) => Old::TooManyJobs(most),
            Self::Unavailable(why) => Old::Unavailable(why),
            Self::Limited(limit) => Old::Unavailable(limit.message),
        }
    }
}

impl Downgrade<old::store::StoreError> for new::store::StoreError {
    fn downgrade(self) -> old::store::StoreError {
        use old::store::StoreError as Old;
        match self {
            Self::NotGranted => Old::NotGranted,
            Self::Invalid(why) => Old::Invalid(why),
            Self::Unavailable(why) => Old::Unavailable(why),
            Self::Limited(limit) => Old::Invalid(limit.message),
        }
    }
}
