//! Shared set-up for dcmaid's integration tests: the real plugin components, built by
//! `scripts/build-plugins.sh`, installed into throwaway plugin directories.

pub mod fake_discord;
pub mod fake_llm;
pub mod fake_telegram;
pub mod fake_web;

use std::path::{Path, PathBuf};

use dcmaid_host::config::Config;
use dcmaid_host::core::PluginName;

/// The cargo target directory this test binary was built into (`<target>/debug/deps/e2e-…`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    exe.ancestors().nth(3).expect("the test binary lives in <target>/<profile>/deps").to_path_buf()
}

/// A plugin component built for `wasm32-wasip2` with the `plugin` profile.
pub fn component(crate_name: &str) -> PathBuf {
    let path = target_dir().join("wasm32-wasip2/plugin").join(format!("{crate_name}.wasm"));
    assert!(
        path.is_file(),
        "{} is missing: build the plugins first with scripts/build-plugins.sh (the README's test \
         command does)",
        path.display()
    );
    path
}

/// The `dcmaid` binary next to this test binary; `scripts/test.sh` builds it first.
pub fn dcmaid_binary() -> PathBuf {
    let path = target_dir().join("debug/dcmaid");
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build -p dcmaid-host` first",
        path.display()
    );
    path
}

/// A data directory with a plugins folder to install components into.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox { dir: tempfile::tempdir().expect("a temporary directory") }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn plugins_dir(&self) -> PathBuf {
        self.dir.path().join("plugins")
    }

    /// Install `component` as plugin `name` with `manifest` (TOML without `name` and
    /// `component`, which this adds).
    pub fn install(&self, name: &str, component: &Path, manifest: &str) -> PathBuf {
        let folder = self.plugins_dir().join(name);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::copy(component, folder.join("plugin.wasm")).unwrap();
        let manifest = format!("name = \"{name}\"\ncomponent = \"plugin.wasm\"\n{manifest}");
        std::fs::write(folder.join("plugin.toml"), manifest).unwrap();
        folder
    }

    /// Install the example `hello` persona as it ships.
    pub fn install_hello(&self) {
        self.install_shipped("hello", "examples/hello");
    }

    /// Install the `personality` persona as it ships.
    pub fn install_personality(&self) {
        self.install_shipped("personality", "personality");
    }

    /// Install the `analytics` observer as it ships.
    pub fn install_analytics(&self) {
        self.install_shipped("analytics", "analytics");
    }

    /// Install the `tools` plugin as it ships.
    pub fn install_tools(&self) {
        self.install_shipped("tools", "tools");
    }

    /// Install the example Python tool plugin `dice-py` as it ships.
    pub fn install_dice_py(&self) {
        self.install_shipped("dice-py", "examples/dice-py");
    }

    /// Install the example JavaScript observer plugin `tally-js` as it ships.
    pub fn install_tally_js(&self) {
        self.install_shipped("tally-js", "examples/tally-js");
    }

    /// Install plugin `plugins/<folder>` (named `name`) with the manifest it ships.
    fn install_shipped(&self, name: &str, folder: &str) {
        let shipped = repository().join("plugins").join(folder);
        let manifest = std::fs::read_to_string(shipped.join("plugin.toml")).unwrap();
        let file = manifest
            .lines()
            .find_map(|line| line.strip_prefix("component = \"")?.strip_suffix('"'))
            .expect("the manifest names its component");
        let installed = self.plugins_dir().join(name);
        std::fs::create_dir_all(&installed).unwrap();
        std::fs::copy(component(file.trim_end_matches(".wasm")), installed.join(file)).unwrap();
        std::fs::write(installed.join("plugin.toml"), manifest).unwrap();
    }

    /// Record plugin `name`'s folder as `scripts/build-plugins.sh` records a local build, so
    /// that it is trusted (and known) as built here. Without it, a folder a test installs is
    /// one an operator put in the plugins directory by hand.
    pub fn record_local_build(&self, name: &str) {
        let folder = self.plugins_dir().join(name);
        let manifest = dcmaid_host::manifest::Manifest::load(&folder.join("plugin.toml")).unwrap();
        let digest = dcmaid_host::trust::content_digest(&folder, &manifest).unwrap();
        let vouch = dcmaid_host::trust::Vouch::LocalBuild;
        dcmaid_host::trust::record(&self.plugins_dir(), name, &digest, vouch).unwrap();
    }

    /// Install the `memory` plugin as it ships.
    pub fn install_memory(&self) {
        self.install_shipped("memory", "memory");
    }

    /// Install the misbehaving tool plugin as `misbehave`.
    pub fn install_misbehave(&self) {
        self.install(
            "misbehave",
            &component("misbehave"),
            "version = \"0.1.0\"\nrole = \"tool\"\ncapabilities = [\"kv\", \"llm\", \"scheduler\", \"store\"]\n",
        );
    }

    /// A configuration for this sandbox, with tight limits so failures show quickly.
    pub fn config(&self) -> Config {
        let mut config = Config { data_dir: self.data_dir().to_owned(), ..Config::default() };
        config.limits.call_timeout_ms = 500;
        config.limits.memory_mib = 32;
        config.limits.max_concurrent_calls = 8;
        config
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

/// The root of the repository (for the files it ships, such as `config/`).
pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn plugin_name(name: &str) -> PluginName {
    PluginName::new(name).unwrap()
}
