//! How a collection's documents are indexed, checked before any name reaches query text.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::error::{DocumentError, invalid};
use super::names::Name;

/// The most numbers a vector may have.
pub const MAX_DIMENSIONS: u32 = 4096;

/// How a collection's documents are indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionSpec {
    pub name: String,
    pub dimensions: Option<u32>,
    pub text_field: Option<String>,
    pub keys: BTreeSet<String>,
}

/// A collection spec whose names were checked.
#[derive(Debug, Clone)]
pub(crate) struct Collection {
    pub(super) spec: CollectionSpec,
    pub(super) name: Name,
}

impl Collection {
    pub(super) fn checked(spec: CollectionSpec) -> Result<Collection, DocumentError> {
        let name = Name::new("collection", &spec.name).map_err(invalid)?;
        if let Some(field) = &spec.text_field {
            Name::new("text field", field).map_err(invalid)?;
        }
        for key in &spec.keys {
            Name::new("key", key).map_err(invalid)?;
        }
        if let Some(dimensions) = spec.dimensions
            && !(1..=MAX_DIMENSIONS).contains(&dimensions)
        {
            return Err(invalid(format!(
                "collection `{name}`: dimensions must be 1 to {MAX_DIMENSIONS}, not {dimensions}"
            )));
        }
        Ok(Collection { spec, name })
    }

    pub(super) fn table(&self) -> String {
        self.name.documents_table()
    }

    pub(super) fn check_vector(&self, vector: &[f32]) -> Result<(), DocumentError> {
        let Some(dimensions) = self.spec.dimensions else {
            return Err(invalid(format!("collection `{}` was defined without vectors", self.name)));
        };
        if vector.len() != dimensions as usize {
            return Err(invalid(format!(
                "collection `{}` holds vectors of {dimensions} numbers; this one has {}",
                self.name,
                vector.len()
            )));
        }
        if vector.iter().any(|x| !x.is_finite()) {
            return Err(invalid("vectors must hold finite numbers".to_owned()));
        }
        Ok(())
    }
}

/// The indexes of a relations table. Each is led by an endpoint, so that one index serves
/// both a document's relations of one kind (`related`) and all of them (`remove`). Those of
/// earlier versions were led by the kind, which `remove` could not use; they are dropped.
pub(super) fn relation_indexes(relations: &str) -> [String; 4] {
    [
        format!("REMOVE INDEX IF EXISTS source ON {relations}"),
        format!("REMOVE INDEX IF EXISTS target ON {relations}"),
        format!("DEFINE INDEX IF NOT EXISTS by_source ON {relations} FIELDS source, kind"),
        format!("DEFINE INDEX IF NOT EXISTS by_target ON {relations} FIELDS target, kind"),
    ]
}
