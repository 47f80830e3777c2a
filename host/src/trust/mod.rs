//! Who published a plugin, and whether the operator trusts them. A publisher signs a
//! plugin folder with ed25519 (`dcmaid plugin sign`): `plugin.sig` beside `plugin.toml`
//! holds the publisher's name and public key, the folder's content digest (the manifest and
//! the component) and the signature over it. At load, the host recomputes the digest,
//! checks the signature and looks the key up among `[trust] publishers`; `[trust] policy`
//! says what a plugin that fails gets: refused (`require`), a warning (`warn`, the
//! default), or nothing (`off`). A plugin the operator built from source here, as its build
//! recorded it ([`local`]), needs no signature.

mod keys;
mod local;
mod signature;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

pub use keys::{PublicKey, SecretKey, keygen};
pub use local::FILE as LOCAL_BUILDS;
pub use signature::{SignError, Signature, content_digest, sign};

use crate::manifest::Manifest;

/// What a plugin that is unsigned, tampered with or signed by a stranger gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Not checked.
    Off,
    /// Loaded, with a warning in the log.
    #[default]
    Warn,
    /// Refused.
    Require,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrustConfig {
    pub policy: Policy,
    /// Trusted publishers: name = "ed25519:<public key, hex>".
    pub publishers: BTreeMap<String, PublicKey>,
}

/// Why a plugin's signature does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Untrusted {
    #[error("it is not signed (no plugin.sig)")]
    Unsigned,
    #[error("plugin.sig is unreadable: {0}")]
    Malformed(String),
    #[error(
        "its files changed after signing: the digest is {actual}, the signature is over {signed}"
    )]
    Tampered { signed: String, actual: String },
    #[error("the signature does not verify under the key {key}")]
    BadSignature { key: String },
    #[error("it is signed by `{publisher}` with {key}, which [trust] publishers does not trust")]
    UnknownKey { publisher: String, key: String },
}

/// Why a plugin is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trusted {
    /// Built from source here, as the build recorded it.
    LocalBuild,
    /// Signed by this trusted publisher.
    Publisher(String),
}

/// Whether the plugin in `folder` is trusted under `trust`'s publishers, whatever the policy.
pub fn standing(
    folder: &Path,
    manifest: &Manifest,
    trust: &TrustConfig,
) -> Result<Trusted, Untrusted> {
    if local::is_local_build(folder, manifest) {
        return Ok(Trusted::LocalBuild);
    }
    verify(folder, manifest, trust).map(Trusted::Publisher)
}

/// Check the plugin in `folder` under `trust`: `Err` when the policy refuses it; else why it
/// is trusted, or `None` when it is loaded untrusted (`warn`) or unchecked (`off`).
pub fn check(
    folder: &Path,
    manifest: &Manifest,
    trust: &TrustConfig,
) -> Result<Option<Trusted>, Untrusted> {
    if trust.policy == Policy::Off {
        return Ok(None);
    }
    match standing(folder, manifest, trust) {
        Ok(trusted) => {
            tracing::debug!(plugin = %manifest.name, ?trusted, "trusted");
            Ok(Some(trusted))
        }
        Err(why) if trust.policy == Policy::Warn => {
            tracing::warn!(plugin = %manifest.name, "loading a plugin that is not trusted: {why}");
            Ok(None)
        }
        Err(why) => Err(why),
    }
}

/// The trusted publisher who signed `folder`, or why there is none.
fn verify(folder: &Path, manifest: &Manifest, trust: &TrustConfig) -> Result<String, Untrusted> {
    let path = folder.join(signature::FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(Untrusted::Unsigned);
        }
        Err(error) => return Err(Untrusted::Malformed(error.to_string())),
    };
    let signed: Signature =
        toml::from_str(&text).map_err(|e| Untrusted::Malformed(e.message().to_owned()))?;
    let actual =
        content_digest(folder, manifest).map_err(|e| Untrusted::Malformed(e.to_string()))?;
    if signed.digest != actual {
        return Err(Untrusted::Tampered { signed: signed.digest, actual });
    }
    if !signed.key.verifies(signed.digest.as_bytes(), &signed.signature) {
        return Err(Untrusted::BadSignature { key: signed.key.to_string() });
    }
    let trusted = trust.publishers.values().any(|key| *key == signed.key);
    if !trusted {
        return Err(Untrusted::UnknownKey {
            publisher: signed.publisher,
            key: signed.key.to_string(),
        });
    }
    Ok(signed.publisher)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plugin folder (the component's bytes need not be a component to be signed).
    fn folder() -> (tempfile::TempDir, Manifest) {
        let dir = tempfile::tempdir().unwrap();
        let manifest = "name = \"hello\"\nversion = \"0.1.0\"\nrole = \"persona\"\ncomponent = \"hello.wasm\"\n";
        std::fs::write(dir.path().join("plugin.toml"), manifest).unwrap();
        std::fs::write(dir.path().join("hello.wasm"), b"\0asm component bytes").unwrap();
        (dir, Manifest::parse(manifest).unwrap())
    }

    fn trusting(key: &PublicKey) -> TrustConfig {
        TrustConfig {
            policy: Policy::Require,
            publishers: [("acme".to_owned(), key.clone())].into(),
        }
    }

    #[test]
    fn a_signed_folder_verifies_and_every_kind_of_failure_says_which() {
        let (dir, manifest) = folder();
        let (secret, public) = keygen().unwrap();
        let trust = trusting(&public);
        assert_eq!(check(dir.path(), &manifest, &trust), Err(Untrusted::Unsigned));

        sign(dir.path(), &secret, "acme").unwrap();
        let signed = Ok(Some(Trusted::Publisher("acme".to_owned())));
        assert_eq!(check(dir.path(), &manifest, &trust), signed);

        // A stranger's key.
        let (_, stranger) = keygen().unwrap();
        let error = check(dir.path(), &manifest, &trusting(&stranger)).unwrap_err();
        assert!(
            matches!(error, Untrusted::UnknownKey { ref publisher, .. } if publisher == "acme")
        );

        // A forged signature: the right digest, signed by another key, claiming acme's key.
        let (forger, _) = keygen().unwrap();
        let sig_path = dir.path().join("plugin.sig");
        let mut signed: Signature =
            toml::from_str(&std::fs::read_to_string(&sig_path).unwrap()).unwrap();
        let genuine = signed.signature.clone();
        signed.signature = forger.sign(signed.digest.as_bytes());
        std::fs::write(&sig_path, toml::to_string(&signed).unwrap()).unwrap();
        assert!(matches!(
            check(dir.path(), &manifest, &trust),
            Err(Untrusted::BadSignature { .. })
        ));
        signed.signature = genuine;
        std::fs::write(&sig_path, toml::to_string(&signed).unwrap()).unwrap();

        // A component changed after signing.
        std::fs::write(dir.path().join("hello.wasm"), b"\0asm something else").unwrap();
        assert!(matches!(check(dir.path(), &manifest, &trust), Err(Untrusted::Tampered { .. })));

        // Under `warn` and `off`, the same plugin loads, untrusted.
        for policy in [Policy::Warn, Policy::Off] {
            let trust = TrustConfig { policy, ..trusting(&public) };
            assert_eq!(check(dir.path(), &manifest, &trust), Ok(None));
        }
    }

    #[test]
    fn keys_read_back_as_they_are_written() {
        let (secret, public) = keygen().unwrap();
        let again = SecretKey::parse(&secret.to_hex()).unwrap();
        assert_eq!(again.public(), public);
        let text = public.to_string();
        assert!(text.starts_with("ed25519:") && text.len() == 8 + 64);
        assert_eq!(PublicKey::try_from(text).unwrap(), public);
        assert!(PublicKey::try_from("rsa:00".to_owned()).is_err());
        assert!(PublicKey::try_from("ed25519:zz".to_owned()).is_err());
    }
}
