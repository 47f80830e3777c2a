//! `dcmaid plugin publish | review | install | upgrade | remove | keygen | sign`: plugins
//! from OCI registries, and the publisher's side of signing them.

use std::path::Path;

use anyhow::Context;
use dcmaid_host::Config;
use dcmaid_host::bot::SwapAction;
use dcmaid_host::core::Progress;
use dcmaid_host::install::Allow;

/// `dcmaid plugin publish FOLDER REFERENCE`.
pub async fn publish(folder: &Path, reference: &str, token_env: &str) -> anyhow::Result<()> {
    let package = dcmaid_registry::package::Package::from_folder(folder)?;
    let token = std::env::var(token_env).ok().filter(|t| !t.trim().is_empty());
    let size = package.component.len() as u64;
    let progress = Progress::steps(&format!("pushing {reference} ({})", megabytes(size)), 0);
    let pushed = dcmaid_registry::client::push(&package, reference, token.as_deref()).await?;
    progress.finish("pushed");
    let signed = if package.signature.is_some() { "signed" } else { "unsigned" };
    println!(
        "published {} {} ({signed}) as {reference}: {pushed}",
        package.summary.name, package.summary.version
    );
    Ok(())
}

/// `dcmaid plugin install REFERENCE [--version REQ]`.
/// `reference` with a tag: `host/repository@REQ` or `--version REQ` resolved to the newest
/// matching version, a bare `host/repository` to the newest of all.
async fn resolved(reference: &str, version: Option<&str>) -> anyhow::Result<String> {
    // `host/repository@^0.2`: a version requirement, not a digest.
    let (reference, version) = match reference.split_once('@') {
        Some((repository, requirement)) if !requirement.starts_with("sha256:") => {
            (repository, Some(requirement))
        }
        _ => (reference, version),
    };
    Ok(match version {
        Some(requirement) => dcmaid_host::install::resolve(reference, requirement).await?,
        None if !reference.rsplit('/').next().unwrap_or(reference).contains(':') => {
            dcmaid_host::install::resolve(reference, "*").await?
        }
        None => reference.to_owned(),
    })
}

pub async fn review(config: &Config, reference: &str, allow: Allow) -> anyhow::Result<()> {
    let reference = resolved(reference, None).await?;
    let review = dcmaid_host::install::review(config, &reference, allow).await?;
    println!("{} {} ({reference})", review.name, review.version);
    println!("  {}", review.description);
    println!("  publisher: {}", review.publisher.as_deref().unwrap_or("(none)"));
    println!("  identity: {}", review.identity);
    for capability in &review.capabilities {
        let state = if capability.granted { "granted by the config" } else { "NOT granted" };
        println!("  capability {}: {state}", capability.name);
    }
    if review.capabilities.is_empty() {
        println!("  capabilities: (none)");
    }
    println!("  hosts it asks to reach: {}", list_or_none(&review.http_hosts));
    match &review.refused {
        None => println!("  this host would load it"),
        Some(why) => println!("  this host would refuse it: {why}"),
    }
    Ok(())
}

pub async fn install(
    config: Config,
    reference: &str,
    version: Option<&str>,
    allow: Allow,
) -> anyhow::Result<()> {
    let reference = resolved(reference, version).await?;
    let progress = Progress::steps(&format!("pulling {reference}"), 0);
    let package = dcmaid_registry::client::pull(&reference).await?;
    progress.finish(&format!("pulled {}", megabytes(package.component.len() as u64)));
    let installed = dcmaid_host::install::install_package(&config, &package, &reference, allow)?;
    match &installed.replaced {
        Some(old) => println!(
            "installed {} {} (was {old}) from {reference}",
            installed.name, installed.version
        ),
        None => println!("installed {} {} from {reference}", installed.name, installed.version),
    }
    println!("  identity: {}", installed.identity);
    if let Some(replaced) = &installed.replaced_identity {
        println!("  replaced {replaced}, whose data stays its own");
    }
    println!("  granted: {}", list_or_none(&installed.granted));
    if !installed.not_granted.is_empty() {
        println!(
            "  requested but not granted (grant in [plugins.{}] grant or default_grants): {}",
            installed.name,
            installed.not_granted.join(", ")
        );
    }
    println!("  hosts it asks to reach: {}", list_or_none(&installed.http_hosts));
    // A running bot swaps it in; without one, the next start loads it.
    if let Err(error) = super::plugins::swap(&config, &installed.name, SwapAction::Reload).await {
        println!("  not swapped into a running bot: {error:#}");
    }
    Ok(())
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() { "none".to_owned() } else { items.join(", ") }
}

/// `dcmaid plugin upgrade NAME`.
pub async fn upgrade(config: Config, name: &str, allow: Allow) -> anyhow::Result<()> {
    let origin = dcmaid_host::install::origin(&config, name)
        .with_context(|| format!("`{name}` was not installed from a registry"))?;
    let repository = origin.rsplit_once(':').map_or(origin.as_str(), |(repository, _)| repository);
    install(config, repository, Some("*"), allow).await
}

/// `dcmaid plugin remove NAME`.
pub fn remove(config: &Config, name: &str) -> anyhow::Result<()> {
    dcmaid_host::core::PluginName::new(name).map_err(anyhow::Error::msg)?;
    let folder = config.plugins_dir().join(name);
    anyhow::ensure!(folder.is_dir(), "no plugin `{name}` in {}", config.plugins_dir().display());
    std::fs::remove_dir_all(&folder).with_context(|| format!("removing {}", folder.display()))?;
    println!("removed {name}; a running bot keeps serving it until it restarts");
    Ok(())
}

/// `dcmaid plugin keygen --out FILE`.
pub fn keygen(out: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(!out.exists(), "{} exists; not overwriting a key", out.display());
    let (secret, public) = dcmaid_host::trust::keygen()?;
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    let mut file = file.open(out).with_context(|| format!("writing {}", out.display()))?;
    std::io::Write::write_all(&mut file, format!("{}\n", secret.to_hex()).as_bytes())?;
    println!("secret key written to {} (keep it private)", out.display());
    println!("public key: {public}");
    println!("operators trust it with:\n[trust.publishers]\nyour-name = \"{public}\"");
    Ok(())
}

/// `dcmaid plugin sign FOLDER --key FILE --publisher NAME`.
pub fn sign(folder: &Path, key: &Path, publisher: &str) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(key).with_context(|| format!("reading {}", key.display()))?;
    let secret = dcmaid_host::trust::SecretKey::parse(&text)
        .map_err(|why| anyhow::anyhow!("{}: {why}", key.display()))?;
    let signature = dcmaid_host::trust::sign(folder, &secret, publisher)?;
    println!("signed {} as {publisher}: {}", folder.display(), signature.digest);
    Ok(())
}

/// `bytes` for a person: `1.4 MB`.
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}
