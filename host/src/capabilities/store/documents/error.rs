//! Why a document operation failed: the plugin's request was wrong, or the database failed.

use crate::budget::Refusal;
use crate::storage::StorageError;

use super::names::Name;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The plugin's request is wrong; the text names what.
    #[error("{0}")]
    Invalid(String),
    /// Boxed: the database's errors are large, and every result carries the variant.
    #[error(transparent)]
    Storage(Box<StorageError>),
    /// The plugin's quota refused a write; nothing changed.
    #[error(transparent)]
    Limited(Refusal),
}

impl From<StorageError> for DocumentError {
    fn from(error: StorageError) -> Self {
        DocumentError::Storage(Box::new(error))
    }
}

impl From<surrealdb::Error> for DocumentError {
    fn from(error: surrealdb::Error) -> Self {
        StorageError::Query(error).into()
    }
}

pub(super) fn undecodable(error: impl std::fmt::Display) -> DocumentError {
    StorageError::Decode(error.to_string()).into()
}

pub(super) fn invalid(reason: impl Into<String>) -> DocumentError {
    DocumentError::Invalid(reason.into())
}

pub(super) fn undefined(name: &Name) -> DocumentError {
    invalid(format!("collection `{name}` is not defined; `define` it first"))
}
