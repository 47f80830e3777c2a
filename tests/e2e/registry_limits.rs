//! The registry server against a client that sends more than it should: the real
//! `dcmaid-registry` binary, with bodies of a gigabyte sent over raw TCP with and without
//! the token, declared and chunked. Each is answered without the server holding more than
//! its body limit, which its peak RSS shows.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::cli::{free_port, http};

const TOKEN: &str = "publish-token";
const GIB: u64 = 1 << 30;

/// The registry binary on a free port with a 4 MiB body limit; stopped on drop.
struct Server {
    child: Child,
    host: String,
    _root: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        Server::start_with(&[])
    }

    /// The server with `args` besides its root, bind and body limit.
    fn start_with(args: &[&str]) -> Server {
        let root = tempfile::tempdir().unwrap();
        let port = free_port();
        let binary = dcmaid_tests::target_dir().join("debug/dcmaid-registry");
        let child = Command::new(&binary)
            .args(["--root", root.path().to_str().unwrap()])
            .args(["--bind", &format!("127.0.0.1:{port}"), "--max-body-mib", "4"])
            .args(args)
            .env("DCMAID_REGISTRY_TOKEN", TOKEN)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e} (scripts/test.sh builds it)", binary.display()));
        let started = Instant::now();
        while !matches!(http(port, "GET", "/v2/", ""), Ok((200, _))) {
            assert!(started.elapsed() < Duration::from_secs(20), "the registry did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Server { child, host: format!("127.0.0.1:{port}"), _root: root }
    }

    /// The most memory the process has held, in MiB (VmHWM).
    fn peak_rss_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|line| line.starts_with("VmHWM:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
    }

    /// Send `head` (a request line and headers), then up to `total` bytes of body (framed
    /// as chunks when `chunked`) for as long as the server takes them, reading its answer
    /// meanwhile; the answer's status code.
    async fn flood(&self, head: &str, total: u64, chunked: bool) -> u16 {
        let stream = tokio::net::TcpStream::connect(&self.host).await.unwrap();
        let (mut reader, mut writer) = stream.into_split();
        let head = format!("{head}Host: {}\r\nConnection: close\r\n\r\n", self.host);
        let writing = tokio::spawn(async move {
            writer.write_all(head.as_bytes()).await?;
            let chunk = vec![0u8; 1 << 20];
            let mut sent = 0u64;
            while sent < total {
                if chunked {
                    writer.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await?;
                }
                writer.write_all(&chunk).await?;
                if chunked {
                    writer.write_all(b"\r\n").await?;
                }
                sent += chunk.len() as u64;
            }
            if chunked {
                writer.write_all(b"0\r\n\r\n").await?;
            }
            Ok::<u64, std::io::Error>(sent)
        });
        let mut answer = Vec::new();
        let mut buffer = [0u8; 4096];
        while !answer.windows(2).any(|pair| pair == b"\r\n") {
            match tokio::time::timeout(Duration::from_secs(60), reader.read(&mut buffer)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(n)) => answer.extend_from_slice(&buffer[..n]),
                Err(_) => panic!("no answer within a minute"),
            }
        }
        writing.abort();
        let answer = String::from_utf8_lossy(&answer);
        let status = answer.split(' ').nth(1).and_then(|code| code.parse().ok());
        status.unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gigabyte_body_is_answered_without_the_registry_holding_it() {
    let server = Server::start();
    let before = server.peak_rss_mib();
    let blob = "POST /v2/acme/x/blobs/uploads/?digest=sha256:";
    let digest = "0".repeat(64);

    // Without the token: refused before the body is read, declared or chunked.
    let declared = format!("{blob}{digest} HTTP/1.1\r\nContent-Length: {GIB}\r\n");
    assert_eq!(server.flood(&declared, GIB, false).await, 401);
    let chunked = format!("{blob}{digest} HTTP/1.1\r\nTransfer-Encoding: chunked\r\n");
    assert_eq!(server.flood(&chunked, GIB, true).await, 401);
    // A read with a body: the body is never read.
    let read = format!("GET /v2/acme/x/tags/list HTTP/1.1\r\nContent-Length: {GIB}\r\n");
    assert_eq!(server.flood(&read, GIB, false).await, 200);

    // With the token: past the limit by its declared length at once, or cut off as it streams.
    let bearer = format!("Authorization: Bearer {TOKEN}\r\n");
    let declared = format!("{blob}{digest} HTTP/1.1\r\n{bearer}Content-Length: {GIB}\r\n");
    assert_eq!(server.flood(&declared, GIB, false).await, 413);
    let chunked = format!("{blob}{digest} HTTP/1.1\r\n{bearer}Transfer-Encoding: chunked\r\n");
    assert_eq!(server.flood(&chunked, GIB, true).await, 413);

    let after = server.peak_rss_mib();
    println!("registry peak RSS: {before} MiB before the floods, {after} MiB after");
    // The limit is 4 MiB; a body held whole would be a gigabyte.
    assert!(after < before + 48, "peak RSS grew from {before} to {after} MiB");
    // It still serves.
    let port = server.host.rsplit(':').next().unwrap().parse().unwrap();
    assert!(matches!(http(port, "GET", "/v2/", ""), Ok((200, _))));
}

/// A client that calls too often is answered 429 with when to come back, before anything
/// else is done for it.
#[test]
fn a_client_over_its_rate_is_told_to_wait() {
    let server = Server::start_with(&["--rate-per-minute", "6", "--rate-burst", "5"]);
    let port: u16 = server.host.rsplit(':').next().unwrap().parse().unwrap();
    let answers: Vec<(u16, String)> =
        (0..8).map(|_| http(port, "GET", "/v2/acme/x/tags/list", "").unwrap()).collect();
    let refused: Vec<&(u16, String)> =
        answers.iter().filter(|(status, _)| *status == 429).collect();
    // The start-up probe took one or more of the five; at least three of eight are refused.
    assert!(refused.len() >= 3, "{answers:?}");
    let (_, body) = refused[0];
    assert!(body.contains("TOOMANYREQUESTS") && body.contains("try again in"), "{body}");
}
