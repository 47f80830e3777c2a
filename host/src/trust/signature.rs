//! `plugin.sig`: who signed a plugin folder, and what they signed: a statement binding
//! their name and key to the plugin's name, version and `dcmaid:bot` version and to the
//! folder's content digest, so that a signature cannot be carried to another plugin, nor its
//! publisher renamed.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::keys::{PublicKey, SecretKey};
use crate::manifest::Manifest;

/// The signature's file, beside `plugin.toml`.
pub const FILE: &str = "plugin.sig";

/// The statement's first line; a signature over anything else is not one of ours.
const STATEMENT: &str = "dcmaid plugin signature v2";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub publisher: String,
    pub key: PublicKey,
    /// The plugin's name and version, as its manifest says them.
    pub name: String,
    pub version: String,
    /// The version of `dcmaid:bot` its component is built against.
    pub wit: String,
    /// `sha256:<hex>` of the folder's content (see [`content_digest`]).
    pub digest: String,
    /// ed25519 over [`Signature::statement`], hex.
    pub signature: String,
}

impl Signature {
    /// What the key signs: every field but the signature, one a line.
    pub fn statement(&self) -> String {
        let Signature { publisher, key, name, version, wit, digest, .. } = self;
        format!(
            "{STATEMENT}\npublisher: {publisher}\nkey: {key}\nname: {name}\nversion: {version}\n\
             wit: {wit}\ndigest: {digest}\n"
        )
    }

    /// Whether the signature is the key's over the statement.
    pub fn verifies(&self) -> bool {
        self.key.verifies(self.statement().as_bytes(), &self.signature)
    }
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

/// The version of `dcmaid:bot` the component in `folder` is built against, as text.
pub fn component_wit(folder: &Path, manifest: &Manifest) -> Result<String, String> {
    let bytes = std::fs::read(folder.join(&manifest.component)).map_err(|e| e.to_string())?;
    let version = crate::wit::version_of(&bytes).map_err(|e| e.to_string())?;
    Ok(version.to_string())
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error(transparent)]
    Manifest(#[from] crate::core::FileError),
    #[error("reading or writing the plugin's files: {0}")]
    Io(#[from] std::io::Error),
    #[error("the component cannot be signed: {0}")]
    Component(String),
    #[error("writing plugin.sig: {0}")]
    Encode(#[from] toml::ser::Error),
}

/// Sign the plugin in `folder` as `publisher`, writing `plugin.sig`.
pub fn sign(folder: &Path, secret: &SecretKey, publisher: &str) -> Result<Signature, SignError> {
    let manifest = Manifest::load(&folder.join("plugin.toml"))?;
    let mut signature = Signature {
        publisher: publisher.to_owned(),
        key: secret.public(),
        name: manifest.name.to_string(),
        version: manifest.version.to_string(),
        wit: component_wit(folder, &manifest).map_err(SignError::Component)?,
        digest: content_digest(folder, &manifest)?,
        signature: String::new(),
    };
    signature.signature = secret.sign(signature.statement().as_bytes());
    std::fs::write(folder.join(FILE), toml::to_string(&signature)?)?;
    Ok(signature)
}
