//! Which of `wit/`'s export interfaces a component has, looked up once when it loads.
//!
//! The role's interface is required; `commands`, `scheduled` and `settings` are optional. Looking them up
//! here also proves the component exports what its manifest says it is.

use wasmtime::component::InstancePre;

use super::call::{CallError, CallState};
use super::{Plugin, Role};
use crate::bindings::exports::dcmaid::bot::{
    commands, inspect, memory, observer, persona, scheduled, settings, tool,
};
use crate::bindings::interface_name;

/// The export indices of the plugin's role: one variant per role, so a persona can only ever
/// be called as a persona.
pub enum RoleExports {
    Persona(persona::GuestIndices),
    Memory(memory::GuestIndices),
    Tool(tool::GuestIndices),
    Observer(observer::GuestIndices),
}

pub struct Exports {
    pub role: RoleExports,
    pub commands: Option<commands::GuestIndices>,
    pub scheduled: Option<scheduled::GuestIndices>,
    pub settings: Option<settings::GuestIndices>,
    pub inspect: Option<inspect::GuestIndices>,
}

impl Exports {
    /// Find the exports of a component that claims `role`. The error says what is missing.
    pub fn find(role: Role, pre: &InstancePre<CallState>) -> wasmtime::Result<Exports> {
        let role_exports = match role {
            Role::Persona => RoleExports::Persona(persona::GuestIndices::new(pre)?),
            Role::Memory => RoleExports::Memory(memory::GuestIndices::new(pre)?),
            Role::Tool => RoleExports::Tool(tool::GuestIndices::new(pre)?),
            Role::Observer => RoleExports::Observer(observer::GuestIndices::new(pre)?),
        };
        Ok(Exports {
            role: role_exports,
            commands: optional(pre, "commands", commands::GuestIndices::new)?,
            scheduled: optional(pre, "scheduled", scheduled::GuestIndices::new)?,
            settings: optional(pre, "settings", settings::GuestIndices::new)?,
            inspect: optional(pre, "inspect", inspect::GuestIndices::new)?,
        })
    }

    pub fn persona(&self, plugin: &Plugin) -> Result<&persona::GuestIndices, CallError> {
        match &self.role {
            RoleExports::Persona(indices) => Ok(indices),
            _ => Err(not_exported(plugin, "persona")),
        }
    }

    pub fn observer(&self, plugin: &Plugin) -> Result<&observer::GuestIndices, CallError> {
        match &self.role {
            RoleExports::Observer(indices) => Ok(indices),
            _ => Err(not_exported(plugin, "observer")),
        }
    }

    pub fn memory(&self, plugin: &Plugin) -> Result<&memory::GuestIndices, CallError> {
        match &self.role {
            RoleExports::Memory(indices) => Ok(indices),
            _ => Err(not_exported(plugin, "memory")),
        }
    }

    pub fn tool(&self, plugin: &Plugin) -> Result<&tool::GuestIndices, CallError> {
        match &self.role {
            RoleExports::Tool(indices) => Ok(indices),
            _ => Err(not_exported(plugin, "tool")),
        }
    }

    pub fn scheduled(&self, plugin: &Plugin) -> Result<&scheduled::GuestIndices, CallError> {
        self.scheduled.as_ref().ok_or_else(|| not_exported(plugin, "scheduled"))
    }

    pub fn commands(&self, plugin: &Plugin) -> Result<&commands::GuestIndices, CallError> {
        self.commands.as_ref().ok_or_else(|| not_exported(plugin, "commands"))
    }

    /// `inspect`, if the plugin shows operators what it keeps.
    pub fn inspect(&self) -> Option<&inspect::GuestIndices> {
        self.inspect.as_ref()
    }
}

/// An interface the component may leave out; when it is there, it must be complete.
fn optional<I>(
    pre: &InstancePre<CallState>,
    interface: &str,
    find: impl Fn(&InstancePre<CallState>) -> wasmtime::Result<I>,
) -> wasmtime::Result<Option<I>> {
    let exported = pre.component().get_export_index(None, interface_name(interface)).is_some();
    exported.then(|| find(pre)).transpose()
}

fn not_exported(plugin: &Plugin, call: &'static str) -> CallError {
    CallError::NotExported { plugin: plugin.name().to_string(), call }
}

impl Exports {
    /// Load every export this plugin has from `instance`, which type-checks each function.
    pub fn type_check(
        &self,
        store: &mut wasmtime::Store<CallState>,
        instance: &wasmtime::component::Instance,
    ) -> wasmtime::Result<()> {
        match &self.role {
            RoleExports::Persona(indices) => {
                indices.load(&mut *store, instance)?;
            }
            RoleExports::Memory(indices) => {
                indices.load(&mut *store, instance)?;
            }
            RoleExports::Tool(indices) => {
                indices.load(&mut *store, instance)?;
            }
            RoleExports::Observer(indices) => {
                indices.load(&mut *store, instance)?;
            }
        }
        if let Some(indices) = &self.commands {
            indices.load(&mut *store, instance)?;
        }
        if let Some(indices) = &self.scheduled {
            indices.load(&mut *store, instance)?;
        }
        if let Some(indices) = &self.settings {
            indices.load(&mut *store, instance)?;
        }
        if let Some(indices) = &self.inspect {
            indices.load(&mut *store, instance)?;
        }
        Ok(())
    }
}
