//! An uploaded plugin: `plugin.toml`, the component, the publisher's signature if any, and
//! what the operator allows the install, as multipart form fields, each read only up to its
//! size limit.

use poem_openapi::Multipart;
use poem_openapi::types::multipart::Upload;

use super::error::ApiError;
use crate::install;

/// The largest component an upload may carry: plugin components are a few MiB; a Python
/// one about 40.
const MAX_COMPONENT_BYTES: usize = 64 * 1024 * 1024;
/// The largest manifest or signature an upload may carry.
const MAX_TEXT_FILE_BYTES: usize = 64 * 1024;

/// A plugin's files, as a plugin folder holds them.
#[derive(Debug, Multipart)]
#[oai(deny_unknown_fields)]
pub struct PluginUpload {
    /// `plugin.toml`.
    manifest: Upload,
    /// The component the manifest names (`component = "…"`).
    component: Upload,
    /// `plugin.sig`, the publisher's signature, when there is one.
    signature: Option<Upload>,
    /// `true` to install it even if it requests capabilities the config does not grant.
    without_ungranted: Option<bool>,
    /// `true` to install it even if it is older than the version installed.
    downgrade: Option<bool>,
    /// `true` to install it in place of another publisher's plugin of the same name.
    replace: Option<bool>,
    /// `true` to install it without a trusted publisher's signature.
    allow_unsigned: Option<bool>,
}

async fn read_text(upload: Upload, field: &str) -> Result<String, ApiError> {
    let bytes = read_bytes(upload, field, MAX_TEXT_FILE_BYTES).await?;
    String::from_utf8(bytes)
        .map_err(|_| ApiError::unprocessable_at(field, format!("`{field}` is not UTF-8 text")))
}

async fn read_bytes(upload: Upload, field: &str, max: usize) -> Result<Vec<u8>, ApiError> {
    if upload.size() > max {
        let message = format!("`{field}` is larger than {max} bytes");
        return Err(ApiError::bad_request(Some(field), message));
    }
    upload
        .into_vec()
        .await
        .map_err(|e| ApiError::bad_request(Some(field), format!("cannot read `{field}`: {e}")))
}

impl PluginUpload {
    /// The package and what the operator allows its install.
    pub async fn into_package(
        self,
    ) -> Result<(dcmaid_registry::package::Package, install::Allow), ApiError> {
        let manifest = read_text(self.manifest, "manifest").await?;
        let component = read_bytes(self.component, "component", MAX_COMPONENT_BYTES).await?;
        let signature = match self.signature {
            Some(signature) => Some(read_text(signature, "signature").await?),
            None => None,
        };
        let package = install::uploaded(manifest, component, signature)
            .map_err(|error| ApiError::unprocessable_at("manifest", error.to_string()))?;
        let allow = install::Allow {
            ungranted: self.without_ungranted.unwrap_or(false),
            downgrade: self.downgrade.unwrap_or(false),
            replace: self.replace.unwrap_or(false),
            unsigned: self.allow_unsigned.unwrap_or(false),
        };
        Ok((package, allow))
    }
}
