//! Which export interfaces of one WIT version a component has, looked up once when it
//! loads; [`exports_of_version!`] writes the same lookup for each version's bindings.
//!
//! The role's interface is required; `commands`, `scheduled`, `settings` and `inspect` are
//! optional. Looking them up here also proves the component exports what its manifest says
//! it is.

/// The exports of one version: `exports_of_version!(WitVersion::V0_1, bindings::module)`,
/// in a file of `runtime/exports/`.
macro_rules! exports_of_version {
    ($version:expr, $bindings:path) => {
        use wasmtime::Store;
        use wasmtime::component::{Instance, InstancePre};

        use super::super::call::CallState;
        use bindings::exports::dcmaid::bot::{
            commands, inspect, memory, observer, persona, scheduled, settings, tool,
        };
        use $bindings as bindings;
        use $crate::core::Role;
        use $crate::wit::WitVersion;

        const VERSION: WitVersion = $version;

        /// The export indices of the plugin's role: one variant per role, so a persona can only ever
        /// be called as a persona.
        pub enum RoleExports {
            Persona(persona::GuestIndices),
            Memory(memory::GuestIndices),
            Tool(tool::GuestIndices),
            Observer(observer::GuestIndices),
        }

        pub struct Exports {
            role: RoleExports,
            commands: Option<commands::GuestIndices>,
            scheduled: Option<scheduled::GuestIndices>,
            settings: Option<settings::GuestIndices>,
            inspect: Option<inspect::GuestIndices>,
        }

        /// The role's interface, when the plugin plays that role.
        macro_rules! role {
            ($method:ident, $variant:ident, $interface:ident) => {
                pub fn $method(&self) -> Option<&$interface::GuestIndices> {
                    match &self.role {
                        RoleExports::$variant(indices) => Some(indices),
                        _ => None,
                    }
                }
            };
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

            role!(persona, Persona, persona);
            role!(memory, Memory, memory);
            role!(tool, Tool, tool);
            role!(observer, Observer, observer);

            pub fn commands(&self) -> Option<&commands::GuestIndices> {
                self.commands.as_ref()
            }

            pub fn scheduled(&self) -> Option<&scheduled::GuestIndices> {
                self.scheduled.as_ref()
            }

            pub fn settings(&self) -> Option<&settings::GuestIndices> {
                self.settings.as_ref()
            }

            pub fn inspect(&self) -> Option<&inspect::GuestIndices> {
                self.inspect.as_ref()
            }

            /// Load every export this plugin has from `instance`, which type-checks each function.
            pub fn type_check(
                &self,
                store: &mut Store<CallState>,
                instance: &Instance,
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

        /// An interface the component may leave out; when it is there, it must be complete.
        fn optional<I>(
            pre: &InstancePre<CallState>,
            interface: &str,
            find: impl Fn(&InstancePre<CallState>) -> wasmtime::Result<I>,
        ) -> wasmtime::Result<Option<I>> {
            let name = VERSION.interface(interface);
            let exported = pre.component().get_export_index(None, name.as_str()).is_some();
            exported.then(|| find(pre)).transpose()
        }
    };
}

pub(super) use exports_of_version;
