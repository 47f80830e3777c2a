//! Plugins the operator built from source in their own checkout. `scripts/build-plugins.sh`
//! records the content digest (see [`super::content_digest`]) of each folder it installs in
//! `.local-builds` at the root of the plugins directory, one `NAME sha256:...` per line. No
//! install or upload can write that file (plugin folders are named like plugins, and this
//! name is not one), so a folder whose digest matches its line was built here, and is
//! trusted as a local build; a changed file no longer matches.

use std::path::Path;

use super::signature::content_digest;
use crate::manifest::Manifest;

/// The record's file name, in the plugins directory.
pub const FILE: &str = ".local-builds";

/// Whether the plugin in `folder` is, file for file, what the operator's build installed.
pub fn is_local_build(folder: &Path, manifest: &Manifest) -> bool {
    let Some(record) = folder.parent().map(|plugins| plugins.join(FILE)) else { return false };
    let Ok(text) = std::fs::read_to_string(record) else { return false };
    let name = manifest.name.as_str();
    let Some(recorded) = text.lines().find_map(|line| {
        let (plugin, digest) = line.trim().split_once(' ')?;
        (plugin == name).then(|| digest.trim().to_owned())
    }) else {
        return false;
    };
    content_digest(folder, manifest).is_ok_and(|actual| actual == recorded)
}
