//! Pushing a plugin to, and pulling one from, our registry or any OCI registry (oci-client,
//! through oci-wasm's Wasm layout). References are `host[:port]/repository:tag`; plain HTTP
//! is used for hosts on loopback (a test's or a developer's registry), HTTPS for the rest.

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use oci_wasm::WasmClient;

use crate::package::{Package, PackageError};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("`{reference}` is not a reference (host/repository:tag): {reason}")]
    Reference { reference: String, reason: String },
    #[error(transparent)]
    Package(#[from] PackageError),
    #[error("{reference}: {reason}")]
    Registry { reference: String, reason: String },
}

fn oci_client_for(reference: &Reference) -> Client {
    let registry = reference.resolve_registry();
    let host = registry.split(':').next().unwrap_or(registry);
    let loopback = host == "localhost" || host == "127.0.0.1" || host == "[::1]";
    let protocol = if loopback { ClientProtocol::Http } else { ClientProtocol::Https };
    Client::new(ClientConfig { protocol, ..ClientConfig::default() })
}

fn client_for(reference: &Reference) -> WasmClient {
    WasmClient::new(oci_client_for(reference))
}

/// The newest tag of `repository` (a reference whose tag is ignored) that is a semantic
/// version matching `requirement`.
pub async fn newest_matching(
    repository: &str,
    requirement: &semver::VersionReq,
) -> Result<Option<semver::Version>, ClientError> {
    let parsed = parse_reference(repository)?;
    let tags = oci_client_for(&parsed)
        .list_tags(&parsed, &RegistryAuth::Anonymous, None, None)
        .await
        .map_err(|e| ClientError::Registry {
            reference: repository.to_owned(),
            reason: e.to_string(),
        })?;
    let versions = tags.tags.iter().filter_map(|tag| semver::Version::parse(tag).ok());
    Ok(versions.filter(|version| requirement.matches(version)).max())
}

pub fn parse_reference(text: &str) -> Result<Reference, ClientError> {
    text.parse().map_err(|e: oci_client::ParseError| ClientError::Reference {
        reference: text.to_owned(),
        reason: e.to_string(),
    })
}

/// Push `package` as `reference`; the manifest's digest.
pub async fn push(
    package: &Package,
    reference: &str,
    token: Option<&str>,
) -> Result<String, ClientError> {
    let parsed = parse_reference(reference)?;
    let (config, layer, annotations) = package.to_artifact()?;
    let auth = match token {
        Some(token) => RegistryAuth::Bearer(token.to_owned()),
        None => RegistryAuth::Anonymous,
    };
    let failed = |e: anyhow::Error| ClientError::Registry {
        reference: reference.to_owned(),
        reason: format!("{e:#}"),
    };
    let pushed = client_for(&parsed)
        .push(&parsed, &auth, layer, config, Some(annotations))
        .await
        .map_err(failed)?;
    Ok(pushed.manifest_url)
}

/// Pull the plugin at `reference`.
pub async fn pull(reference: &str) -> Result<Package, ClientError> {
    let parsed = parse_reference(reference)?;
    let failed = |e: anyhow::Error| ClientError::Registry {
        reference: reference.to_owned(),
        reason: format!("{e:#}"),
    };
    let image =
        client_for(&parsed).pull(&parsed, &RegistryAuth::Anonymous).await.map_err(failed)?;
    let annotations = image.manifest.and_then(|m| m.annotations).unwrap_or_default();
    let layer = image.layers.into_iter().next().ok_or_else(|| ClientError::Registry {
        reference: reference.to_owned(),
        reason: "no layer".to_owned(),
    })?;
    Ok(Package::from_artifact(&annotations, layer.data.to_vec())?)
}
