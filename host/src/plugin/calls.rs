//! Calls into a plugin's exports, typed: each instantiates the plugin afresh with its
//! capabilities (see [`crate::runtime::Linked::call`]). An export the plugin lacks is a
//! [`CallError::NotExported`], or, for those a plugin may leave out, the empty answer.

use super::args::{Older, Pass};
use super::loaded::Plugin;
use crate::runtime::{CallError, ExportCall, Exports};
use crate::wit::convert::Upgrade;
use crate::wit::latest::exports::dcmaid::bot::memory::Recalled;
use crate::wit::{BigFive, CommandSpec, Event, Invocation, Message, Reply, Shaped, ToolSpec};

/// One typed export call, to the functions of the version the plugin was built against: an
/// older version's arguments are converted down ([`super::args`]) and its answer up.
/// `$name` names the call in errors and metrics; the flags: `infallible` for a WIT function
/// whose result is not a `result<_, plugin-error>`, `optional` for an export a plugin may
/// leave out, answered by the type's default when it does.
macro_rules! export_call {
    ($(#[$doc:meta])* $vis:vis fn $method:ident($($arg:ident: $ty:ty),*) -> $ret:ty
        = $name:literal: $interface:ident.$call:ident $(, $flag:ident)*;) => {
        $(#[$doc])*
        $vis async fn $method(&self, $($arg: $ty),*) -> Result<$ret, CallError> {
            match &self.exports {
                Exports::V0_2(exports) => {
                    let Some(interface) = exports.$interface() else {
                        return export_call!(@absent self, $name, [$($flag)*]);
                    };
                    self.call($name, async |store, instance| {
                        let guest = interface.load(&mut *store, instance)?;
                        let result = guest.$call(store, $($arg),*).await;
                        export_call!(@result result, [$($flag)*])
                    })
                    .await
                }
                Exports::V0_1(exports) => {
                    let Some(interface) = exports.$interface() else {
                        return export_call!(@absent self, $name, [$($flag)*]);
                    };
                    $(let $arg = Older::older($arg);)*
                    self.call($name, async |store, instance| {
                        let guest = interface.load(&mut *store, instance)?;
                        let result = guest.$call(store, $(Pass::pass(&$arg)),*).await;
                        export_call!(@upgraded result, [$($flag)*])
                    })
                    .await
                }
            }
        }
    };
    (@absent $self:ident, $name:literal, [optional $($rest:ident)*]) => { Ok(Default::default()) };
    (@absent $self:ident, $name:literal, [$first:ident $($rest:ident)*]) => {
        export_call!(@absent $self, $name, [$($rest)*])
    };
    (@absent $self:ident, $name:literal, []) => { Err($self.not_exported($name)) };
    (@result $result:ident, [infallible $($rest:ident)*]) => { $result.map(Ok) };
    (@result $result:ident, [$first:ident $($rest:ident)*]) => {
        export_call!(@result $result, [$($rest)*])
    };
    (@result $result:ident, []) => { $result };
    (@upgraded $result:ident, [infallible $($rest:ident)*]) => {
        $result.map(|value| Ok(Upgrade::upgrade(value)))
    };
    (@upgraded $result:ident, [$first:ident $($rest:ident)*]) => {
        export_call!(@upgraded $result, [$($rest)*])
    };
    (@upgraded $result:ident, []) => { $result.map(Upgrade::upgrade) };
}

impl Plugin {
    export_call! {
        /// `persona.shape`: update the mood, build the system prompt, maybe answer directly.
        pub fn shape(message: &Message) -> Shaped = "persona.shape": persona.call_shape;
    }
    export_call! {
        /// `persona.finish`: put the model's draft in the persona's voice.
        pub fn finish(message: &Message, draft: &str) -> Reply
            = "persona.finish": persona.call_finish;
    }
    export_call! {
        /// `persona.traits`: the traits the persona is configured to have, if it models them.
        pub fn traits() -> Option<BigFive> = "persona.traits": persona.call_traits, infallible;
    }
    export_call! {
        /// `memory.remember`: keep one turn, what the user said and what the bot replied.
        pub fn remember(message: &Message, reply: &str) -> ()
            = "memory.remember": memory.call_remember;
    }
    export_call! {
        /// `memory.recall`: `user_id`'s memories most relevant to `query`, best first.
        pub fn recall(user_id: &str, query: &str, limit: u32) -> Vec<Recalled>
            = "memory.recall": memory.call_recall;
    }
    export_call! {
        /// `memory.forget`: drop `user_id`'s memory `memory_id`; false when there is none.
        pub fn forget(user_id: &str, memory_id: &str) -> bool
            = "memory.forget": memory.call_forget;
    }
    export_call! {
        /// `tool.call-tool`: run tool `name` with `arguments` (a JSON object as text).
        pub fn call_tool(name: &str, arguments: &str, user_id: &str) -> String
            = "tool.call-tool": tool.call_call_tool;
    }
    export_call! {
        /// `tool.list-tools`; the host calls it once, when the plugin loads.
        pub(super) fn list_tools() -> Vec<ToolSpec>
            = "tool.list-tools": tool.call_list_tools, infallible, optional;
    }
    export_call! {
        /// `observer.on-event`.
        pub fn on_event(event: &Event) -> () = "observer.on-event": observer.call_on_event, infallible;
    }
    export_call! {
        /// `observer.report`: the report `name` as Markdown.
        pub fn report(name: &str) -> String = "observer.report": observer.call_report;
    }
    export_call! {
        /// `commands.run`.
        pub fn run_command(invocation: &Invocation) -> Reply = "commands.run": commands.call_run;
    }
    export_call! {
        /// `commands.list-commands`; the host calls it once, when the plugin loads.
        pub(super) fn list_commands() -> Vec<CommandSpec>
            = "commands.list-commands": commands.call_list_commands, infallible, optional;
    }
    export_call! {
        /// `scheduled.fire`: the plugin's job `job` is due.
        pub fn fire(job: &str, payload: &str) -> () = "scheduled.fire": scheduled.call_fire;
    }
    export_call! {
        /// `settings.validate`; the host calls it once, when the plugin loads. A plugin
        /// without the export accepts any settings.
        pub(super) fn validate_settings() -> ()
            = "settings.validate": settings.call_validate, optional;
    }
    export_call! {
        /// `inspect.user-state`: what the plugin keeps about `user_id`, as JSON text; none
        /// when it keeps nothing or does not export `inspect`.
        pub fn user_state(user_id: &str) -> Option<String>
            = "inspect.user-state": inspect.call_user_state, optional;
    }

    /// A fresh instance, with nothing called on it: what every call pays (for benchmarks).
    pub async fn instantiate_only(&self) -> Result<(), CallError> {
        self.call("instantiate", async |_, _| Ok(Ok(()))).await
    }

    /// Call an export with a fresh instance holding the plugin's capabilities.
    pub(super) async fn call<T>(
        &self,
        name: &'static str,
        call: impl ExportCall<T>,
    ) -> Result<T, CallError> {
        self.linked.call(name, self.capabilities.call(), call).await
    }

    fn not_exported(&self, call: &'static str) -> CallError {
        CallError::NotExported { plugin: self.name().to_string(), call }
    }
}
