//! The roles a plugin can play: each is a world of `wit/` and names the export the host
//! calls.

use serde::{Deserialize, Serialize};

use super::named::named;

/// The role a plugin plays; each is a world of `wit/` and names the export the host calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Persona,
    Memory,
    Tool,
    Observer,
}

// Each name is also the WIT interface a plugin of the role must export.
named!(Role {
    Persona => "persona",
    Memory => "memory",
    Tool => "tool",
    Observer => "observer",
});
