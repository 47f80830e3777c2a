//! Installing a plugin from an OCI registry (ours or any other) into the plugins
//! directory. The pulled plugin is written beside the installed ones, checked as the host
//! would check it at load (its WIT version), and only then moved into place; the folder it
//! replaces is kept as `<name>.previous`. It must be signed by a publisher `[trust]`
//! trusts, unless the operator installs it unsigned on purpose (recorded by its digest, see
//! `crate::trust::record`); it must be the same plugin as the one it replaces (the same
//! publisher), unless the operator replaces that one on purpose; and not older than it,
//! unless the operator downgrades on purpose. What it asks for (capabilities, hosts) is
//! reported against what the operator's config grants.

use std::path::{Path, PathBuf};

use dcmaid_registry::client::{self, ClientError};
use dcmaid_registry::package::{Package, PackageError, Summary};
use serde::Serialize;

use crate::config::Config;
use crate::plugin::{LoadError, Manifest, component_version, wit_declared};
use crate::trust::{self, Identity, Policy, Standing, Vouch};
use crate::wit::WitVersion;

/// Where an installed plugin came from (beside its files; not part of what is signed).
const ORIGIN: &str = ".origin";

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error(transparent)]
    Registry(#[from] ClientError),
    #[error("the uploaded plugin does not read: {0}")]
    Package(#[from] PackageError),
    #[error("{repository} has no version matching {requirement}")]
    NoMatch { repository: String, requirement: String },
    /// Boxed: a load's errors are large, and every install returns one.
    #[error("the pulled plugin is refused: {0}")]
    Refused(Box<LoadError>),
    #[error(
        "`{plugin}` asks for {} that the config does not grant; grant them ([plugins.{plugin}] \
         grant, or default_grants), or install it without them",
        missing.join(", ")
    )]
    NotGranted { plugin: String, missing: Vec<String> },
    #[error(
        "`{plugin}` {installed} is installed and {offered} is older: a downgrade puts back what \
         later versions fixed; allow it for this install (`dcmaid plugin install --downgrade`, \
         `\"downgrade\": true`) if that is what you want"
    )]
    Downgrade { plugin: String, installed: String, offered: String },
    #[error(
        "{offered} is not the plugin installed under that name ({installed}): another \
         publisher's. Installing it would replace that plugin, whose data stays its own; \
         replace it on purpose (`dcmaid plugin install --replace`, `\"replace\": true`) if that \
         is what you want"
    )]
    Impostor { installed: String, offered: String },
    #[error(
        "`{plugin}` is refused: {reason}. Installs must be signed by a publisher [trust] \
         publishers trusts (README: Signed plugins); install it unsigned on purpose \
         (`dcmaid plugin install --allow-unsigned`, `\"allow_unsigned\": true`) if you vouch \
         for it"
    )]
    Untrusted { plugin: String, reason: trust::Untrusted },
    #[error("writing {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// What the operator allows one install beyond the usual.
#[derive(Debug, Clone, Copy, Default)]
pub struct Allow {
    /// Install it even if it requests capabilities the config does not grant (those calls
    /// fail until they are granted).
    pub ungranted: bool,
    /// Install a version older than the one installed.
    pub downgrade: bool,
    /// Install it in place of another publisher's plugin of the same name (whose data stays
    /// its own).
    pub replace: bool,
    /// Install it without a trusted signature: the operator vouches for it, by its digest.
    pub unsigned: bool,
}

impl From<LoadError> for InstallError {
    fn from(error: LoadError) -> Self {
        InstallError::Refused(Box::new(error))
    }
}

/// An installed plugin, and what it asks of the operator.
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Installed {
    pub name: String,
    pub version: String,
    /// Where it came from: a registry reference, or `upload`.
    pub reference: String,
    #[oai(skip)]
    pub folder: PathBuf,
    /// Requested and granted by the config.
    pub granted: Vec<String>,
    /// Requested, not granted: calls to them fail until the operator grants them.
    pub not_granted: Vec<String>,
    pub http_hosts: Vec<String>,
    pub replaced: Option<String>,
    /// The version of `dcmaid:bot` its component is built against.
    pub wit: String,
    /// Who it is: its name and publisher (`\`hello\` signed by ed25519:3d4017c3…`).
    pub identity: String,
    /// The other publisher's plugin it replaced (`--replace`), whose data stays its own.
    pub replaced_identity: Option<String>,
}

/// `repository` (`host/repo`) at the newest version matching `requirement`, as a reference.
pub async fn resolve(repository: &str, requirement: &str) -> Result<String, InstallError> {
    let req = semver::VersionReq::parse(requirement).map_err(|e| InstallError::NoMatch {
        repository: repository.to_owned(),
        requirement: format!("{requirement} ({e})"),
    })?;
    match client::newest_matching(repository, &req).await? {
        Some(version) => Ok(format!("{repository}:{version}")),
        None => Err(InstallError::NoMatch {
            repository: repository.to_owned(),
            requirement: requirement.to_owned(),
        }),
    }
}

/// A capability a plugin requests, and whether the config grants it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, poem_openapi::Object)]
pub struct Requested {
    pub name: String,
    pub granted: bool,
}

/// What a plugin in a registry asks for, read before it is installed or granted anything.
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Review {
    pub name: String,
    pub version: String,
    pub description: String,
    pub publisher: Option<String>,
    /// Each capability it requests, and whether the config grants it.
    pub capabilities: Vec<Requested>,
    pub http_hosts: Vec<String>,
    /// The version of `dcmaid:bot` its component is built against, when this host speaks it.
    pub wit: Option<String>,
    /// Who it is: its name and publisher.
    pub identity: String,
    /// Why this host would refuse it (its signature under `[trust]`, its WIT version, or
    /// another publisher's plugin installed under its name).
    pub refused: Option<String>,
}

/// Pull `reference` into a scratch folder, check it as an install would, and report what it
/// asks for against what `config` grants. Nothing is installed.
pub async fn review(
    config: &Config,
    reference: &str,
    allow: Allow,
) -> Result<Review, InstallError> {
    review_package(config, &client::pull(reference).await?, allow)
}

/// What `package` asks for against what `config` grants, read in a scratch folder, and why
/// an install with `allow` would refuse it.
pub fn review_package(
    config: &Config,
    package: &Package,
    allow: Allow,
) -> Result<Review, InstallError> {
    check_names(package)?;
    let scratch = tempfile::tempdir()
        .map_err(|source| InstallError::Write { path: std::env::temp_dir(), source })?;
    let folder = scratch.path().join(&package.summary.name);
    package
        .write_folder(&folder)
        .map_err(|source| InstallError::Write { path: folder.clone(), source })?;
    let manifest = Manifest::load(&folder.join("plugin.toml")).map_err(LoadError::from)?;
    let standing = trust::standing(&folder, &manifest, &config.trust);
    let identity = standing.identity.to_string();
    let vetted = checked(&folder, &manifest, config, standing, allow);
    let wit = vetted.as_ref().ok().map(|(_, version)| version.to_string());
    let refused = vetted.err().map(|error| error.to_string());
    let granted = config.plugin_policy().effective_grants(&manifest.name, &manifest.capabilities);
    Ok(Review {
        name: manifest.name.to_string(),
        version: manifest.version.to_string(),
        description: package.summary.description.clone(),
        publisher: package.summary.publisher.clone(),
        capabilities: manifest
            .capabilities
            .iter()
            .map(|capability| Requested {
                name: capability.to_string(),
                granted: granted.contains(capability),
            })
            .collect(),
        http_hosts: manifest.http_hosts.iter().map(|h| h.as_str().to_owned()).collect(),
        wit,
        identity,
        refused,
    })
}

/// Pull `reference` and install it into the plugins directory. A plugin that asks for
/// capabilities the config does not grant is refused, unless `allow.ungranted` (it then
/// runs with those calls failing); one older than the version installed, unless
/// `allow.downgrade`.
pub async fn install(
    config: &Config,
    reference: &str,
    allow: Allow,
) -> Result<Installed, InstallError> {
    install_package(config, &client::pull(reference).await?, reference, allow)
}

/// A package from its parts, as an operator uploads them: `plugin.toml`, the component it
/// names, and the publisher's signature if there is one.
pub fn uploaded(
    manifest: String,
    component: Vec<u8>,
    signature: Option<String>,
) -> Result<Package, InstallError> {
    let summary = Summary::parse(&manifest)?;
    Ok(Package { summary, manifest, signature, component })
}

/// Install `package` (which came from `origin`) as [`install`] does.
pub fn install_package(
    config: &Config,
    package: &Package,
    origin: &str,
    allow: Allow,
) -> Result<Installed, InstallError> {
    let name = package.summary.name.clone();
    check_names(package)?;
    let plugins = config.plugins_dir();
    let staging = plugins.join(format!(".installing-{name}"));
    let write = |path: &Path, source| InstallError::Write { path: path.to_owned(), source };
    let _ = std::fs::remove_dir_all(&staging);
    package.write_folder(&staging).map_err(|e| write(&staging, e))?;
    let manifest = Manifest::load(&staging.join("plugin.toml"))
        .map_err(|e| InstallError::from(LoadError::from(e)));
    let vetted = manifest.and_then(|manifest| {
        let standing = trust::standing(&staging, &manifest, &config.trust);
        checked(&staging, &manifest, config, standing, allow).map(|vetted| (manifest, vetted))
    });
    let (manifest, (standing, wit)) = match vetted {
        Ok(vetted) => vetted,
        Err(error) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(error);
        }
    };
    let granted = config.plugin_policy().effective_grants(&manifest.name, &manifest.capabilities);
    let missing: Vec<String> =
        manifest.capabilities.difference(&granted).map(ToString::to_string).collect();
    if !missing.is_empty() && !allow.ungranted {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(InstallError::NotGranted { plugin: name, missing });
    }
    let folder = plugins.join(&name);
    let installed = Manifest::load(&folder.join("plugin.toml")).ok().map(|m| m.version);
    if let Some(installed) = installed.filter(|v| *v > manifest.version && !allow.downgrade) {
        let _ = std::fs::remove_dir_all(&staging);
        let offered = manifest.version.to_string();
        return Err(InstallError::Downgrade {
            plugin: name,
            installed: installed.to_string(),
            offered,
        });
    }
    std::fs::write(staging.join(ORIGIN), origin).map_err(|e| write(&staging, e))?;
    // An unsigned plugin the operator allowed: recorded by its digest, so that it loads.
    if standing.trusted.is_err() && allow.unsigned {
        let digest = trust::content_digest(&staging, &manifest).map_err(|e| write(&staging, e))?;
        let record = plugins.join(trust::LOCAL_BUILDS);
        trust::record(&plugins, &name, &digest, Vouch::Unsigned).map_err(|e| write(&record, e))?;
    }

    let previous = plugins.join(format!("{name}.previous"));
    let installed = Manifest::load(&folder.join("plugin.toml")).ok();
    let replaced = installed.as_ref().map(|m| m.version.to_string());
    let replaced_identity = installed
        .map(|m| trust::standing(&folder, &m, &config.trust).identity)
        .filter(|identity| *identity != standing.identity)
        .map(|identity| identity.to_string());
    if folder.exists() {
        let _ = std::fs::remove_dir_all(&previous);
        std::fs::rename(&folder, &previous).map_err(|e| write(&previous, e))?;
    }
    std::fs::rename(&staging, &folder).map_err(|e| write(&folder, e))?;

    Ok(Installed {
        name,
        version: manifest.version.to_string(),
        reference: origin.to_owned(),
        folder,
        granted: granted.iter().map(ToString::to_string).collect(),
        not_granted: missing,
        http_hosts: manifest.http_hosts.iter().map(|h| h.as_str().to_owned()).collect(),
        replaced,
        wit: wit.to_string(),
        identity: standing.identity.to_string(),
        replaced_identity,
    })
}

/// What the host checks of the plugin in `folder` (which stands as `standing`) before it is
/// installed: signed by a trusted publisher (unless `allow.unsigned`, or the operator checks
/// no signatures); the same publisher's as the plugin installed under its name, if any
/// (unless `allow.replace`); and, as a load would, the version of `dcmaid:bot` its component
/// is really built against, which the host must speak and the manifest, if it says one, must
/// name.
fn checked(
    folder: &Path,
    manifest: &Manifest,
    config: &Config,
    standing: Standing,
    allow: Allow,
) -> Result<(Standing, WitVersion), InstallError> {
    let plugin = manifest.name.to_string();
    wit_declared(manifest)?;
    if let Err(reason) = &standing.trusted
        && config.trust.policy != Policy::Off
        && !allow.unsigned
    {
        return Err(InstallError::Untrusted { plugin, reason: reason.clone() });
    }
    if let Some(installed) = installed_identity(config, manifest)
        && installed != standing.identity
        && !allow.replace
    {
        let (installed, offered) = (installed.to_string(), standing.identity.to_string());
        return Err(InstallError::Impostor { installed, offered });
    }
    let path = folder.join(&manifest.component);
    let bytes = std::fs::read(&path).map_err(|source| LoadError::ReadComponent {
        plugin: plugin.clone(),
        path: path.clone(),
        source,
    })?;
    Ok((standing, component_version(manifest, &path, &bytes)?))
}

/// Who the plugin installed under `manifest`'s name is, if one is.
fn installed_identity(config: &Config, manifest: &Manifest) -> Option<Identity> {
    let folder = config.plugins_dir().join(manifest.name.as_str());
    let installed = Manifest::load(&folder.join("plugin.toml")).ok()?;
    Some(trust::standing(&folder, &installed, &config.trust).identity)
}

/// The package's name and component file name, which become paths: a plugin name, and a
/// plain file name (no folder, no `..`), whoever made the package.
fn check_names(package: &Package) -> Result<(), InstallError> {
    let refuse = |field: &str, reason: String| {
        InstallError::Package(PackageError::Manifest(format!("`{field}`: {reason}")))
    };
    crate::core::PluginName::new(&package.summary.name).map_err(|r| refuse("name", r))?;
    let component = &package.summary.component;
    let plain = Path::new(component).file_name().is_some_and(|f| f == component.as_str());
    if !plain || component.starts_with('.') {
        return Err(refuse("component", format!("`{component}` must be a file name")));
    }
    Ok(())
}

/// Where the plugin installed as `name` came from, for an upgrade.
pub fn origin(config: &Config, name: &str) -> Option<String> {
    std::fs::read_to_string(config.plugins_dir().join(name).join(ORIGIN)).ok()
}
