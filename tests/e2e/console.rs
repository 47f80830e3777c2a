//! The web console in a real browser: Debian's Chromium, driven by playwright-core
//! (`tests/browser/console.mjs`), against the real `dcmaid serve`. It logs in, talks to the
//! bot, uploads hello v0.2.0 (reviewed first), sees the reply change, and saves screenshots.
//! `scripts/test.sh` installs Chromium and the script's npm packages.

use std::process::{Command, Stdio};

use dcmaid_tests::{Sandbox, component, dcmaid_binary, repository, target_dir};

use crate::cli::{free_port, http};

/// hello at `version`, greeting with `greeting`, as a plugin folder's manifest.
fn hello_manifest(version: &str, greeting: &str) -> String {
    format!(
        "name = \"hello\"\nversion = \"{version}\"\nrole = \"persona\"\ncomponent = \"hello.wasm\"\n\
         capabilities = [\"kv\"]\n[config]\ngreeting = \"{greeting}\"\n"
    )
}

#[test]
fn the_console_logs_in_chats_swaps_a_plugin_and_sees_the_reply_change() {
    let sandbox = Sandbox::new();
    let installed = sandbox.plugins_dir().join("hello");
    std::fs::create_dir_all(&installed).unwrap();
    std::fs::copy(component("hello"), installed.join("hello.wasm")).unwrap();
    std::fs::write(installed.join("plugin.toml"), hello_manifest("0.1.0", "Hi")).unwrap();
    // What the browser uploads.
    let upload = sandbox.data_dir().join("upload");
    std::fs::create_dir_all(&upload).unwrap();
    std::fs::write(upload.join("plugin.toml"), hello_manifest("0.2.0", "Ohayou")).unwrap();
    std::fs::copy(component("hello"), upload.join("hello.wasm")).unwrap();

    let port = free_port();
    let config_path = sandbox.data_dir().join("dcmaid.toml");
    let config = format!(
        "data_dir = \"{}\"\n[server]\nbind = \"127.0.0.1:{port}\"\nadmin_token = \"s3cret\"\n\
         [limits]\ncall_timeout_ms = 5000\n",
        sandbox.data_dir().display()
    );
    std::fs::write(&config_path, config).unwrap();
    let log = std::fs::File::create(sandbox.data_dir().join("server.log")).unwrap();
    let mut server = Command::new(dcmaid_binary())
        .args(["--config".as_ref(), config_path.as_os_str(), "serve".as_ref()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !matches!(http(port, "GET", "/healthz", ""), Ok((200, _))) {
        assert!(started.elapsed().as_secs() < 60, "dcmaid serve did not come up");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    let screenshot = target_dir().join("console.png");
    let browser = repository().join("tests/browser");
    let run = Command::new("node")
        .arg(browser.join("console.mjs"))
        .current_dir(&browser)
        .env("DCMAID_URL", format!("http://127.0.0.1:{port}"))
        .env("DCMAID_TOKEN", "s3cret")
        .env("HELLO_V2_MANIFEST", upload.join("plugin.toml"))
        .env("HELLO_V2_COMPONENT", upload.join("hello.wasm"))
        .env("SCREENSHOT", &screenshot)
        .output();
    let _ = server.kill();
    let _ = server.wait();
    let run = run.expect("node runs (scripts/test.sh installs Node's packages and Chromium)");
    let server_log = std::fs::read_to_string(sandbox.data_dir().join("server.log")).unwrap();
    assert!(
        run.status.success(),
        "the browser test failed:\n{}\n{}\nserver log:\n{server_log}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    for shot in [screenshot.clone(), screenshot.with_file_name("console-phone.png")] {
        let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("{}: {e}", shot.display()));
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", shot.display());
    }
    // The swap happened on the server, not only on the page.
    let swapped = std::fs::read_to_string(installed.join("plugin.toml")).unwrap();
    assert!(swapped.contains("0.2.0"), "{swapped}");
}
