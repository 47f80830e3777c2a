//! `plugin.sig`: who signed a plugin folder, and the signature over its content digest.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::keys::{PublicKey, SecretKey};
use crate::manifest::Manifest;

/// The signature's file, beside `plugin.toml`.
pub const FILE: &str = "plugin.sig";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub publisher: String,
    pub key: PublicKey,
    /// `sha256:<hex>` of the folder's content (see [`content_digest`]).
    pub digest: String,
    /// ed25519 over the digest's text, hex.
    pub signature: String,
}

/// The digest a signature covers: SHA-256 over one line per file, `<name> <sha256 hex>`,
/// for `plugin.toml` and the component it names, in that order.
pub fn content_digest(folder: &Path, manifest: &Manifest) -> std::io::Result<String> {
    let mut listing = String::new();
    for name in [Path::new("plugin.toml"), manifest.component.as_path()] {
        let bytes = std::fs::read(folder.join(name))?;
        listing.push_str(&format!("{} {}\n", name.display(), hex::encode(Sha256::digest(&bytes))));
    }
    Ok(format!("sha256:{}", hex::encode(Sha256::digest(listing.as_bytes()))))
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error(transparent)]
    Manifest(#[from] crate::core::FileError),
    #[error("reading or writing the plugin's files: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing plugin.sig: {0}")]
    Encode(#[from] toml::ser::Error),
}

/// Sign the plugin in `folder` as `publisher`, writing `plugin.sig`.
pub fn sign(folder: &Path, secret: &SecretKey, publisher: &str) -> Result<Signature, SignError> {
    let manifest = Manifest::load(&folder.join("plugin.toml"))?;
    let digest = content_digest(folder, &manifest)?;
    let signature = Signature {
        publisher: publisher.to_owned(),
        key: secret.public(),
        signature: secret.sign(digest.as_bytes()),
        digest,
    };
    std::fs::write(folder.join(FILE), toml::to_string(&signature)?)?;
    Ok(signature)
}
