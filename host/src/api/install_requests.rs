//! What an operator sends to review or install a plugin from a registry: the reference, and
//! what the install may do beyond the usual.

use poem_openapi::Object;
use serde::Deserialize;

use super::body::Checked;
use super::error::ApiError;

/// A plugin in a registry.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
#[oai(deny_unknown_fields)]
pub struct ReviewRequest {
    /// `host/repository:version`, e.g. `registry.example.org/dcmaid/hello:0.2.0`. One that
    /// does not read as a reference is refused with 422.
    #[oai(validator(max_length = 512, pattern = r"^[^\s/]+/[^\s]+$"))]
    pub(super) reference: String,
    /// Review it as an install that may be unsigned (the operator vouches for it).
    #[serde(default)]
    pub(super) allow_unsigned: bool,
    /// Review it as an install that may replace another publisher's plugin of its name.
    #[serde(default)]
    pub(super) replace: bool,
}

/// A plugin to install from a registry.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
#[oai(deny_unknown_fields)]
pub struct InstallRequest {
    /// `host/repository:version`, e.g. `registry.example.org/dcmaid/hello:0.2.0`. One that
    /// does not read as a reference is refused with 422.
    #[oai(validator(max_length = 512, pattern = r"^[^\s/]+/[^\s]+$"))]
    pub(super) reference: String,
    /// Install it even if it requests capabilities the config does not grant; calls to
    /// those fail until they are granted.
    #[serde(default)]
    pub(super) without_ungranted: bool,
    /// Install it even if it is older than the version installed.
    #[serde(default)]
    pub(super) downgrade: bool,
    /// Install it in place of another publisher's plugin of the same name, whose data stays
    /// its own.
    #[serde(default)]
    pub(super) replace: bool,
    /// Install it without a trusted publisher's signature: the operator vouches for it.
    #[serde(default)]
    pub(super) allow_unsigned: bool,
}

/// Not the schema's shape (`host/repository...`, no blanks): 400; that shape, but not a
/// reference: 422.
fn check_reference(reference: &str) -> Result<(), ApiError> {
    let shaped = reference.split_once('/').is_some_and(|(host, rest)| {
        !host.is_empty() && !rest.is_empty() && !reference.chars().any(char::is_whitespace)
    });
    if !shaped || reference.chars().count() > 512 {
        let message = format!("`{reference}` is not a reference (host/repository:tag)");
        return Err(ApiError::bad_request(Some("reference"), message));
    }
    dcmaid_registry::client::parse_reference(reference)
        .map(drop)
        .map_err(|e| ApiError::unprocessable_at("reference", e.to_string()))
}

impl Checked for ReviewRequest {
    fn check(&self) -> Result<(), ApiError> {
        check_reference(&self.reference)
    }
}

impl Checked for InstallRequest {
    fn check(&self) -> Result<(), ApiError> {
        check_reference(&self.reference)
    }
}
