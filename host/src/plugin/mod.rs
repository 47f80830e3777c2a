//! Plugins: their manifests, loading them into pre-linked instances, and calling them.

mod call;
mod catalog;
mod exports;
mod load;
mod manifest;
mod memory;
mod name;

use std::collections::BTreeSet;
use std::sync::Arc;

use wasmtime::component::InstancePre;

pub use call::{CallError, CallState};
pub use catalog::{DISABLED_MARKER, FailedPlugin, Plugins, is_disabled};
pub use load::{LoadError, vet};
pub use manifest::{Manifest, Role};
pub use memory::Recalled;
pub use name::PluginName;

use crate::bindings::{BigFive, CommandSpec, Event, Invocation, Message, Reply, Shaped, ToolSpec};
use crate::capabilities::{Capability, LlmAccess, PluginConfig};
use crate::clock::Clock;
use crate::config::Limits;
use crate::cron::Cron;
use crate::egress::PluginEgress;
use crate::metrics::Metrics;
use crate::storage::{PluginDocuments, PluginKv};
use exports::Exports;

/// What a call's capabilities need to know about the plugin making it.
pub struct PluginContext {
    pub name: PluginName,
    pub grants: BTreeSet<Capability>,
    pub config: PluginConfig,
    /// Present only when `kv` is granted.
    pub kv: Option<PluginKv>,
    /// Present only when `store` is granted.
    pub documents: Option<PluginDocuments>,
    pub llm: LlmAccess,
    /// The time the plugin sees through `wasi:clocks/wall-clock`.
    pub clock: Clock,
    /// Where its own metrics (the `metrics` capability) go.
    pub metrics: Arc<Metrics>,
    /// The bot's jobs, where the `scheduler` capability keeps the plugin's own.
    pub cron: Arc<Cron>,
    /// Whether the plugin exports `scheduled` (its jobs would have nothing to fire without).
    pub fires: bool,
    /// Where its `wasi:http` requests may go.
    pub egress: Arc<PluginEgress>,
}

/// A loaded plugin: compiled, linked once, checked against its world, ready to instantiate
/// per call.
pub struct Plugin {
    manifest: Manifest,
    context: Arc<PluginContext>,
    instance_pre: InstancePre<CallState>,
    exports: Exports,
    limits: Limits,
    commands: Vec<CommandSpec>,
    tools: Vec<ToolSpec>,
    metrics: Arc<Metrics>,
}

impl Plugin {
    pub fn name(&self) -> &PluginName {
        &self.manifest.name
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn grants(&self) -> &BTreeSet<Capability> {
        &self.context.grants
    }

    pub(crate) fn log_loaded(&self) {
        tracing::info!(
            plugin = %self.name(),
            version = %self.manifest.version,
            role = %self.manifest.role,
            commands = self.commands.len(),
            tools = self.tools.len(),
            "plugin loaded"
        );
    }

    /// The commands the plugin owns, as it listed them when it loaded.
    pub fn commands(&self) -> &[CommandSpec] {
        &self.commands
    }

    /// The tools a `tool` plugin offers the language model, as it listed them when it loaded.
    pub fn tools(&self) -> &[ToolSpec] {
        &self.tools
    }

    /// What the plugin said of its command `name` (case-insensitive), if it owns one.
    pub fn command_description(&self, name: &str) -> Option<&str> {
        let spec = self.commands.iter().find(|spec| spec.name.eq_ignore_ascii_case(name))?;
        Some(spec.description.as_str()).filter(|description| !description.is_empty())
    }

    /// `persona.shape`.
    pub async fn shape(&self, message: &Message) -> Result<Shaped, CallError> {
        let persona = self.exports.persona(self)?;
        self.instantiate("persona.shape")
            .await?
            .run(async |store, instance| {
                persona.load(&mut *store, instance)?.call_shape(store, message).await
            })
            .await
    }

    /// `persona.finish`.
    pub async fn finish(&self, message: &Message, draft: &str) -> Result<Reply, CallError> {
        let persona = self.exports.persona(self)?;
        self.instantiate("persona.finish")
            .await?
            .run(async |store, instance| {
                persona.load(&mut *store, instance)?.call_finish(store, message, draft).await
            })
            .await
    }

    /// `persona.traits`: the traits the persona is configured to have, if it models them.
    pub async fn traits(&self) -> Result<Option<BigFive>, CallError> {
        let persona = self.exports.persona(self)?;
        self.instantiate("persona.traits")
            .await?
            .run(async |store, instance| {
                let traits = persona.load(&mut *store, instance)?.call_traits(store).await?;
                Ok(Ok(traits))
            })
            .await
    }

    /// `observer.on-event`.
    pub async fn on_event(&self, event: &Event) -> Result<(), CallError> {
        let observer = self.exports.observer(self)?;
        self.instantiate("observer.on-event")
            .await?
            .run(async |store, instance| {
                observer.load(&mut *store, instance)?.call_on_event(store, event).await?;
                Ok(Ok(()))
            })
            .await
    }

    /// `observer.report`: the report `name` as Markdown.
    pub async fn report(&self, name: &str) -> Result<String, CallError> {
        let observer = self.exports.observer(self)?;
        self.instantiate("observer.report")
            .await?
            .run(async |store, instance| {
                observer.load(&mut *store, instance)?.call_report(store, name).await
            })
            .await
    }

    /// `inspect.user-state`: what the plugin keeps about `user_id`, as JSON text. None when
    /// it keeps nothing, or does not export `inspect`.
    pub async fn user_state(&self, user_id: &str) -> Result<Option<String>, CallError> {
        let Some(inspect) = self.exports.inspect() else {
            return Ok(None);
        };
        self.instantiate("inspect.user-state")
            .await?
            .run(async |store, instance| {
                inspect.load(&mut *store, instance)?.call_user_state(store, user_id).await
            })
            .await
    }

    /// `commands.run`.
    pub async fn run_command(&self, invocation: &Invocation) -> Result<Reply, CallError> {
        let commands = self.exports.commands(self)?;
        self.instantiate("commands.run")
            .await?
            .run(async |store, instance| {
                commands.load(&mut *store, instance)?.call_run(store, invocation).await
            })
            .await
    }

    /// `tool.call-tool`: run tool `name` with `arguments` (a JSON object as text) for
    /// `user_id`.
    pub async fn call_tool(
        &self,
        name: &str,
        arguments: &str,
        user_id: &str,
    ) -> Result<String, CallError> {
        let tool = self.exports.tool(self)?;
        self.instantiate("tool.call-tool")
            .await?
            .run(async |store, instance| {
                tool.load(&mut *store, instance)?
                    .call_call_tool(store, name, arguments, user_id)
                    .await
            })
            .await
    }

    /// `tool.list-tools`; the host calls it once, when the plugin loads.
    async fn list_tools(&self) -> Result<Vec<ToolSpec>, CallError> {
        let Ok(tool) = self.exports.tool(self) else {
            return Ok(Vec::new());
        };
        self.instantiate("tool.list-tools")
            .await?
            .run(async |store, instance| {
                let specs = tool.load(&mut *store, instance)?.call_list_tools(store).await?;
                Ok(Ok(specs))
            })
            .await
    }

    /// `scheduled.fire`: the plugin's job `job` is due.
    pub async fn fire(&self, job: &str, payload: &str) -> Result<(), CallError> {
        let scheduled = self.exports.scheduled(self)?;
        self.instantiate("scheduled.fire")
            .await?
            .run(async |store, instance| {
                scheduled.load(&mut *store, instance)?.call_fire(store, job, payload).await
            })
            .await
    }

    /// `settings.validate`; the host calls it once, when the plugin loads. A plugin without
    /// the export accepts any settings.
    async fn validate_settings(&self) -> Result<(), CallError> {
        let Some(settings) = &self.exports.settings else {
            return Ok(());
        };
        self.instantiate("settings.validate")
            .await?
            .run(async |store, instance| {
                settings.load(&mut *store, instance)?.call_validate(store).await
            })
            .await
    }

    /// `commands.list-commands`; the host calls it once, when the plugin loads.
    async fn list_commands(&self) -> Result<Vec<CommandSpec>, CallError> {
        let Ok(commands) = self.exports.commands(self) else {
            return Ok(Vec::new());
        };
        self.instantiate("commands.list-commands")
            .await?
            .run(async |store, instance| {
                let specs = commands.load(&mut *store, instance)?.call_list_commands(store).await?;
                Ok(Ok(specs))
            })
            .await
    }
}
