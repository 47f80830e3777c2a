//! Plugins through OCI registries: published to our registry and to Debian's
//! `docker-registry` (the reference implementation, distribution 2.8), pulled and installed
//! from each, checked before they are put in place.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dcmaid_host::Bot;
use dcmaid_host::install::{Allow, InstallError, install, resolve, review};
use dcmaid_host::trust::{Policy, SecretKey, TrustConfig, keygen, sign};
use dcmaid_registry::client::push;
use dcmaid_registry::package::Package;
use dcmaid_registry::server::{Registry, routes};
use dcmaid_registry::store::Store;
use dcmaid_tests::{Sandbox, component};
use poem::listener::{Acceptor, Listener, TcpListener};

use crate::say;

const TOKEN: &str = "publish-token";
/// Installs that may leave capabilities ungranted.
const UNGRANTED: Allow =
    Allow { ungranted: true, downgrade: false, replace: false, unsigned: false };

/// Our registry on a free port of 127.0.0.1; its `host:port`.
async fn our_registry(root: &Path) -> String {
    let registry = Arc::new(Registry::new(Store::open(root).unwrap(), Some(TOKEN.into())));
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
    let address = acceptor.local_addr()[0].as_socket_addr().cloned().unwrap();
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(routes(registry)));
    address.to_string()
}

/// Debian's docker-registry on a free port, storing in `root`; stopped on drop.
struct DockerRegistry(Child);

impl DockerRegistry {
    fn start(root: &Path) -> (DockerRegistry, String) {
        let port = crate::cli::free_port();
        let config = root.join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
                root.join("data").display()
            ),
        )
        .unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry (Debian's package; .ci/run installs it)");
        let started = Instant::now();
        while !matches!(crate::cli::http(port, "GET", "/v2/", ""), Ok((200, _))) {
            assert!(started.elapsed() < Duration::from_secs(20), "docker-registry did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        (DockerRegistry(child), format!("127.0.0.1:{port}"))
    }
}

impl Drop for DockerRegistry {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A hello plugin folder at `version`, signed by `key` as acme (unless `key` is none).
fn hello_folder(dir: &Path, version: &str, wit: Option<&str>, key: Option<&SecretKey>) -> PathBuf {
    let folder = dir.join(format!("hello-{version}"));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(component("hello"), folder.join("hello.wasm")).unwrap();
    let wit = wit.map(|wit| format!("wit = \"{wit}\"\n")).unwrap_or_default();
    std::fs::write(
        folder.join("plugin.toml"),
        format!(
            "name = \"hello\"\nversion = \"{version}\"\nrole = \"persona\"\ncomponent = \"hello.wasm\"\n\
             description = \"Greets\"\npublisher = \"acme\"\ncapabilities = [\"kv\", \"llm\"]\n{wit}"
        ),
    )
    .unwrap();
    if let Some(key) = key {
        sign(&folder, key, "acme").unwrap();
    }
    folder
}

fn requiring(sandbox: &Sandbox, key: &SecretKey) -> dcmaid_host::Config {
    let mut config = sandbox.config();
    config.default_grants = [dcmaid_host::core::Capability::Kv].into();
    config.trust = TrustConfig {
        policy: Policy::Require,
        publishers: [("acme".to_owned(), key.public())].into(),
    };
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_to_our_registry_then_install_and_run() {
    let work = tempfile::tempdir().unwrap();
    let host = our_registry(&work.path().join("registry")).await;
    let (key, _) = keygen().unwrap();
    let v1 = Package::from_folder(&hello_folder(work.path(), "0.1.0", None, Some(&key))).unwrap();
    let v2 = Package::from_folder(&hello_folder(work.path(), "0.2.0", Some("0.2.0"), Some(&key)))
        .unwrap();
    let reference = |version: &str| format!("{host}/dcmaid/hello:{version}");

    // Publishing needs the token.
    let refused = push(&v1, &reference("0.1.0"), None).await.unwrap_err();
    assert!(
        refused.to_string().to_lowercase().contains("unauthorized")
            || refused.to_string().contains("401"),
        "{refused}"
    );
    push(&v1, &reference("0.1.0"), Some(TOKEN)).await.unwrap();
    push(&v2, &reference("0.2.0"), Some(TOKEN)).await.unwrap();
    // A published version never changes: a push over its tag is refused.
    let overwrite = push(&v2, &reference("0.1.0"), Some(TOKEN)).await.unwrap_err();
    assert!(overwrite.to_string().contains("tag `0.1.0` already names sha256:"), "{overwrite}");

    // The catalog shows the newest version, what it asks for and who signed it.
    let (status, body) = crate::cli::http(
        host.rsplit(':').next().unwrap().parse().unwrap(),
        "GET",
        "/api/v1/plugins",
        "",
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let catalog: serde_json::Value = serde_json::from_str(&body).unwrap();
    let entry = &catalog["plugins"][0];
    assert_eq!((entry["name"].as_str(), entry["version"].as_str()), (Some("hello"), Some("0.2.0")));
    assert_eq!(entry["capabilities"], serde_json::json!(["kv", "llm"]));
    assert_eq!(entry["wit"], "0.2.0", "the catalog says which WIT it is built against");
    assert_eq!(entry["signed_by"].as_str(), Some(key.public().to_string().as_str()));

    // Install the newest 0.1 under a policy that requires acme's signature, and run it.
    let sandbox = Sandbox::new();
    let config = requiring(&sandbox, &key);
    let chosen = resolve(&format!("{host}/dcmaid/hello"), "^0.1").await.unwrap();
    assert_eq!(chosen, reference("0.1.0"));
    // Reviewed before anything is installed: what it asks for against what is granted.
    let review = review(&config, &chosen, Allow::default()).await.unwrap();
    assert_eq!((review.name.as_str(), review.version.as_str()), ("hello", "0.1.0"));
    let requested: Vec<(&str, bool)> =
        review.capabilities.iter().map(|c| (c.name.as_str(), c.granted)).collect();
    assert_eq!(requested, [("kv", true), ("llm", false)], "{review:?}");
    assert_eq!(review.refused, None);
    assert!(!config.plugins_dir().join("hello").exists(), "a review installs nothing");
    // It asks for llm, which this config does not grant: refused, saying so, unless taken
    // without it.
    let refused = install(&config, &chosen, Allow::default()).await.unwrap_err();
    assert!(
        matches!(refused, InstallError::NotGranted { ref missing, .. } if missing == &["llm"]),
        "{refused}"
    );
    assert!(!config.plugins_dir().join("hello").exists());
    let installed = install(&config, &chosen, UNGRANTED).await.unwrap();
    assert_eq!((installed.name.as_str(), installed.version.as_str()), ("hello", "0.1.0"));
    assert_eq!(
        (installed.granted.clone(), installed.not_granted.clone()),
        (vec!["kv".to_owned()], vec!["llm".to_owned()])
    );
    let newest = resolve(&format!("{host}/dcmaid/hello"), "*").await.unwrap();
    let upgraded = install(&config, &newest, UNGRANTED).await.unwrap();
    assert_eq!((upgraded.version.as_str(), upgraded.replaced.as_deref()), ("0.2.0", Some("0.1.0")));
    // Going back to 0.1.0 is refused, saying both versions, unless allowed for this install.
    let downgrade = install(&config, &chosen, UNGRANTED).await.unwrap_err();
    assert!(
        matches!(downgrade, InstallError::Downgrade { ref installed, ref offered, .. }
            if installed == "0.2.0" && offered == "0.1.0"),
        "{downgrade}"
    );
    assert!(downgrade.to_string().contains("--downgrade"), "{downgrade}");
    let allow = Allow { downgrade: true, ..UNGRANTED };
    let back = install(&config, &chosen, allow).await.unwrap();
    assert_eq!((back.version.as_str(), back.replaced.as_deref()), ("0.1.0", Some("0.2.0")));
    install(&config, &newest, UNGRANTED).await.unwrap();
    let bot = Bot::start(config).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    assert!(say(&bot, "ann", "hello").await.reply.starts_with("Hi, ann!"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_unsigned_strangers_or_too_new_plugin_is_refused_saying_which() {
    let work = tempfile::tempdir().unwrap();
    let host = our_registry(&work.path().join("registry")).await;
    let (key, _) = keygen().unwrap();
    let (stranger, _) = keygen().unwrap();
    let sandbox = Sandbox::new();
    let config = requiring(&sandbox, &key);
    let publish = async |folder: &Path, tag: &str| {
        let reference = format!("{host}/dcmaid/hello:{tag}");
        push(&Package::from_folder(folder).unwrap(), &reference, Some(TOKEN)).await.unwrap();
        reference
    };

    // A layer that is not what was signed: another component under acme's signature.
    let tampered = hello_folder(work.path(), "0.1.1", None, Some(&key));
    std::fs::copy(component("misbehave"), tampered.join("hello.wasm")).unwrap();
    let unsigned = hello_folder(work.path(), "0.1.2", None, None);
    let strangers = hello_folder(work.path(), "0.1.3", None, Some(&stranger));
    let too_new = hello_folder(work.path(), "0.1.4", Some("0.3.0"), Some(&key));
    let mislabelled = hello_folder(work.path(), "0.1.5", Some("0.1.0"), Some(&key));
    let cases = [
        (publish(&tampered, "tampered").await, "files changed after signing"),
        (publish(&unsigned, "unsigned").await, "not signed"),
        (publish(&strangers, "stranger").await, "does not trust"),
        (publish(&too_new, "too-new").await, "built against dcmaid:bot@0.3.0"),
        (
            publish(&mislabelled, "mislabelled").await,
            "says it is built against dcmaid:bot@0.1.0, but its component is built against \
             dcmaid:bot@0.2.0",
        ),
    ];
    for (reference, says) in cases {
        let reviewed = review(&config, &reference, Allow::default())
            .await
            .unwrap()
            .refused
            .unwrap_or_default();
        assert!(reviewed.contains(says), "{reference}: {reviewed}");
        let error = install(&config, &reference, UNGRANTED).await.unwrap_err();
        assert!(
            matches!(error, InstallError::Refused(_) | InstallError::Untrusted { .. }),
            "{error}"
        );
        assert!(error.to_string().contains(says), "{reference}: {error}");
    }
    assert!(!config.plugins_dir().join("hello").exists(), "nothing refused was put in place");
    let missing =
        install(&config, &format!("{host}/dcmaid/ghost:1.0.0"), UNGRANTED).await.unwrap_err();
    assert!(matches!(missing, InstallError::Registry(_)), "{missing}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debians_docker_registry_stores_and_serves_our_plugins() {
    let work = tempfile::tempdir().unwrap();
    let (_registry, host) = DockerRegistry::start(work.path());
    let (key, _) = keygen().unwrap();
    let package =
        Package::from_folder(&hello_folder(work.path(), "0.3.0", None, Some(&key))).unwrap();
    let reference = format!("{host}/dcmaid/hello:0.3.0");
    push(&package, &reference, None).await.unwrap();

    let sandbox = Sandbox::new();
    let config = requiring(&sandbox, &key);
    let newest = resolve(&format!("{host}/dcmaid/hello"), "0.3").await.unwrap();
    let installed = install(&config, &newest, UNGRANTED).await.unwrap();
    assert_eq!(installed.version, "0.3.0");
    let bot = Bot::start(config).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    assert!(say(&bot, "ann", "hello").await.reply.starts_with("Hi, ann!"));
}

/// A package named `memory`, signed by a publisher the operator trusts but not the memory
/// plugin's (built here), is refused, naming both: the memory plugin and what it remembers
/// are untouched. Replaced on purpose, the newcomer starts with none of the old plugin's
/// memories, which are still there when the plugin built here comes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_publishers_plugin_of_the_same_name_is_refused_and_never_gets_its_data() {
    use dcmaid_host::core::Capability;
    let work = tempfile::tempdir().unwrap();
    let host = our_registry(&work.path().join("registry")).await;
    let (key, _) = keygen().unwrap();
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_memory();
    sandbox.record_local_build("memory");
    let mut config = requiring(&sandbox, &key);
    config.trust.policy = Policy::Warn;
    config.default_grants = [Capability::Kv, Capability::Llm, Capability::Store].into();
    config.limits.call_timeout_ms = 30_000;
    config.limits.memory_mib = 64;
    let recall = async |config: &dcmaid_host::Config, remember: Option<&str>| {
        let bot = Bot::start(config.clone()).await.unwrap();
        assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
        if let Some(text) = remember {
            say(&bot, "ann", &format!("/remember {text}")).await;
        }
        say(&bot, "ann", "/memories").await.reply
    };
    let first = recall(&config, Some("My beagle is called Biscuit")).await;
    assert!(first.contains("Biscuit"), "{first}");

    // The same code, named memory, published and signed by acme, whom the operator trusts.
    let folder = work.path().join("memory");
    std::fs::create_dir_all(&folder).unwrap();
    let shipped = dcmaid_tests::repository().join("plugins/memory/plugin.toml");
    let text = std::fs::read_to_string(shipped).unwrap();
    // Another publisher's: not, byte for byte, the build recorded here.
    std::fs::write(folder.join("plugin.toml"), format!("publisher = \"acme\"\n{text}")).unwrap();
    std::fs::copy(component("memory"), folder.join("memory.wasm")).unwrap();
    sign(&folder, &key, "acme").unwrap();
    let reference = format!("{host}/acme/memory:0.1.0");
    push(&Package::from_folder(&folder).unwrap(), &reference, Some(TOKEN)).await.unwrap();

    let refused = install(&config, &reference, Allow::default()).await.unwrap_err();
    let said = refused.to_string();
    assert!(matches!(refused, InstallError::Impostor { .. }), "{said}");
    assert!(said.contains("`memory` built here") && said.contains("`memory` signed by ed25519:"));
    assert!(said.contains("--replace"), "{said}");
    let untouched = recall(&config, None).await;
    assert!(untouched.contains("Biscuit"), "{untouched}");

    let replace = Allow { replace: true, ..Allow::default() };
    let installed = install(&config, &reference, replace).await.unwrap();
    assert_eq!(installed.replaced_identity.as_deref(), Some("`memory` built here"));
    let newcomer = recall(&config, Some("I keep bees")).await;
    assert!(!newcomer.contains("Biscuit") && newcomer.contains("bees"), "{newcomer}");

    // The plugin built here, back: its memories, and none of the newcomer's.
    std::fs::remove_dir_all(sandbox.plugins_dir().join("memory")).unwrap();
    sandbox.install_memory();
    let back = recall(&config, None).await;
    assert!(back.contains("Biscuit") && !back.contains("bees"), "{back}");
}

/// An unsigned package is refused at install unless the operator allows it unsigned for
/// that install; then it is recorded by its digest and loads under `require` with no
/// warning, until a file of it changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsigned_package_installs_only_when_the_operator_allows_it() {
    let work = tempfile::tempdir().unwrap();
    let host = our_registry(&work.path().join("registry")).await;
    let (key, _) = keygen().unwrap();
    let sandbox = Sandbox::new();
    let mut config = requiring(&sandbox, &key);
    // Even under the default (warn) policy, an install wants a trusted signature.
    config.trust.policy = Policy::Warn;
    let reference = format!("{host}/dcmaid/hello:0.1.2");
    let unsigned = hello_folder(work.path(), "0.1.2", None, None);
    push(&Package::from_folder(&unsigned).unwrap(), &reference, Some(TOKEN)).await.unwrap();

    let refused = install(&config, &reference, UNGRANTED).await.unwrap_err();
    assert!(matches!(refused, InstallError::Untrusted { .. }), "{refused}");
    assert!(refused.to_string().contains("--allow-unsigned"), "{refused}");
    assert!(!config.plugins_dir().join("hello").exists());

    let allowed = install(&config, &reference, Allow { unsigned: true, ..UNGRANTED }).await;
    assert_eq!(allowed.unwrap().identity, "`hello` unsigned");
    config.trust.policy = Policy::Require;
    let bot = Bot::start(config.clone()).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    assert!(say(&bot, "ann", "hello").await.reply.starts_with("Hi, ann!"));
    drop(bot);

    let manifest = config.plugins_dir().join("hello/plugin.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("Greets", "Greets you")).unwrap();
    let bot = Bot::start(config).await.unwrap();
    let failed = format!("{:?}", bot.plugins().failed());
    assert!(failed.contains("not signed"), "{failed}");
}
