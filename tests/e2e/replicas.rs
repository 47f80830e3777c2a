//! Replicas on one SurrealDB server and one Redis: the real `surreal` server (SurrealDB's own
//! binary, of the client's version, built by `scripts/test.sh`), the shared Redis, and
//! `dcmaid serve` processes. Whatever replica a user reaches knows them: their memories,
//! their mood, the jobs, the plugins installed; a job fires once across replicas; a server
//! that goes away mid-conversation costs polite replies and nothing acknowledged.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dcmaid_host::Bot;
use dcmaid_tests::{Sandbox, dcmaid_binary};

use crate::cli::{OPERATOR_TOKEN, as_operator, free_port, http, with_operator};
use crate::say;

/// The SurrealDB server the build script made (`$DCMAID_SURREAL`).
fn surreal_binary() -> PathBuf {
    let path = std::env::var_os("DCMAID_SURREAL").map(PathBuf::from).unwrap_or_else(|| {
        let home = std::env::var_os("HOME").unwrap_or_default();
        Path::new(&home).join(".cache/dcmaid-tools/bin/surreal")
    });
    assert!(
        path.is_file(),
        "{} is missing: scripts/test.sh builds SurrealDB's server (ensure_surreal_server)",
        path.display()
    );
    path
}

/// A SurrealDB server on a free port of 127.0.0.1, root/root, killed when dropped.
struct Surreal {
    child: Option<Child>,
    port: u16,
    /// Where a server that keeps its data on disk keeps it; none: in memory.
    path: Option<PathBuf>,
}

impl Surreal {
    /// A server in memory.
    fn in_memory() -> Surreal {
        Surreal::start(free_port(), None)
    }

    /// A server that keeps its data in `path`, so that it survives a restart.
    fn on_disk(path: &Path) -> Surreal {
        Surreal::start(free_port(), Some(path.to_owned()))
    }

    fn start(port: u16, path: Option<PathBuf>) -> Surreal {
        let store = match &path {
            Some(path) => format!("surrealkv:{}", path.display()),
            None => "memory".to_owned(),
        };
        let child = Command::new(surreal_binary())
            .args(["start", "--bind", &format!("127.0.0.1:{port}"), "--user", "root"])
            .args(["--pass", "root", "--log", "warn", &store])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the surreal server starts");
        let started = Instant::now();
        while !matches!(http(port, "GET", "/health", ""), Ok((200, _))) {
            assert!(started.elapsed() < Duration::from_secs(30), "surreal did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Surreal { child: Some(child), port, path }
    }

    fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start again, on the same port and data.
    fn restart(&mut self) {
        self.stop();
        *self = Surreal::start(self.port, self.path.take());
    }
}

impl Drop for Surreal {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One `dcmaid serve` replica: its own data and plugins folder, the shared server and Redis.
struct Replica {
    sandbox: Sandbox,
    port: u16,
    config: String,
    child: Option<Child>,
}

/// The replicas' shared secret for swap announcements.
const SECRET: &str = "replicas-e2e-shared-secret";

impl Replica {
    /// A replica with the persona, memory and analytics plugins, on `surreal`.
    fn new(surreal: &Surreal) -> Replica {
        let sandbox = Sandbox::new();
        sandbox.install_personality();
        sandbox.install_memory();
        let port = free_port();
        let config = format!(
            "persona = \"personality\"\n{}[storage]\nurl = \"{}\"\nuser = \"root\"\n[redis]\nurl = \"redis://127.0.0.1:6379\"\n\
             secret = \"{SECRET}\"\n[limits]\ncall_timeout_ms = 30000\n\
             [rate_limit]\nburst = 10000\nper_minute = 1000000\n",
            with_operator(port),
            surreal.url()
        );
        let mut replica = Replica { sandbox, port, config, child: None };
        replica.start();
        replica
    }

    fn start(&mut self) {
        let path = self.sandbox.data_dir().join("dcmaid.toml");
        let data_dir = self.sandbox.data_dir().display().to_string();
        std::fs::write(&path, format!("data_dir = \"{data_dir}\"\n{}", self.config)).unwrap();
        let child = Command::new(dcmaid_binary())
            .args(["--config", path.to_str().unwrap(), "serve"])
            .env("DCMAID_STORAGE_PASS", "root")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let started = Instant::now();
        while !matches!(http(self.port, "GET", "/healthz", ""), Ok((200, _))) {
            assert!(started.elapsed() < Duration::from_secs(90), "the replica did not come up");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// `text` from user `user`, as the operator says who speaks; the reply, and whether the
    /// bot said it failed.
    fn say(&self, user: &str, text: &str) -> (String, bool) {
        let body = serde_json::json!({"user_id": user, "text": text}).to_string();
        let (status, reply) = as_operator(self.port, "POST", "/api/v1/chat", &body).unwrap();
        assert_eq!(status, 200, "{reply}");
        let reply: serde_json::Value = serde_json::from_str(&reply).unwrap();
        (reply["reply"].as_str().unwrap().to_owned(), reply["failed"] == true)
    }

    fn reply(&self, user: &str, text: &str) -> String {
        self.say(user, text).0
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Ask `check` until it holds, for up to `limit`.
fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

#[test]
fn any_replica_knows_every_user_every_job_and_every_plugin() {
    let surreal = Surreal::in_memory();
    let a = Replica::new(&surreal);
    let mut b = Replica::new(&surreal);

    // A memory remembered through A is recalled through B within a second (B's in-memory
    // index follows the server's changes).
    let remembered = a.reply("ann", "/remember My beagle is called Biscuit");
    assert!(remembered.contains("(memory "), "{remembered}");
    let first_line = |reply: String| reply.lines().next().unwrap_or_default().to_owned();
    assert!(
        eventually(Duration::from_secs(1), || {
            first_line(b.reply("ann", "/recall what's my pup's name?")).contains("Biscuit")
        }),
        "B did not recall A's memory within a second"
    );
    let forgotten = remembered.split("(memory ").nth(1).unwrap().trim_end_matches(')');
    // B names it as A does (the index following the server keeps record keys, not ids).
    let listed = b.reply("ann", "/recall what's my pup's name?");
    assert!(listed.contains(forgotten) && !listed.contains("c__memories"), "{listed}");
    a.reply("ann", "/remember My cat is called Pixel");
    assert!(b.reply("ann", &format!("/forget {forgotten}")).starts_with("Forgotten"));
    assert!(
        eventually(Duration::from_secs(1), || !a
            .reply("ann", "/recall Biscuit")
            .contains("Biscuit")),
        "A still recalls what B forgot"
    );

    // The mood the persona keeps for a user is one, whoever answers.
    a.say("bob", "you are wonderful, thank you so much");
    b.say("bob", "you are the best, I love talking to you");
    a.say("bob", "thanks again!");
    let mood = a.reply("bob", "/mood");
    assert_eq!(b.reply("bob", "/mood"), mood);

    // A job added through A, once B has started with it too, fires once a slot across both.
    let job = serde_json::json!({
        "name": "replicated", "cron": "* * * * * *", "command": "generate_analytics_report"
    });
    let (status, body) = as_operator(a.port, "POST", "/api/v1/jobs", &job.to_string()).unwrap();
    assert_eq!(status, 201, "{body}");
    b.stop();
    b.start();
    std::thread::sleep(Duration::from_secs(5));
    let (status, history) =
        as_operator(a.port, "GET", "/api/v1/jobs/replicated/history", "").unwrap();
    assert_eq!(status, 200, "{history}");
    let runs: Vec<serde_json::Value> = serde_json::from_str(&history).unwrap();
    let mut slots: Vec<&str> = runs.iter().map(|r| r["scheduled_for"].as_str().unwrap()).collect();
    assert!(runs.len() >= 3, "the job fired: {history}");
    slots.sort();
    slots.dedup();
    assert_eq!(slots.len(), runs.len(), "a slot fired twice: {history}");
    as_operator(a.port, "DELETE", "/api/v1/jobs/replicated", "").unwrap();

    // A plugin installed through A is answered by B.
    let hello = dcmaid_tests::component("hello");
    let manifest = "name = \"hello\"\nversion = \"0.1.0\"\nrole = \"persona\"\ncomponent = \"hello.wasm\"\n\
         capabilities = [\"kv\"]\n[config]\ngreeting = \"Hi\"\n";
    let uploaded = upload(a.port, manifest, &hello);
    assert!(uploaded.contains("\"installed\""), "{uploaded}");
    assert!(a.reply("cid", "/hello").starts_with("Hello, cid"));
    assert!(
        eventually(Duration::from_secs(20), || b.reply("cid", "/hello").starts_with("Hello, cid")),
        "B never answered /hello"
    );

    // Both restart: everything is still there.
    drop(a);
    b.stop();
    let a = Replica::new(&surreal);
    b.start();
    let recalled = a.reply("ann", "/recall what is my cat called?");
    assert!(recalled.contains("Pixel"), "{recalled}");
    assert_eq!(b.reply("bob", "/mood"), a.reply("bob", "/mood"));
    assert!(a.reply("dee", "/hello").starts_with("Hello, dee"), "A took hello from the shelf");
}

/// POST an unsigned plugin's files to the admin API's upload, vouched for.
fn upload(port: u16, manifest: &str, component: &Path) -> String {
    let boundary = "replicas-e2e-boundary";
    let mut body = Vec::new();
    let mut part = |name: &str, file: Option<&str>, bytes: &[u8]| {
        let filename = file.map(|f| format!("; filename=\"{f}\"")).unwrap_or_default();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{filename}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    };
    part("manifest", Some("plugin.toml"), manifest.as_bytes());
    part("component", Some("hello.wasm"), &std::fs::read(component).unwrap());
    part("allow_unsigned", None, b"true");
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());

    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!(
        "POST /api/v1/plugins/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Authorization: Bearer {OPERATOR_TOKEN}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn a_server_that_goes_away_costs_polite_replies_and_nothing_acknowledged() {
    let data = tempfile::tempdir().unwrap();
    let mut surreal = Surreal::on_disk(&data.path().join("surreal"));
    let a = Replica::new(&surreal);
    let kept = a.reply("ann", "/remember I grew up in Tromsø");
    assert!(kept.contains("(memory "), "{kept}");

    surreal.stop();
    // The user is answered, politely, and the operator sees why.
    let (reply, failed) = a.say("ann", "/remember My sister is Ingrid");
    assert!(failed && reply.starts_with("Sorry"), "{reply}");
    let (_, chatted) = a.say("ann", "hello!");
    let _ = chatted;
    let (status, health) = http(a.port, "GET", "/healthz", "").unwrap();
    assert_eq!(status, 503, "{health}");
    assert!(health.contains("\"storage\":\"down\""), "{health}");

    surreal.restart();
    assert!(
        eventually(Duration::from_secs(30), || {
            matches!(http(a.port, "GET", "/healthz", ""), Ok((200, _)))
        }),
        "the replica never saw the server back"
    );
    assert!(
        eventually(Duration::from_secs(30), || {
            a.reply("ann", "/remember My sister is Ingrid").contains("(memory ")
        }),
        "remembering never worked again"
    );
    // Right after the server is back the replica's index may still be rebuilding from it
    // (searches then go to the server): within a few seconds both are found.
    let recalls = |word: &str| {
        eventually(Duration::from_secs(5), || {
            a.reply("ann", &format!("/recall {word}")).contains(word)
        })
    };
    assert!(recalls("Tromsø"), "acknowledged before the server went away, and kept");
    assert!(recalls("Ingrid"), "acknowledged after it came back");
}

/// On a server as embedded, a plugin reaches its own data and nothing of another's: the
/// misbehaving plugin looks for the memory plugin's memories and the hello plugin's keys.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_on_the_server_cannot_reach_another_plugins_data() {
    let surreal = Surreal::in_memory();
    for url in ["mem://".to_owned(), surreal.url()] {
        let sandbox = Sandbox::new();
        sandbox.install_hello();
        sandbox.install_memory();
        sandbox.install_misbehave();
        let mut config = sandbox.config();
        config.limits.call_timeout_ms = 30_000;
        config.limits.memory_mib = 64;
        config.storage.url = Some(url.clone());
        config.storage.user = Some("root".to_owned());
        config.storage.password = Some("root".to_owned());
        let bot = Bot::start(config).await.unwrap();
        assert!(bot.plugins().failed().is_empty(), "{url}: {:?}", bot.plugins().failed());
        let remembered = say(&bot, "alice", "/remember The vault code is 4711").await.reply;
        let id = remembered.split("(memory ").nth(1).unwrap().trim_end_matches(')').to_owned();
        say(&bot, "alice", "hello there").await;
        let peeked = say(&bot, "alice", &format!("/peek {id} vault")).await.reply;
        assert_eq!(peeked, "find=0 search=0 nearest=0 get=false", "{url}");
        assert_eq!(say(&bot, "alice", "/kv visits/console:alice").await.reply, "(none)", "{url}");
    }
}
