//! Which versions of `dcmaid:bot` this host speaks, and which one a component was built
//! against: read from the names of its imports and exports (`dcmaid:bot/kv@0.1.0`) before
//! anything of it is compiled or runs.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::core::named;

/// A version of `dcmaid:bot` this host speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum WitVersion {
    V0_1,
    V0_2,
}

named!(WitVersion {
    V0_1 => "0.1.0",
    V0_2 => "0.2.0",
});

impl WitVersion {
    /// The version the host itself works in, and new plugins are built against.
    pub const LATEST: WitVersion = WitVersion::V0_2;

    pub fn semver(self) -> semver::Version {
        semver::Version::parse(self.as_str()).expect("the host's versions are versions")
    }

    /// The version `version` names, if the host speaks it. A patch the host does not know
    /// (0.2.1) may use what this host lacks: only the versions it knows, exactly.
    pub fn of(version: &semver::Version) -> Option<WitVersion> {
        WitVersion::ALL.iter().copied().find(|known| known.semver() == *version)
    }

    /// The fully qualified name of one of its interfaces, as components name it.
    pub fn interface(self, interface: &str) -> String {
        format!("dcmaid:bot/{interface}@{self}")
    }

    /// Every version the host speaks, for messages: `0.1.0 and 0.2.0`.
    pub fn spoken() -> String {
        let names: Vec<&str> = WitVersion::ALL.iter().map(|v| v.as_str()).collect();
        names.join(" and ")
    }
}

/// Why a component's version of `dcmaid:bot` is not one to run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitError {
    #[error(
        "it is built against dcmaid:bot@{found}, which this host cannot run: it speaks {}",
        WitVersion::spoken()
    )]
    Unknown { found: semver::Version },
    #[error("it names several versions of dcmaid:bot ({}); a plugin is built against one", list(.found))]
    Mixed { found: BTreeSet<semver::Version> },
    #[error("it neither imports nor exports anything of dcmaid:bot")]
    Nothing,
    #[error("it is not a component: {0}")]
    Unreadable(String),
}

fn list(versions: &BTreeSet<semver::Version>) -> String {
    let names: Vec<String> = versions.iter().map(ToString::to_string).collect();
    names.join(", ")
}

/// The version of `dcmaid:bot` the component in `bytes` was built against.
pub fn version_of(bytes: &[u8]) -> Result<WitVersion, WitError> {
    let found = referenced(bytes)?;
    let mut versions = found.iter();
    match (versions.next(), versions.next()) {
        (None, _) => Err(WitError::Nothing),
        (Some(only), None) => {
            WitVersion::of(only).ok_or_else(|| WitError::Unknown { found: only.clone() })
        }
        (Some(_), Some(_)) => Err(WitError::Mixed { found }),
    }
}

/// The versions of `dcmaid:bot` the component's own imports and exports name (not those
/// of the modules and components inside it).
fn referenced(bytes: &[u8]) -> Result<BTreeSet<semver::Version>, WitError> {
    use wasmparser::{Parser, Payload};
    let unreadable = |e: wasmparser::BinaryReaderError| WitError::Unreadable(e.to_string());
    let mut found = BTreeSet::new();
    let mut depth = 0usize;
    let mut add = |name: &str| {
        let Some(rest) = name.strip_prefix("dcmaid:bot/") else { return };
        if let Some((_, version)) = rest.split_once('@')
            && let Ok(version) = semver::Version::parse(version)
        {
            found.insert(version);
        }
    };
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(unreadable)? {
            Payload::Version { encoding, .. } if depth == 0 => {
                if encoding != wasmparser::Encoding::Component {
                    return Err(WitError::Unreadable("a core module, not a component".into()));
                }
                depth = 1;
            }
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(imports) if depth == 1 => {
                for import in imports {
                    add(import.map_err(unreadable)?.name.name);
                }
            }
            Payload::ComponentExportSection(exports) if depth == 1 => {
                for export in exports {
                    add(export.map_err(unreadable)?.name.name);
                }
            }
            _ => {}
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_component_s_version_is_read_from_its_names_and_unknown_ones_are_named() {
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/wit-0.1.0.wasm");
        assert_eq!(version_of(&std::fs::read(fixture).unwrap()), Ok(WitVersion::V0_1));
        let core_module = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
        assert!(matches!(version_of(&core_module), Err(WitError::Unreadable(_))));
        // An empty component: the component encoding's header alone.
        let empty = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
        assert_eq!(version_of(&empty), Err(WitError::Nothing));
        let future = semver::Version::new(0, 3, 0);
        assert_eq!(WitVersion::of(&future), None);
        let message = WitError::Unknown { found: future }.to_string();
        assert!(message.contains("0.3.0") && message.contains("0.1.0 and 0.2.0"), "{message}");
        assert_eq!(WitVersion::of(&semver::Version::new(0, 2, 1)), None, "a patch it may lack");
    }
}
