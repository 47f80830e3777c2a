//! Who published a plugin, and whether the operator trusts them. A publisher signs a
//! plugin folder with ed25519 (`dcmaid plugin sign`): `plugin.sig` beside `plugin.toml`
//! holds the publisher's name and public key, the plugin's name, version and `dcmaid:bot`
//! version, the folder's content digest (the manifest and the component), and the signature
//! over all of them. At load, the host recomputes each, checks the signature and looks the
//! key up among `[trust] publishers`. A plugin the operator built from source here, or
//! installed unsigned on purpose, as [`record`] holds it, needs no signature. `[trust]
//! policy` says what any other plugin gets at load: refused (`require`), a warning (`warn`,
//! the default: a folder put in the plugins directory by hand), or nothing (`off`); an
//! install refuses it unless the policy is `off` or the operator allows it unsigned
//! (`crate::install`). Whatever the policy, a plugin's [`Identity`] is its name and its
//! publisher.

mod identity;
mod keys;
mod record;
mod signature;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

pub use identity::{Identity, Publisher};
pub use keys::{PublicKey, SecretKey, keygen};
pub use record::{FILE as LOCAL_BUILDS, Vouch, record, vouched};
pub use signature::{FILE as SIGNATURE_FILE, SignError, Signature, content_digest, sign};

use crate::manifest::Manifest;

/// What a plugin that is unsigned, tampered with or signed by a stranger gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Not checked.
    Off,
    /// Loaded, with a warning in the log: a folder the operator put in the plugins
    /// directory by hand. (Installs refuse an untrusted plugin under this policy too, unless
    /// the operator allows it unsigned.)
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
    #[error("plugin.sig is for {field} `{signed}`, but this plugin's {field} is `{actual}`")]
    Mismatch { field: &'static str, signed: String, actual: String },
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
    /// Installed unsigned by the operator, on purpose, as the install recorded it.
    Allowed,
    /// Signed by the trusted publisher the operator's `[trust] publishers` names so.
    Publisher(String),
}

/// How a plugin folder stands: who it is, and whether it is trusted and why.
#[derive(Debug, Clone)]
pub struct Standing {
    pub identity: Identity,
    pub trusted: Result<Trusted, Untrusted>,
}

/// Who the plugin in `folder` is, and whether `trust`'s publishers trust it, whatever the
/// policy.
pub fn standing(folder: &Path, manifest: &Manifest, trust: &TrustConfig) -> Standing {
    let identity = |publisher| Identity { publisher, name: manifest.name.clone() };
    match record::vouched(folder, manifest) {
        Some(Vouch::LocalBuild) => {
            return Standing {
                identity: identity(Publisher::Local),
                trusted: Ok(Trusted::LocalBuild),
            };
        }
        Some(Vouch::Unsigned) => {
            return Standing {
                identity: identity(Publisher::Unsigned),
                trusted: Ok(Trusted::Allowed),
            };
        }
        None => {}
    }
    match signed(folder, manifest) {
        Ok(signature) => {
            let trusted = trust
                .publishers
                .iter()
                .find(|(_, key)| **key == signature.key)
                .map(|(name, _)| Trusted::Publisher(name.clone()))
                .ok_or_else(|| Untrusted::UnknownKey {
                    publisher: signature.publisher.clone(),
                    key: signature.key.to_string(),
                });
            Standing { identity: identity(Publisher::Key(signature.key)), trusted }
        }
        Err(why) => Standing { identity: identity(Publisher::Unsigned), trusted: Err(why) },
    }
}

/// Check the plugin in `folder` under `trust`: `Err` when the policy refuses it; else who it
/// is, and why it is trusted, or `None` when it is loaded untrusted (`warn`) or unchecked
/// (`off`).
pub fn check(
    folder: &Path,
    manifest: &Manifest,
    trust: &TrustConfig,
) -> Result<(Identity, Option<Trusted>), Untrusted> {
    let Standing { identity, trusted } = standing(folder, manifest, trust);
    match (trusted, trust.policy) {
        (_, Policy::Off) => Ok((identity, None)),
        (Ok(trusted), _) => {
            tracing::debug!(plugin = %manifest.name, ?trusted, "trusted");
            Ok((identity, Some(trusted)))
        }
        (Err(why), Policy::Warn) => {
            tracing::warn!(plugin = %manifest.name, "loading a plugin that is not trusted: {why}");
            Ok((identity, None))
        }
        (Err(why), Policy::Require) => Err(why),
    }
}

/// The folder's signature, if it holds: it reads, its digest is the folder's, it names this
/// plugin, version and `dcmaid:bot` version, and the key signed it.
fn signed(folder: &Path, manifest: &Manifest) -> Result<Signature, Untrusted> {
    let path = folder.join(signature::FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(Untrusted::Unsigned);
        }
        Err(error) => return Err(Untrusted::Malformed(error.to_string())),
    };
    let signed: Signature = toml::from_str(&text).map_err(|e| {
        Untrusted::Malformed(format!("{} (sign it again with this dcmaid)", e.message()))
    })?;
    let actual =
        content_digest(folder, manifest).map_err(|e| Untrusted::Malformed(e.to_string()))?;
    if signed.digest != actual {
        return Err(Untrusted::Tampered { signed: signed.digest, actual });
    }
    let wit = signature::component_wit(folder, manifest).map_err(Untrusted::Malformed)?;
    let facts = [
        ("name", &signed.name, manifest.name.to_string()),
        ("version", &signed.version, manifest.version.to_string()),
        ("dcmaid:bot version", &signed.wit, wit),
    ];
    for (field, signed, actual) in facts {
        if *signed != actual {
            return Err(Untrusted::Mismatch { field, signed: signed.clone(), actual });
        }
    }
    if !signed.verifies() {
        return Err(Untrusted::BadSignature { key: signed.key.to_string() });
    }
    Ok(signed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real component, built against dcmaid:bot 0.1.0.
    const COMPONENT: &[u8] = include_bytes!("../../../tests/fixtures/wit-0.1.0.wasm");

    /// A plugin folder named `plugins/hello`.
    fn folder() -> (tempfile::TempDir, std::path::PathBuf, Manifest) {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("hello");
        std::fs::create_dir(&folder).unwrap();
        let manifest = "name = \"hello\"\nversion = \"0.1.0\"\nrole = \"persona\"\ncomponent = \"hello.wasm\"\n";
        std::fs::write(folder.join("plugin.toml"), manifest).unwrap();
        std::fs::write(folder.join("hello.wasm"), COMPONENT).unwrap();
        (dir, folder, Manifest::parse(manifest).unwrap())
    }

    fn trusting(key: &PublicKey) -> TrustConfig {
        TrustConfig {
            policy: Policy::Require,
            publishers: [("acme".to_owned(), key.clone())].into(),
        }
    }

    fn signature_at(folder: &Path) -> Signature {
        toml::from_str(&std::fs::read_to_string(folder.join("plugin.sig")).unwrap()).unwrap()
    }

    fn write_signature(folder: &Path, signature: &Signature) {
        std::fs::write(folder.join("plugin.sig"), toml::to_string(signature).unwrap()).unwrap();
    }

    #[test]
    fn a_signed_folder_verifies_and_every_kind_of_failure_says_which() {
        let (_dir, folder, manifest) = folder();
        let (secret, public) = keygen().unwrap();
        let trust = trusting(&public);
        assert_eq!(check(&folder, &manifest, &trust), Err(Untrusted::Unsigned));

        sign(&folder, &secret, "acme").unwrap();
        let (identity, trusted) = check(&folder, &manifest, &trust).unwrap();
        assert_eq!(trusted, Some(Trusted::Publisher("acme".to_owned())));
        assert_eq!(identity.publisher, Publisher::Key(public.clone()));
        assert_eq!(identity.key(), format!("{public}/hello"));
        let genuine = signature_at(&folder);
        assert_eq!(genuine.wit, "0.1.0");

        // A stranger's key: not trusted, but still who the plugin is.
        let (_, stranger) = keygen().unwrap();
        let standing = standing(&folder, &manifest, &trusting(&stranger));
        assert!(
            matches!(standing.trusted, Err(Untrusted::UnknownKey { ref publisher, .. }) if publisher == "acme")
        );
        assert_eq!(standing.identity.publisher, Publisher::Key(public.clone()));

        // A forged signature: the right statement, signed by another key, claiming acme's.
        let (forger, _) = keygen().unwrap();
        let mut forged = genuine.clone();
        forged.signature = forger.sign(forged.statement().as_bytes());
        write_signature(&folder, &forged);
        assert!(matches!(check(&folder, &manifest, &trust), Err(Untrusted::BadSignature { .. })));

        // The publisher renamed, or the signature carried to another name or version: the
        // statement no longer matches what was signed, or names another plugin.
        let renamed = Signature { publisher: "mallory".into(), ..genuine.clone() };
        write_signature(&folder, &renamed);
        assert!(matches!(check(&folder, &manifest, &trust), Err(Untrusted::BadSignature { .. })));
        for (field, other) in
            [("name", "memory"), ("version", "9.0.0"), ("dcmaid:bot version", "0.2.0")]
        {
            let mut moved = genuine.clone();
            match field {
                "name" => moved.name = other.into(),
                "version" => moved.version = other.into(),
                _ => moved.wit = other.into(),
            }
            moved.signature = secret.sign(moved.statement().as_bytes());
            write_signature(&folder, &moved);
            let error = check(&folder, &manifest, &trust).unwrap_err();
            assert!(
                matches!(error, Untrusted::Mismatch { field: f, .. } if f == field),
                "{field}: {error}"
            );
        }
        // An old signature, over the digest alone.
        let old = format!(
            "publisher = \"acme\"\nkey = \"{public}\"\ndigest = \"{}\"\nsignature = \"00\"\n",
            genuine.digest
        );
        std::fs::write(folder.join("plugin.sig"), old).unwrap();
        let error = check(&folder, &manifest, &trust).unwrap_err();
        assert!(
            matches!(error, Untrusted::Malformed(ref m) if m.contains("sign it again")),
            "{error}"
        );
        write_signature(&folder, &genuine);

        // A component changed after signing.
        let mut changed = COMPONENT.to_vec();
        changed.push(0);
        std::fs::write(folder.join("hello.wasm"), changed).unwrap();
        assert!(matches!(check(&folder, &manifest, &trust), Err(Untrusted::Tampered { .. })));

        // Under `warn` and `off`, the same plugin loads, untrusted and unsigned.
        for policy in [Policy::Warn, Policy::Off] {
            let trust = TrustConfig { policy, ..trusting(&public) };
            let (identity, trusted) = check(&folder, &manifest, &trust).unwrap();
            assert_eq!((identity.publisher, trusted), (Publisher::Unsigned, None));
        }
    }

    #[test]
    fn what_the_operator_vouched_for_is_trusted_until_a_file_changes() {
        let (dir, folder, manifest) = folder();
        let trust = TrustConfig { policy: Policy::Require, ..TrustConfig::default() };
        let digest = content_digest(&folder, &manifest).unwrap();
        for (vouch, publisher, trusted) in [
            (Vouch::Unsigned, Publisher::Unsigned, Trusted::Allowed),
            (Vouch::LocalBuild, Publisher::Local, Trusted::LocalBuild),
        ] {
            record(dir.path(), "hello", &digest, vouch).unwrap();
            let (identity, why) = check(&folder, &manifest, &trust).unwrap();
            assert_eq!((identity.publisher, why), (publisher, Some(trusted)));
        }
        // One line per plugin, and the build script's lines (no third word) are local builds.
        record(dir.path(), "other", "sha256:00", Vouch::Unsigned).unwrap();
        let text = std::fs::read_to_string(dir.path().join(LOCAL_BUILDS)).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        std::fs::write(dir.path().join(LOCAL_BUILDS), format!("hello {digest}\n")).unwrap();
        assert_eq!(check(&folder, &manifest, &trust).unwrap().1, Some(Trusted::LocalBuild));

        std::fs::write(folder.join("plugin.toml"), "name = \"hello\"\nversion = \"0.1.1\"\nrole = \"persona\"\ncomponent = \"hello.wasm\"\n").unwrap();
        let manifest = Manifest::load(&folder.join("plugin.toml")).unwrap();
        assert_eq!(check(&folder, &manifest, &trust), Err(Untrusted::Unsigned));
    }

    #[test]
    fn keys_read_back_as_they_are_written() {
        let (secret, public) = keygen().unwrap();
        let again = SecretKey::parse(&secret.to_hex()).unwrap();
        assert_eq!(again.public(), public);
        let text = public.to_string();
        assert!(text.starts_with("ed25519:") && text.len() == 8 + 64);
        assert_eq!(PublicKey::try_from(text.clone()).unwrap(), public);
        assert_eq!(public.short(), format!("{}…", &text[..16]));
        assert!(PublicKey::try_from("rsa:00".to_owned()).is_err());
        assert!(PublicKey::try_from("ed25519:zz".to_owned()).is_err());
    }
}
