//! The `dcmaid` binary, driven the way scripts drive it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use dcmaid_tests::{Sandbox, dcmaid_binary};

/// Run `dcmaid ARGS` in `sandbox` with `config` as its dcmaid.toml and `input` on stdin.
fn dcmaid(sandbox: &Sandbox, config: &str, args: &[&str], input: &str) -> Output {
    let config_path = sandbox.data_dir().join("dcmaid.toml");
    let data_dir = sandbox.data_dir().display();
    std::fs::write(&config_path, format!("data_dir = \"{data_dir}\"\n{config}")).unwrap();
    let mut child = Command::new(dcmaid_binary())
        .arg("--config")
        .arg(&config_path)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn chat_prints_one_line_per_message_when_piped() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let output =
        dcmaid(&sandbox, "", &["chat", "--user", "alice"], "hello\n\n/hello Bob\n/help\nbye\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(lines[0], "Hi, alice! That's message #1 from you.");
    assert_eq!(lines[1], "Hello, Bob! 👋");
    assert!(lines[2].starts_with("Commands:\\n/help"), "{}", lines[2]);
    assert_eq!(lines[3], "Hi, alice! That's message #2 from you.");
}

#[test]
fn plugin_list_shows_what_loaded_and_what_failed() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    std::fs::create_dir_all(sandbox.plugins_dir().join("empty")).unwrap();
    std::fs::write(sandbox.plugins_dir().join("empty/plugin.toml"), "name = 3\n").unwrap();
    let output = dcmaid(&sandbox, "", &["plugin", "list"], "");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("hello") && stdout.contains("/hello") && stdout.contains("kv"),
        "{stdout}"
    );
    assert!(stdout.contains("FAILED") && stdout.contains("empty/plugin.toml"), "{stdout}");
}

#[test]
fn a_malformed_config_names_the_file_and_the_field() {
    let sandbox = Sandbox::new();
    let output = dcmaid(&sandbox, "[limits]\ncall_timeout_ms = \"soon\"\n", &["chat"], "hi\n");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("dcmaid.toml") && stderr.contains("call_timeout_ms"), "{stderr}");
}
