//! `dcmaid serve` processes for the benches that load the HTTP API, and the load itself:
//! 16 users at once, each sending its next message as soon as the last is answered.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::target_dir;

/// The admin token of every bench server.
pub const TOKEN: &str = "bench-operator-token";

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Wait (up to a minute) until `GET path` on `port` answers 200.
pub fn wait_for(port: u16, path: &str) {
    let started = Instant::now();
    loop {
        let answered = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok_and(|mut stream| {
            use std::io::{Read, Write};
            let _ = write!(
                stream,
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            );
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            answer.starts_with("HTTP/1.1 200")
        });
        if answered {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "nothing answered {path} on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Install the built first-party plugin of `plugins/<folder>` as `file`.wasm, with its own
/// manifest.
pub fn install_first_party(plugins: &Path, folder: &str, file: &str) {
    let target = plugins.join(folder);
    std::fs::create_dir_all(&target).unwrap();
    let component = target_dir().join(format!("wasm32-wasip2/plugin/{file}.wasm"));
    std::fs::copy(&component, target.join(format!("{file}.wasm")))
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/build-plugins.sh", component.display()));
    let manifest =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../plugins/{folder}/plugin.toml"));
    std::fs::copy(manifest, target.join("plugin.toml")).unwrap();
}

/// A `dcmaid serve` in `dir` with the first-party `plugins`, `extra` appended to its
/// configuration; killed when dropped.
pub struct Serve {
    child: Child,
    pub port: u16,
}

impl Serve {
    pub fn start(dir: &Path, plugins: &[&str], extra: &str) -> Serve {
        for plugin in plugins {
            install_first_party(&dir.join("plugins"), plugin, plugin);
        }
        let port = free_port();
        let config = dir.join("dcmaid.toml");
        std::fs::write(
            &config,
            format!(
                "data_dir = \"{}\"\n{extra}\n[server]\nbind = \"127.0.0.1:{port}\"\nadmin_token = \"{TOKEN}\"\n\
                 [rate_limit]\nburst = 10000\nper_minute = 1000000\nchat_burst = 10000\nchat_per_minute = 1000000\n",
                dir.display()
            ),
        )
        .unwrap();
        let child = Command::new(target_dir().join("debug/dcmaid"))
            .args(["--config", config.to_str().unwrap(), "serve"])
            .env("DCMAID_STORAGE_PASS", "root")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for(port, "/healthz");
        Serve { child, port }
    }

    /// Kill it at once, as a crash would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a load got: the replies' latencies and the texts answered (each unique).
pub struct Load {
    pub seconds: f64,
    pub latencies: Vec<Duration>,
    pub answered: Vec<String>,
}

impl Load {
    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.seconds
    }

    pub fn percentile(&self, q: f64) -> Duration {
        super::percentile(&mut self.latencies.clone(), q)
    }
}

/// 16 users at once for `seconds`, spread over `ports`: user `loadN` says
/// "hello there #k" (k counting its messages), the next as soon as the last is answered.
pub async fn load(ports: &[u16], seconds: f64) -> Load {
    let client = reqwest::Client::new();
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let done = Arc::new(Mutex::new((Vec::new(), Vec::new())));
    let users: Vec<_> = (0..16)
        .map(|n| {
            let (client, done) = (client.clone(), done.clone());
            let port = ports[n % ports.len()];
            tokio::spawn(async move {
                let mut k = 0;
                while Instant::now() < until {
                    k += 1;
                    let text = format!("hello there #{k}");
                    let body = serde_json::json!({"user_id": format!("load{n}"), "text": text});
                    let started = Instant::now();
                    let sent = client
                        .post(format!("http://127.0.0.1:{port}/api/v1/chat"))
                        .bearer_auth(TOKEN)
                        .json(&body)
                        .send()
                        .await;
                    if sent.is_ok_and(|response| response.status().is_success()) {
                        let mut done = done.lock().unwrap();
                        done.0.push(started.elapsed());
                        done.1.push(format!("load{n}: {text}"));
                    }
                }
            })
        })
        .collect();
    for user in users {
        user.await.unwrap();
    }
    let (latencies, answered) = std::mem::take(&mut *done.lock().unwrap());
    Load { seconds, latencies, answered }
}
