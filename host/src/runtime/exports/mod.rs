//! Which export interfaces a component has, in the version of `dcmaid:bot` it was built
//! against, looked up once when it loads. A plugin holds the exports of its own version; a
//! call goes to that version's functions (see [`crate::plugin`]).

mod of_version;
pub mod v0_1;
pub mod v0_2;

use wasmtime::Store;
use wasmtime::component::{Instance, InstancePre};

use super::call::CallState;
use crate::core::Role;
use crate::wit::WitVersion;

/// The exports of a component, in its version.
pub enum Exports {
    V0_1(v0_1::Exports),
    V0_2(v0_2::Exports),
}

impl Exports {
    /// Find the exports of a component built against `version` that claims `role`. The
    /// error says what is missing.
    pub fn find(
        version: WitVersion,
        role: Role,
        pre: &InstancePre<CallState>,
    ) -> wasmtime::Result<Exports> {
        Ok(match version {
            WitVersion::V0_1 => Exports::V0_1(v0_1::Exports::find(role, pre)?),
            WitVersion::V0_2 => Exports::V0_2(v0_2::Exports::find(role, pre)?),
        })
    }

    pub fn version(&self) -> WitVersion {
        match self {
            Exports::V0_1(_) => WitVersion::V0_1,
            Exports::V0_2(_) => WitVersion::V0_2,
        }
    }

    /// Whether the component exports `scheduled`.
    pub fn fires(&self) -> bool {
        match self {
            Exports::V0_1(exports) => exports.scheduled().is_some(),
            Exports::V0_2(exports) => exports.scheduled().is_some(),
        }
    }

    /// Load every export the component has from `instance`, which type-checks each function.
    pub fn type_check(
        &self,
        store: &mut Store<CallState>,
        instance: &Instance,
    ) -> wasmtime::Result<()> {
        match self {
            Exports::V0_1(exports) => exports.type_check(store, instance),
            Exports::V0_2(exports) => exports.type_check(store, instance),
        }
    }
}
