//! Who a plugin is: its name and its publisher. Two packages with the same name from
//! different publishers are different plugins: one does not replace the other unless the
//! operator says so, and neither reaches the other's data, which belongs to the identity.

use std::fmt;

use super::keys::PublicKey;
use crate::core::PluginName;

/// Who stands behind a plugin's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Publisher {
    /// Built from source in the operator's checkout, as the build recorded it.
    Local,
    /// The holder of this key, whose valid signature the folder carries (trusted or not).
    Key(PublicKey),
    /// Nobody: no valid signature. Loaded only when the operator allowed it, or the trust
    /// policy does not ask.
    Unsigned,
}

/// A plugin's identity: (publisher, name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub publisher: Publisher,
    pub name: PluginName,
}

impl Identity {
    /// A stable text for records (`local/memory`, `ed25519:<hex>/memory`, `unsigned/memory`):
    /// what the plugin's database is filed under.
    pub fn key(&self) -> String {
        let publisher = match &self.publisher {
            Publisher::Local => "local".to_owned(),
            Publisher::Key(key) => key.to_string(),
            Publisher::Unsigned => "unsigned".to_owned(),
        };
        format!("{publisher}/{}", self.name)
    }
}

/// For operators: ``memory` built here`, ``memory` signed by ed25519:3d4017c3…`,
/// ``memory` unsigned`.
impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.publisher {
            Publisher::Local => write!(f, "`{}` built here", self.name),
            Publisher::Key(key) => write!(f, "`{}` signed by {}", self.name, key.short()),
            Publisher::Unsigned => write!(f, "`{}` unsigned", self.name),
        }
    }
}
