//! The `dcmaid` binary, driven the way scripts drive it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use dcmaid_tests::{Sandbox, dcmaid_binary};

/// Run `dcmaid ARGS` in `sandbox` with `config` as its dcmaid.toml and `input` on stdin.
pub(crate) fn dcmaid(sandbox: &Sandbox, config: &str, args: &[&str], input: &str) -> Output {
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
    // Each plugin's budgets, used beside allowed: hello keeps a kv table, measured here.
    assert!(stdout.contains("BUDGETS"), "{stdout}");
    let hello = stdout.lines().rev().find(|line| line.starts_with("hello ")).unwrap();
    assert!(
        hello.contains("cpu 0.0 of 30 s/min") && hello.contains("kv 0 of 100000 keys"),
        "{hello}"
    );
    assert!(hello.contains("limits hit: none"), "{hello}");
}

#[test]
fn a_malformed_config_names_the_file_and_the_field() {
    let sandbox = Sandbox::new();
    let output = dcmaid(&sandbox, "[limits]\ncall_timeout_ms = \"soon\"\n", &["chat"], "hi\n");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("dcmaid.toml") && stderr.contains("call_timeout_ms"), "{stderr}");
}

/// A free port on 127.0.0.1 (free when asked; the server binds it right after).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One HTTP/1.1 request over a fresh connection; the status code and the body.
pub(crate) fn http(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    http_with(port, method, path, "", body)
}

/// The admin token `serve` gives the servers that [`as_operator`] speaks to.
pub(crate) const OPERATOR_TOKEN: &str = "e2e-operator-token";

/// The `[server]` lines of a server on `port` whose admin token is [`OPERATOR_TOKEN`].
pub(crate) fn with_operator(port: u16) -> String {
    format!("[server]\nbind = \"127.0.0.1:{port}\"\nadmin_token = \"{OPERATOR_TOKEN}\"\n")
}

/// [`http`] with the admin token of a server configured by [`with_operator`]: the operator,
/// who may say which user speaks in a chat.
pub(crate) fn as_operator(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    http_with(port, method, path, &format!("Authorization: Bearer {OPERATOR_TOKEN}\r\n"), body)
}

/// [`http`] with `headers` (each line ending in CRLF).
fn http_with(
    port: u16,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         {headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    Ok((status, body))
}

/// `dcmaid serve` in `sandbox` with `config` (which binds `port`), once it answers.
pub(crate) fn serve(sandbox: &Sandbox, config: &str, port: u16) -> std::process::Child {
    let config_path = sandbox.data_dir().join("dcmaid.toml");
    let data_dir = sandbox.data_dir().display();
    std::fs::write(&config_path, format!("data_dir = \"{data_dir}\"\n{config}")).unwrap();
    let mut server = Command::new(dcmaid_binary())
        .arg("--config")
        .arg(&config_path)
        .arg("serve")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (bounded) for the server to come up.
    let started = std::time::Instant::now();
    loop {
        match http(port, "GET", "/healthz", "") {
            Ok((200, _)) => return server,
            Ok(_) | Err(_) if started.elapsed() < std::time::Duration::from_secs(60) => {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            outcome => {
                let _ = server.kill();
                panic!("dcmaid serve did not come up on port {port}: {outcome:?}");
            }
        }
    }
}

#[test]
fn serve_answers_over_http_and_stops_cleanly_on_sigterm() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let port = free_port();
    let server = serve(&sandbox, &format!("[server]\nbind = \"127.0.0.1:{port}\"\n"), port);

    let (status, body) =
        http(port, "POST", "/api/v1/chat", r#"{"user_name":"Ann","text":"hi"}"#).unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Hi, Ann! That's message #1 from you."), "{body}");

    let killed = Command::new("kill").arg("-TERM").arg(server.id().to_string()).status().unwrap();
    assert!(killed.success());
    let output = server.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn doctor_says_what_is_ready_and_what_to_do_about_the_rest() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let healthy = dcmaid(&sandbox, "[redis]\nurl = \"redis://127.0.0.1:6379\"\n", &["doctor"], "");
    let stdout = String::from_utf8_lossy(&healthy.stdout);
    assert!(healthy.status.success(), "{stdout}{}", String::from_utf8_lossy(&healthy.stderr));
    for line in
        ["ok    model ", "note  redis        redis://127.0.0.1:6379 answers", "ok    storage "]
    {
        assert!(stdout.contains(line), "{line}: {stdout}");
    }
    // hello was copied in by hand, not built here nor signed: it loads, with a warning.
    let warned = "note  plugins      loaded with a warning: hello: not trusted: it is not signed";
    assert!(stdout.contains(warned), "{stdout}");

    // Redis stopped (nothing on the port) and the model missing: each says what to do.
    let empty = tempfile::tempdir().unwrap();
    let broken = format!(
        "[redis]\nurl = \"redis://127.0.0.1:{}\"\n[embed]\nmodel_dir = \"{}\"\n",
        free_port(),
        empty.path().display()
    );
    let sick = dcmaid(&sandbox, &broken, &["doctor"], "");
    let stdout = String::from_utf8_lossy(&sick.stdout);
    assert!(!sick.status.success(), "{stdout}");
    assert!(
        stdout.contains("FAIL  model ") && stdout.contains("scripts/fetch-model.sh"),
        "{stdout}"
    );
    assert!(stdout.contains("FAIL  redis ") && stdout.contains("start Redis"), "{stdout}");
    assert!(stdout.contains("ok    storage "), "{stdout}");
}
