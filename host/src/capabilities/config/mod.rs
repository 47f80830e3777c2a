//! `dcmaid:bot/config`: the plugin's settings, manifest defaults overridden by the operator
//! ([`Settings`]).

mod settings;

pub use settings::Settings;

use super::access::Access;
use super::provider::{PluginInfo, Prepared, Provider, linked};
use crate::core::Capability;
use crate::wit::latest::dcmaid::bot::config as wit;

/// The `config` capability; every plugin has it.
pub struct Config;

impl Provider for Config {
    const GRANT: Option<Capability> = None;
    type Shared = ();
    type Plugin = Settings;

    async fn prepare(_: &(), info: &PluginInfo<'_>) -> Prepared<Settings> {
        Ok(Settings::merged(info.defaults, info.overrides))
    }

    linked!(wit);
}

impl wit::Host for Access<Settings> {
    fn get(&mut self, key: String) -> Option<String> {
        self.granted().ok()?.text(&key)
    }

    fn all(&mut self) -> String {
        self.granted().map_or_else(|_| "{}".to_owned(), Settings::to_json_text)
    }
}
