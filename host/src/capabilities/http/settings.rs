//! `[http]` in `dcmaid.toml`: where plugins' outgoing HTTP (`wasi:http`) may go, how long
//! it may take, how much may come back.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::allowlist::Allowlist;
use super::client::HttpLimits;
use crate::core::{FileError, check_range};

/// The seed's `config/allowed_domains.txt`, the allowlist when none is configured.
const SEED_ALLOWLIST: &str = include_str!("../../../../config/allowed_domains.txt");

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// The allowlist, in the seed's `allowed_domains.txt` format; relative to `dcmaid.toml`.
    /// None: the seed's list, built in (DuckDuckGo, GitHub, OpenWeatherMap, Reddit).
    pub allowlist_file: Option<PathBuf>,
    /// A whole exchange, from connecting to the last byte of the response, in milliseconds.
    pub timeout_ms: u64,
    /// The largest response body a plugin may receive.
    pub max_response_bytes: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig { allowlist_file: None, timeout_ms: 2_000, max_response_bytes: 1 << 20 }
    }
}

impl HttpConfig {
    /// Rules serde cannot express; the message names the field.
    pub fn check(&self) -> Result<(), String> {
        check_range("http.timeout_ms", self.timeout_ms, 1..=600_000)?;
        if self.max_response_bytes == 0 {
            return Err("http.max_response_bytes: expected more than 0, got 0".to_owned());
        }
        Ok(())
    }

    /// The operator's allowlist: the file's, or the seed's.
    pub fn allowlist(&self) -> Result<Allowlist, FileError> {
        let Some(path) = &self.allowlist_file else {
            return Ok(Allowlist::parse(SEED_ALLOWLIST).expect("the built-in allowlist parses"));
        };
        let text = std::fs::read_to_string(path).map_err(|e| FileError::read(path, e))?;
        Allowlist::parse(&text).map_err(|message| FileError::invalid(path, message))
    }

    pub fn limits(&self) -> HttpLimits {
        HttpLimits {
            timeout: Duration::from_millis(self.timeout_ms),
            max_response_bytes: self.max_response_bytes,
        }
    }
}
