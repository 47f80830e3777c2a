//! The traits a plugin implements, one per role, and the macros that export them.
//!
//! Every method is an associated function without `self`: the host instantiates the
//! component afresh for each call, so there is no instance to keep state in.

use crate::{
    BigFive, CommandSpec, Event, Invocation, Message, PluginError, Recalled, Reply, Shaped,
    ToolSpec,
};

/// What every plugin can do next to its role: own chat commands, handle scheduled jobs and
/// check its settings. The defaults own no commands and no jobs and accept any settings.
pub trait Plugin {
    /// The commands this plugin owns, such as `/hello`. Read once when the plugin loads.
    fn commands() -> Vec<CommandSpec> {
        Vec::new()
    }

    /// Run one of [`Plugin::commands`].
    fn run(invocation: Invocation) -> Result<Reply, PluginError> {
        Err(PluginError::InvalidInput(format!("I don't know the command /{}.", invocation.name)))
    }

    /// Check the settings read through [`crate::config`]; the host calls this when the plugin
    /// loads and refuses the plugin on an error, which should name the bad key and value.
    fn validate() -> Result<(), PluginError> {
        Ok(())
    }

    /// A scheduled job fired.
    fn fire(job: String, payload: String) -> Result<(), PluginError> {
        let _ = payload;
        Err(PluginError::Internal(format!("no scheduled job named `{job}`")))
    }

    /// What the plugin keeps about `user_id`, as JSON, for operators (the admin API and
    /// console show it). The default keeps nothing.
    fn user_state(user_id: String) -> Result<Option<String>, PluginError> {
        let _ = user_id;
        Ok(None)
    }
}

/// The bot's voice: shapes each turn and finishes the reply.
pub trait Persona: Plugin {
    /// Shape one turn: the system prompt for the LLM, and optionally a direct reply.
    fn shape(message: Message) -> Result<Shaped, PluginError>;

    /// Put the LLM's draft into the persona's voice. The default keeps the draft.
    fn finish(message: Message, draft: String) -> Result<Reply, PluginError> {
        let _ = message;
        Ok(Reply::new(draft))
    }

    /// The Big Five traits the persona is meant to have; `None` (the default) when it does
    /// not model them.
    fn traits() -> Option<BigFive> {
        None
    }
}

/// Long-term memory.
pub trait Memory: Plugin {
    fn remember(message: Message, reply: String) -> Result<(), PluginError>;
    fn recall(user_id: String, query: String, limit: u32) -> Result<Vec<Recalled>, PluginError>;
    fn forget(user_id: String, memory_id: String) -> Result<bool, PluginError>;
    fn relate(
        source: String,
        target: String,
        strength: f32,
        reason: String,
    ) -> Result<(), PluginError>;
}

/// Tools for the LLM (function calling) and for users.
pub trait Tool: Plugin {
    /// The tools offered to the LLM.
    fn tools() -> Vec<ToolSpec>;
    /// Call tool `name` with `arguments`, a JSON object as text.
    fn call(name: String, arguments: String, user_id: String) -> Result<String, PluginError>;
}

/// Watches events and writes reports.
pub trait Observer: Plugin {
    fn on_event(event: Event);

    /// A named report as Markdown. The default knows no reports.
    fn report(name: String) -> Result<String, PluginError> {
        Err(PluginError::InvalidInput(format!("no report named `{name}`")))
    }
}

/// Natively the component exports are left out (see `__plugin_exports!`), so nothing would
/// call the plugin's code and the compiler would call all of it dead: this uses it.
#[doc(hidden)]
#[macro_export]
macro_rules! __native_keep {
    ($($function:expr),* $(,)?) => {
        #[cfg(not(target_arch = "wasm32"))]
        const _: () = {
            $(let _ = $function;)*
        };
    };
}

/// Implements and exports `commands`, `scheduled`, `settings` and `inspect` for `$ty`.
#[doc(hidden)]
#[macro_export]
macro_rules! __plugin_exports {
    ($ty:ident) => {
        impl $crate::bindings::extras::exports::dcmaid::bot::commands::Guest for $ty {
            fn list_commands() -> ::std::vec::Vec<$crate::CommandSpec> {
                <$ty as $crate::Plugin>::commands()
            }
            fn run(
                invocation: $crate::Invocation,
            ) -> ::std::result::Result<$crate::Reply, $crate::PluginError> {
                <$ty as $crate::Plugin>::run(invocation)
            }
        }
        impl $crate::bindings::extras::exports::dcmaid::bot::scheduled::Guest for $ty {
            fn fire(
                job: ::std::string::String,
                payload: ::std::string::String,
            ) -> ::std::result::Result<(), $crate::PluginError> {
                <$ty as $crate::Plugin>::fire(job, payload)
            }
        }
        impl $crate::bindings::extras::exports::dcmaid::bot::settings::Guest for $ty {
            fn validate() -> ::std::result::Result<(), $crate::PluginError> {
                <$ty as $crate::Plugin>::validate()
            }
        }
        impl $crate::bindings::extras::exports::dcmaid::bot::inspect::Guest for $ty {
            fn user_state(
                user_id: ::std::string::String,
            ) -> ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                $crate::PluginError,
            > {
                <$ty as $crate::Plugin>::user_state(user_id)
            }
        }
        // Natively (`cargo build --workspace`) a plugin is an ordinary library: the component
        // exports are names a native linker rejects, and only a wasm32 build needs them.
        #[cfg(target_arch = "wasm32")]
        $crate::bindings::extras::export!($ty);
        $crate::__native_keep!(
            <$ty as $crate::bindings::extras::exports::dcmaid::bot::commands::Guest>::list_commands,
            <$ty as $crate::bindings::extras::exports::dcmaid::bot::commands::Guest>::run,
            <$ty as $crate::bindings::extras::exports::dcmaid::bot::scheduled::Guest>::fire,
            <$ty as $crate::bindings::extras::exports::dcmaid::bot::settings::Guest>::validate,
            <$ty as $crate::bindings::extras::exports::dcmaid::bot::inspect::Guest>::user_state
        );
    };
}

/// Export `$ty`, which implements [`Persona`], as this component's persona.
#[macro_export]
macro_rules! persona {
    ($ty:ident) => {
        impl $crate::bindings::persona::exports::dcmaid::bot::persona::Guest for $ty {
            fn shape(
                message: $crate::Message,
            ) -> ::std::result::Result<$crate::Shaped, $crate::PluginError> {
                <$ty as $crate::Persona>::shape(message)
            }
            fn finish(
                message: $crate::Message,
                draft: ::std::string::String,
            ) -> ::std::result::Result<$crate::Reply, $crate::PluginError> {
                <$ty as $crate::Persona>::finish(message, draft)
            }
            fn traits() -> ::std::option::Option<$crate::BigFive> {
                <$ty as $crate::Persona>::traits()
            }
        }
        $crate::__plugin_exports!($ty);
        #[cfg(target_arch = "wasm32")]
        $crate::bindings::persona::export!($ty);
        $crate::__native_keep!(
            <$ty as $crate::bindings::persona::exports::dcmaid::bot::persona::Guest>::shape,
            <$ty as $crate::bindings::persona::exports::dcmaid::bot::persona::Guest>::finish,
            <$ty as $crate::bindings::persona::exports::dcmaid::bot::persona::Guest>::traits
        );
    };
}

/// Export `$ty`, which implements [`Memory`], as this component's memory.
#[macro_export]
macro_rules! memory {
    ($ty:ident) => {
        impl $crate::bindings::memory::exports::dcmaid::bot::memory::Guest for $ty {
            fn remember(
                message: $crate::Message,
                reply: ::std::string::String,
            ) -> ::std::result::Result<(), $crate::PluginError> {
                <$ty as $crate::Memory>::remember(message, reply)
            }
            fn recall(
                user_id: ::std::string::String,
                query: ::std::string::String,
                limit: u32,
            ) -> ::std::result::Result<::std::vec::Vec<$crate::Recalled>, $crate::PluginError> {
                <$ty as $crate::Memory>::recall(user_id, query, limit)
            }
            fn forget(
                user_id: ::std::string::String,
                memory_id: ::std::string::String,
            ) -> ::std::result::Result<bool, $crate::PluginError> {
                <$ty as $crate::Memory>::forget(user_id, memory_id)
            }
            fn relate(
                source: ::std::string::String,
                target: ::std::string::String,
                strength: f32,
                reason: ::std::string::String,
            ) -> ::std::result::Result<(), $crate::PluginError> {
                <$ty as $crate::Memory>::relate(source, target, strength, reason)
            }
        }
        $crate::__plugin_exports!($ty);
        #[cfg(target_arch = "wasm32")]
        $crate::bindings::memory::export!($ty);
        $crate::__native_keep!(
            <$ty as $crate::bindings::memory::exports::dcmaid::bot::memory::Guest>::remember,
            <$ty as $crate::bindings::memory::exports::dcmaid::bot::memory::Guest>::recall,
            <$ty as $crate::bindings::memory::exports::dcmaid::bot::memory::Guest>::forget,
            <$ty as $crate::bindings::memory::exports::dcmaid::bot::memory::Guest>::relate
        );
    };
}

/// Export `$ty`, which implements [`Tool`], as this component's tools.
#[macro_export]
macro_rules! tool {
    ($ty:ident) => {
        impl $crate::bindings::tool::exports::dcmaid::bot::tool::Guest for $ty {
            fn list_tools() -> ::std::vec::Vec<$crate::ToolSpec> {
                <$ty as $crate::Tool>::tools()
            }
            fn call_tool(
                name: ::std::string::String,
                arguments: ::std::string::String,
                user_id: ::std::string::String,
            ) -> ::std::result::Result<::std::string::String, $crate::PluginError> {
                <$ty as $crate::Tool>::call(name, arguments, user_id)
            }
        }
        $crate::__plugin_exports!($ty);
        #[cfg(target_arch = "wasm32")]
        $crate::bindings::tool::export!($ty);
        $crate::__native_keep!(
            <$ty as $crate::bindings::tool::exports::dcmaid::bot::tool::Guest>::list_tools,
            <$ty as $crate::bindings::tool::exports::dcmaid::bot::tool::Guest>::call_tool
        );
    };
}

/// Export `$ty`, which implements [`Observer`], as this component's observer.
#[macro_export]
macro_rules! observer {
    ($ty:ident) => {
        impl $crate::bindings::observer::exports::dcmaid::bot::observer::Guest for $ty {
            fn on_event(event: $crate::Event) {
                <$ty as $crate::Observer>::on_event(event)
            }
            fn report(
                name: ::std::string::String,
            ) -> ::std::result::Result<::std::string::String, $crate::PluginError> {
                <$ty as $crate::Observer>::report(name)
            }
        }
        $crate::__plugin_exports!($ty);
        #[cfg(target_arch = "wasm32")]
        $crate::bindings::observer::export!($ty);
        $crate::__native_keep!(
            <$ty as $crate::bindings::observer::exports::dcmaid::bot::observer::Guest>::on_event,
            <$ty as $crate::bindings::observer::exports::dcmaid::bot::observer::Guest>::report
        );
    };
}
