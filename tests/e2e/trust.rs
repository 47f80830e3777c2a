//! Signed plugins through the CLI: a publisher makes a key and signs a folder; an operator
//! who requires trusted publishers loads it, and refuses a tampered, a stranger's or a
//! too-new plugin with an error that says which.

use dcmaid_tests::Sandbox;

use crate::cli::dcmaid;

/// `dcmaid plugin list`'s output.
fn list(sandbox: &Sandbox, config: &str) -> String {
    let output = dcmaid(sandbox, config, &["plugin", "list"], "");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn a_signed_plugin_loads_under_require_and_every_failure_is_named() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let key = sandbox.data_dir().join("acme.key");
    let made = dcmaid(&sandbox, "", &["plugin", "keygen", "--out", key.to_str().unwrap()], "");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let said = String::from_utf8(made.stdout).unwrap();
    let public = said.lines().find_map(|l| l.strip_prefix("public key: ")).unwrap().to_owned();
    let folder = sandbox.plugins_dir().join("hello");
    let signed = dcmaid(
        &sandbox,
        "",
        &[
            "plugin",
            "sign",
            folder.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--publisher",
            "acme",
        ],
        "",
    );
    assert!(signed.status.success(), "{}", String::from_utf8_lossy(&signed.stderr));

    let require = |key: &str| {
        format!("[trust]\npolicy = \"require\"\n[trust.publishers]\nacme = \"{key}\"\n")
    };
    let loaded = list(&sandbox, &require(&public));
    assert!(loaded.contains("/hello") && !loaded.contains("FAILED"), "{loaded}");

    // A key the operator does not trust.
    let stranger = "ed25519:3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    let refused = list(&sandbox, &require(stranger));
    assert!(refused.contains("FAILED") && refused.contains("does not trust"), "{refused}");

    // The manifest changed after signing (a setting slipped in).
    let manifest = folder.join("plugin.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("greeting = \"Hi\"", "greeting = \"Pwned\"")).unwrap();
    let tampered = list(&sandbox, &require(&public));
    assert!(tampered.contains("files changed after signing"), "{tampered}");
    // Under the default policy (warn) it still loads.
    assert!(!list(&sandbox, "").contains("FAILED"));

    // Built against a WIT this host cannot run: refused before anything runs, whatever the
    // trust policy.
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("wit = \"0.2.0\"", "wit = \"0.3.0\"")).unwrap();
    let too_new = list(&sandbox, "");
    assert!(too_new.contains("built against dcmaid:bot@0.3.0"), "{too_new}");
}

/// A plugin the operator's build installed (scripts/build-plugins.sh records each folder's
/// content digest in `.local-builds`) loads under `require` with no signature and no
/// warning; once a file of it changes, it is an unsigned stranger again.
#[test]
fn a_recorded_local_build_is_trusted_until_a_file_changes() {
    let sandbox = Sandbox::new();
    sandbox.install_personality();
    let folder = sandbox.plugins_dir().join("personality");
    let manifest = dcmaid_host::manifest::Manifest::load(&folder.join("plugin.toml")).unwrap();
    let digest = dcmaid_host::trust::content_digest(&folder, &manifest).unwrap();
    let record = sandbox.plugins_dir().join(dcmaid_host::trust::LOCAL_BUILDS);
    std::fs::write(&record, format!("analytics sha256:00\npersonality {digest}\n")).unwrap();

    let require = "[trust]\npolicy = \"require\"\n";
    let loaded = list(&sandbox, require);
    assert!(loaded.contains("personality") && !loaded.contains("FAILED"), "{loaded}");
    let warned = dcmaid(&sandbox, "", &["plugin", "list"], "");
    let stderr = String::from_utf8_lossy(&warned.stderr);
    assert!(!stderr.contains("not trusted"), "{stderr}");

    let text = std::fs::read_to_string(folder.join("plugin.toml")).unwrap();
    std::fs::write(folder.join("plugin.toml"), format!("{text}# changed\n")).unwrap();
    let refused = list(&sandbox, require);
    assert!(refused.contains("FAILED") && refused.contains("not signed"), "{refused}");

    // A record of other contents does not vouch for it.
    let other = format!("personality {}\n", "sha256:".to_owned() + &"0".repeat(64));
    std::fs::write(&record, other).unwrap();
    assert!(list(&sandbox, require).contains("FAILED"));
}
