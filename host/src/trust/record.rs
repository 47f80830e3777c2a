//! What the operator vouched for, by content digest (see [`super::content_digest`]):
//! plugins built from source in their own checkout, and packages they installed unsigned on
//! purpose (`dcmaid plugin install --allow-unsigned`). Both are lines of `.local-builds` at
//! the root of the plugins directory: `NAME sha256:... [local|unsigned]` (no third word:
//! `local`, as `scripts/build-plugins.sh` writes them). No install or upload can write that
//! file (plugin folders are named like plugins, and this name is not one), so a folder whose
//! digest matches its line is what the operator vouched for; a changed file no longer matches.

use std::path::Path;

use super::signature::content_digest;
use crate::manifest::Manifest;

/// The record's file name, in the plugins directory.
pub const FILE: &str = ".local-builds";

/// How the operator vouched for a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vouch {
    /// Built from source here.
    LocalBuild,
    /// Installed unsigned, on purpose.
    Unsigned,
}

impl Vouch {
    fn word(self) -> &'static str {
        match self {
            Vouch::LocalBuild => "local",
            Vouch::Unsigned => "unsigned",
        }
    }
}

/// How the operator vouched for the plugin in `folder`, if its files are still, byte for
/// byte, what they vouched for.
pub fn vouched(folder: &Path, manifest: &Manifest) -> Option<Vouch> {
    let record = folder.parent()?.join(FILE);
    let text = std::fs::read_to_string(record).ok()?;
    let (digest, vouch) = text.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        let (plugin, digest) = (words.next()?, words.next()?);
        let vouch = match words.next() {
            None | Some("local") => Vouch::LocalBuild,
            Some("unsigned") => Vouch::Unsigned,
            Some(_) => return None,
        };
        (plugin == manifest.name.as_str()).then(|| (digest.to_owned(), vouch))
    })?;
    content_digest(folder, manifest).is_ok_and(|actual| actual == digest).then_some(vouch)
}

/// Record that the operator vouches for `name`'s folder in `plugins` with content `digest`,
/// in place of what was recorded for that name before.
pub fn record(plugins: &Path, name: &str, digest: &str, vouch: Vouch) -> std::io::Result<()> {
    let path = plugins.join(FILE);
    let old = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => return Err(error),
    };
    let mut text: String = old
        .lines()
        .filter(|line| line.split_whitespace().next() != Some(name))
        .map(|line| format!("{line}\n"))
        .collect();
    text.push_str(&format!("{name} {digest} {}\n", vouch.word()));
    let partial = plugins.join(format!("{FILE}.partial"));
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, &path)
}
