//! Errors about files the operator wrote: they always name the file.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    /// The TOML error names the field, the line and what was expected.
    #[error("{}: {source}", path.display())]
    Parse { path: PathBuf, source: toml::de::Error },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

impl FileError {
    pub fn read(path: &Path, source: std::io::Error) -> Self {
        FileError::Read { path: path.to_owned(), source }
    }

    pub fn parse(path: &Path, source: toml::de::Error) -> Self {
        FileError::Parse { path: path.to_owned(), source }
    }

    pub fn invalid(path: &Path, message: impl Into<String>) -> Self {
        FileError::Invalid { path: path.to_owned(), message: message.into() }
    }
}
