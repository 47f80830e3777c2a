//! A plugin as an OCI artifact: the component is the one `application/wasm` layer, with
//! the Wasm config (oci-wasm); `plugin.toml` and `plugin.sig` travel as manifest annotations,
//! beside the standard title, version, description and authors.

use std::collections::BTreeMap;
use std::path::Path;

use oci_client::client::ImageLayer;
use oci_wasm::WasmConfig;

/// The annotation holding `plugin.toml`'s text, base64 (oci-client writes manifests as
/// canonical JSON, which leaves control characters such as newlines unescaped, and
/// registries then refuse the manifest).
pub const MANIFEST_ANNOTATION: &str = "dev.dcmaid.plugin.manifest";
/// The annotation holding `plugin.sig`'s text, base64, when the plugin is signed.
pub const SIGNATURE_ANNOTATION: &str = "dev.dcmaid.plugin.signature";
/// The version of dcmaid's WIT the plugin is built against, as its manifest says.
pub const WIT_ANNOTATION: &str = "dev.dcmaid.wit";

/// An annotation's text from its base64.
pub fn decode(annotation: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(annotation).ok()?;
    String::from_utf8(bytes).ok()
}

fn encode(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("{path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("plugin.toml: {0}")]
    Manifest(String),
    #[error("the component: {0}")]
    Component(String),
    #[error("the artifact has no {0} annotation: not a dcmaid plugin")]
    Missing(&'static str),
}

/// What `plugin.toml` says that a registry shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub name: String,
    pub version: String,
    pub description: String,
    pub publisher: Option<String>,
    pub component: String,
    pub capabilities: Vec<String>,
    pub http_hosts: Vec<String>,
    /// The version of dcmaid's WIT the plugin says it is built against.
    pub wit: Option<String>,
}

impl Summary {
    pub fn parse(text: &str) -> Result<Summary, PackageError> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| PackageError::Manifest(e.to_string()))?;
        let text_of = |key: &str| table.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let list = |key: &str| -> Vec<String> {
            let values = table.get(key).and_then(|v| v.as_array()).cloned().unwrap_or_default();
            values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
        };
        let required = |key: &str| {
            text_of(key).ok_or_else(|| PackageError::Manifest(format!("`{key}` is missing")))
        };
        Ok(Summary {
            name: required("name")?,
            version: required("version")?,
            description: text_of("description").unwrap_or_default(),
            publisher: text_of("publisher"),
            component: required("component")?,
            capabilities: list("capabilities"),
            http_hosts: list("http_hosts"),
            wit: text_of("wit"),
        })
    }
}

/// A plugin folder, read for publishing.
pub struct Package {
    pub summary: Summary,
    pub manifest: String,
    pub signature: Option<String>,
    pub component: Vec<u8>,
}

fn read(path: &Path) -> Result<Vec<u8>, PackageError> {
    std::fs::read(path)
        .map_err(|source| PackageError::Read { path: path.display().to_string(), source })
}

impl Package {
    pub fn from_folder(folder: &Path) -> Result<Package, PackageError> {
        let manifest = String::from_utf8_lossy(&read(&folder.join("plugin.toml"))?).into_owned();
        let summary = Summary::parse(&manifest)?;
        let component = read(&folder.join(&summary.component))?;
        let signature = std::fs::read_to_string(folder.join("plugin.sig")).ok();
        Ok(Package { summary, manifest, signature, component })
    }

    /// The OCI config, the layer and the manifest's annotations.
    pub fn to_artifact(
        &self,
    ) -> Result<(WasmConfig, ImageLayer, BTreeMap<String, String>), PackageError> {
        let (config, layer) =
            WasmConfig::from_raw_component(self.component.clone(), self.summary.publisher.clone())
                .map_err(|e| PackageError::Component(format!("{e:#}")))?;
        let mut annotations = BTreeMap::from([
            ("org.opencontainers.image.title".to_owned(), self.summary.name.clone()),
            ("org.opencontainers.image.version".to_owned(), self.summary.version.clone()),
            ("org.opencontainers.image.description".to_owned(), self.summary.description.clone()),
            (MANIFEST_ANNOTATION.to_owned(), encode(&self.manifest)),
        ]);
        if let Some(publisher) = &self.summary.publisher {
            annotations.insert("org.opencontainers.image.authors".to_owned(), publisher.clone());
        }
        if let Some(signature) = &self.signature {
            annotations.insert(SIGNATURE_ANNOTATION.to_owned(), encode(signature));
        }
        if let Some(wit) = &self.summary.wit {
            annotations.insert(WIT_ANNOTATION.to_owned(), wit.clone());
        }
        Ok((config, layer, annotations))
    }

    /// A package back from a pulled artifact's annotations and layer.
    pub fn from_artifact(
        annotations: &BTreeMap<String, String>,
        component: Vec<u8>,
    ) -> Result<Package, PackageError> {
        let manifest = annotations
            .get(MANIFEST_ANNOTATION)
            .and_then(|text| decode(text))
            .ok_or(PackageError::Missing(MANIFEST_ANNOTATION))?;
        let summary = Summary::parse(&manifest)?;
        let signature = annotations.get(SIGNATURE_ANNOTATION).and_then(|text| decode(text));
        Ok(Package { summary, manifest, signature, component })
    }

    /// Write the plugin's folder: `plugin.toml`, the component, `plugin.sig` if signed.
    pub fn write_folder(&self, folder: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(folder)?;
        std::fs::write(folder.join("plugin.toml"), &self.manifest)?;
        std::fs::write(folder.join(&self.summary.component), &self.component)?;
        match &self.signature {
            Some(signature) => std::fs::write(folder.join("plugin.sig"), signature),
            None => match std::fs::remove_file(folder.join("plugin.sig")) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
                _ => Ok(()),
            },
        }
    }
}
