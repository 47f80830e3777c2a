//! While developing: reload a plugin when its files in the plugins directory change (a
//! rebuilt component, an edited manifest), and load a plugin folder that appears. On
//! `watch_plugins = true`; polled, so it works on any filesystem.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

use super::action::SwapAction;
use super::swaps::Swaps;
use crate::core::PluginName;

/// How often the plugins directory is looked at.
pub const EVERY: Duration = Duration::from_millis(500);

/// What a plugin folder's files look like: each file's name, size and modification time.
type Fingerprint = Vec<(String, u64, Option<SystemTime>)>;

fn fingerprints(dir: &Path) -> BTreeMap<PluginName, Fingerprint> {
    let Ok(folders) = std::fs::read_dir(dir) else { return BTreeMap::new() };
    let mut found = BTreeMap::new();
    for folder in folders.filter_map(Result::ok) {
        let Some(name) = folder.file_name().to_str().and_then(|n| PluginName::new(n).ok()) else {
            continue;
        };
        if !folder.path().join("plugin.toml").is_file() {
            continue;
        }
        let Ok(files) = std::fs::read_dir(folder.path()) else { continue };
        let mut print: Fingerprint = files
            .filter_map(Result::ok)
            .filter_map(|file| {
                let meta = file.metadata().ok()?;
                let name = file.file_name().to_string_lossy().into_owned();
                Some((name, meta.len(), meta.modified().ok()))
            })
            .collect();
        print.sort();
        found.insert(name, print);
    }
    found
}

/// Watch the plugins directory for as long as `swaps` lives.
pub fn watch(swaps: &Arc<Swaps>) {
    let dir = swaps.plugins_dir.clone();
    let swaps: Weak<Swaps> = Arc::downgrade(swaps);
    tokio::spawn(async move {
        let mut seen = fingerprints(&dir);
        loop {
            tokio::time::sleep(EVERY).await;
            let Some(swaps) = swaps.upgrade() else { break };
            let now = fingerprints(&dir);
            for (plugin, print) in &now {
                if seen.get(plugin) == Some(print) {
                    continue;
                }
                tracing::info!(plugin = %plugin, "plugin files changed; reloading");
                // A refusal (say, a component still being written) leaves the old version
                // serving; the next change tries again.
                let _ = swaps.swap_everywhere(plugin, SwapAction::Reload).await;
            }
            seen = now;
        }
    });
}
