//! The cron scheduler against the real Redis on 127.0.0.1:6379 (`scripts/test.sh` starts one
//! where none runs): three replicas fire every slot of an every-second job exactly once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use dcmaid_host::cron::{Claims, JobStore, Runner, Scheduler, parse_jobs};
use dcmaid_host::storage::Storage;

const REDIS_URL: &str = "redis://127.0.0.1:6379";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_fire_each_slot_of_an_every_second_job_exactly_once() {
    // A name of its own, so that runs of this test never share slots.
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    let name = format!("every_second_{}_{nanos}", std::process::id());
    let yaml = format!(
        "schedules:\n  {name}:\n    cron: '* * * * * *'\n    command: generate_analytics_report\n"
    );
    let fired: Arc<Mutex<Vec<(String, i64)>>> = Arc::default();
    let mut replicas = Vec::new();
    for replica in 0..3 {
        let replica = format!("replica-{replica}");
        let claims = Claims::redis(&REDIS_URL.into(), &replica)
            .await
            .expect("a Redis on 127.0.0.1:6379 (scripts/test.sh starts one)");
        let record = fired.clone();
        let runner: Runner = Arc::new(move |_job, slot| {
            let record = record.clone();
            let replica = replica.clone();
            Box::pin(async move {
                record.lock().unwrap().push((replica, slot.timestamp()));
                Ok(())
            })
        });
        replicas.push(Scheduler::start(parse_jobs(&yaml).unwrap(), Arc::new(claims), runner, None));
    }
    tokio::time::sleep(Duration::from_millis(4_500)).await;
    for replica in replicas {
        replica.shutdown(Duration::from_secs(1)).await;
    }

    let fired = fired.lock().unwrap().clone();
    let mut by_slot: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (replica, slot) in fired {
        by_slot.entry(slot).or_default().push(replica);
    }
    assert!(by_slot.len() >= 3, "{by_slot:?}");
    for (slot, runners) in &by_slot {
        assert_eq!(runners.len(), 1, "slot {slot} ran on {runners:?}");
    }
    let slots: Vec<i64> = by_slot.keys().copied().collect();
    assert!(slots.windows(2).all(|pair| pair[1] == pair[0] + 1), "a slot was skipped: {slots:?}");
}

#[tokio::test]
async fn a_redis_that_is_not_there_is_a_clear_error_at_once() {
    let started = std::time::Instant::now();
    let error = match Claims::redis(&"redis://127.0.0.1:1".into(), "lonely").await {
        Ok(_) => panic!("nothing listens on port 1"),
        Err(error) => error.to_string(),
    };
    assert!(error.starts_with("redis at redis://127.0.0.1:1:"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
}

/// `[cron] schedules_file` pointing at the repository's copy of the seed's file.
fn seed_schedules() -> String {
    let seed = dcmaid_tests::repository().join("config/cron_schedules.yaml");
    format!("[cron]\nschedules_file = \"{}\"\n", seed.display())
}

#[test]
fn the_seeds_jobs_are_listed_run_on_demand_and_a_backup_restores() {
    let sandbox = dcmaid_tests::Sandbox::new();
    sandbox.install_analytics();
    sandbox.install_personality();
    let config = seed_schedules();
    let listed = crate::cli::dcmaid(&sandbox, &config, &["jobs", "list"], "");
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    assert!(stdout.contains("daily_backup") && stdout.contains("0 2 * * *"), "{stdout}");
    assert!(stdout.contains("weekly_report") && stdout.contains("generate_analytics_report"));

    // Some data to back up and a conversation to report on.
    let chat =
        crate::cli::dcmaid(&sandbox, &config, &["chat", "--user", "alice"], "hello\n/mood\n");
    assert!(chat.status.success(), "{}", String::from_utf8_lossy(&chat.stderr));
    let report = crate::cli::dcmaid(&sandbox, &config, &["jobs", "run", "weekly_report"], "");
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    let reports: Vec<_> = std::fs::read_dir(sandbox.data_dir().join("reports")).unwrap().collect();
    let report = std::fs::read_to_string(reports[0].as_ref().unwrap().path()).unwrap();
    assert!(report.contains("| daily active users | 1 |"), "{report}");

    let backup = crate::cli::dcmaid(&sandbox, &config, &["jobs", "run", "daily_backup"], "");
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    let folder = std::fs::read_dir(sandbox.data_dir().join("backups")).unwrap().next().unwrap();
    let folder = folder.unwrap().path();
    assert!(folder.join("personality.surql").is_file());

    // Into a new data dir: alice's mood comes back with the backup.
    let fresh = dcmaid_tests::Sandbox::new();
    fresh.install_personality();
    let restored = crate::cli::dcmaid(&fresh, "", &["restore", folder.to_str().unwrap()], "");
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));
    let mood = crate::cli::dcmaid(&fresh, "", &["chat", "--user", "alice"], "/mood\n");
    let mood = String::from_utf8_lossy(&mood.stdout);
    assert!(!mood.contains("only just met"), "the restored mood: {mood}");
}

#[test]
fn a_bad_job_stops_the_start_with_the_file_the_job_and_the_field() {
    let sandbox = dcmaid_tests::Sandbox::new();
    let file = sandbox.data_dir().join("cron.yaml");
    std::fs::write(
        &file,
        "schedules:\n  nightly:\n    cron: '0 25 * * *'\n    command: backup_database\n",
    )
    .unwrap();
    let config = format!("[cron]\nschedules_file = \"{}\"\n", file.display());
    let output = crate::cli::dcmaid(&sandbox, &config, &["serve"], "");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cron.yaml") && stderr.contains("job `nightly`: cron:"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_downtime_missed_slots_run_once_each_or_once_in_all_when_coalescing() {
    for coalesce in [false, true] {
        let storage = Storage::open("mem://").await.unwrap();
        let store = Arc::new(JobStore::open(&storage).await.unwrap());
        let yaml = format!(
            "schedules:\n  tick:\n    cron: '* * * * * *'\n    command: backup_database\n    coalesce: {coalesce}\n"
        );
        let jobs = parse_jobs(&yaml).unwrap();
        store.register(&jobs[0]).await.unwrap();
        // The last run was three whole seconds ago: three slots were missed since.
        let last = DateTime::from_timestamp(Utc::now().timestamp() - 3, 0).unwrap();
        store.record_run("tick", last, &Ok(()), None).await.unwrap();

        let fired: Arc<Mutex<Vec<i64>>> = Arc::default();
        let record = fired.clone();
        let runner: Runner = Arc::new(move |_job, slot| {
            let record = record.clone();
            Box::pin(async move {
                record.lock().unwrap().push(slot.timestamp());
                Ok(())
            })
        });
        let started = Utc::now().timestamp();
        let scheduler =
            Scheduler::start(jobs, Arc::new(Claims::Local), runner, Some(store.clone()));
        tokio::time::sleep(Duration::from_millis(300)).await;
        scheduler.shutdown(Duration::from_secs(1)).await;

        let fired = fired.lock().unwrap().clone();
        // Runs go side by side (up to max_instances), so they finish in any order.
        let mut caught_up: Vec<i64> =
            fired.iter().copied().filter(|slot| *slot <= started).collect();
        caught_up.sort();
        let first = last.timestamp() + 1;
        if coalesce {
            assert_eq!(caught_up.len(), 1, "{fired:?}");
            assert!(caught_up[0] >= first + 2, "the latest missed slot: {fired:?}");
        } else {
            // Three, or four if a second ticked over while the test started the scheduler.
            assert!((3..=4).contains(&caught_up.len()), "{fired:?}");
            let expected: Vec<i64> = (first..first + caught_up.len() as i64).collect();
            assert_eq!(caught_up, expected);
        }
        let history = store.history("tick").await.unwrap();
        assert!(history.last_run_at.unwrap() > last);
        assert_eq!(history.last_status.as_deref(), Some("ok"));
    }
}

#[tokio::test]
async fn the_bots_runner_runs_the_command_and_counts_the_run() {
    let sandbox = dcmaid_tests::Sandbox::new();
    sandbox.install_analytics();
    let bot = Arc::new(dcmaid_host::Bot::start(sandbox.config()).await.unwrap());
    let yaml = "schedules:\n  weekly_report:\n    cron: '0 9 * * 1'\n    command: generate_analytics_report\n  daily_backup:\n    cron: '0 2 * * *'\n    command: backup_database\n";
    let runner = bot.job_runner();
    for job in parse_jobs(yaml).unwrap() {
        runner(job, Utc::now()).await.unwrap();
    }
    assert!(sandbox.data_dir().join("reports").read_dir().unwrap().next().is_some());
    assert!(sandbox.data_dir().join("backups").read_dir().unwrap().next().is_some());
    let exposition = bot.metrics().encode();
    for job in ["weekly_report", "daily_backup"] {
        let line = format!("dcmaid_cron_runs_total{{job=\"{job}\",status=\"ok\"}} 1");
        assert!(exposition.contains(&line), "{exposition}");
    }
}

/// A Redis of the test's own on a free port, killed when dropped.
pub(crate) struct OwnRedis {
    child: std::process::Child,
    port: u16,
}

impl OwnRedis {
    pub(crate) fn start(port: u16) -> OwnRedis {
        OwnRedis::start_with(port, &["--port", &port.to_string()])
    }

    /// A Redis answering on `port` as `args` say (`--port`, or `--tls-port` with its
    /// certificate).
    fn start_with(port: u16, args: &[&str]) -> OwnRedis {
        let child = std::process::Command::new("redis-server")
            .args(args)
            .args(["--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server (scripts/test.sh installs it where it is missing)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        OwnRedis { child, port }
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_redis_that_goes_away_fails_claims_clearly_and_serves_them_again_when_back() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let redis = OwnRedis::start(port);
    let claims = Claims::redis(&redis.url().as_str().into(), "replica").await.unwrap();
    let hold = Duration::from_secs(60);
    let slot = Utc::now();
    assert!(claims.claim("job", slot, hold).await.unwrap());
    assert!(!claims.claim("job", slot, hold).await.unwrap(), "a slot is claimed once");

    drop(redis);
    let started = std::time::Instant::now();
    let second = slot + chrono::Duration::seconds(1);
    let error = claims.claim("job", second, hold).await.unwrap_err().to_string();
    assert!(error.starts_with("redis: claiming a slot failed"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());

    // Back on the same port: the client reconnects by itself.
    let _redis = OwnRedis::start(port);
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        match claims.claim("job", second, hold).await {
            Ok(claimed) => {
                assert!(claimed);
                break;
            }
            Err(error) if std::time::Instant::now() < deadline => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("still failing after Redis came back: {error}"),
        }
    }
}

/// An export with its comment lines left out (SurrealDB writes section headers there).
fn statements(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().filter(|line| !line.starts_with("--")).collect::<Vec<_>>().join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restored_into_a_fresh_store_equals_the_original() {
    let original = dcmaid_tests::Sandbox::new();
    original.install_personality();
    original.install_analytics();
    let bot = dcmaid_host::Bot::start(original.config()).await.unwrap();
    for (user, text) in [("alice", "hello"), ("bob", "you are great"), ("alice", "/mood")] {
        crate::say(&bot, user, text).await;
    }
    bot.flush_observers().await;
    let storage = bot.storage();
    let backups = original.data_dir().join("backups");
    let saved = dcmaid_host::backup::backup(storage, &backups, Utc::now(), 7).await.unwrap();

    let fresh = dcmaid_tests::Sandbox::new();
    fresh.install_personality();
    fresh.install_analytics();
    let restored = dcmaid_host::Bot::start(fresh.config()).await.unwrap();
    let storage = restored.storage();
    assert_eq!(dcmaid_host::backup::restore(storage, &saved).await.unwrap(), 2);
    let again = fresh.data_dir().join("backups");
    let copy = dcmaid_host::backup::backup(storage, &again, Utc::now(), 7).await.unwrap();

    for database in ["personality", "analytics"] {
        let file = format!("{database}.surql");
        let (before, after) = (statements(&saved.join(&file)), statements(&copy.join(&file)));
        assert!(before.contains("INSERT"), "{database} had data: {before}");
        assert_eq!(before, after, "{database} differs after the round trip");
    }
}

/// A Redis behind TLS and a password, its certificate from a CA of the test's own (made with
/// openssl): claims go through `rediss://:PASSWORD@` with the operator's CA file; without the
/// CA, or with a wrong password, the connection is refused, and no message shows a password.
#[tokio::test]
async fn claims_go_through_a_redis_behind_tls_and_a_password() {
    use dcmaid_host::redis::RedisTarget;
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let openssl = |args: &[&str]| {
        let made = std::process::Command::new("openssl").args(args).output().unwrap();
        assert!(
            made.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&made.stderr)
        );
    };
    openssl(
        &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=e2e CA"]
            .iter()
            .copied()
            .chain(["-keyout", &path("ca.key"), "-out", &path("ca.crt")])
            .collect::<Vec<_>>(),
    );
    openssl(
        &["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1"]
            .iter()
            .copied()
            .chain(["-keyout", &path("redis.key"), "-out", &path("redis.csr")])
            .collect::<Vec<_>>(),
    );
    std::fs::write(path("san"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(&[
        "x509",
        "-req",
        "-days",
        "1",
        "-in",
        &path("redis.csr"),
        "-CA",
        &path("ca.crt"),
        "-CAkey",
        &path("ca.key"),
        "-CAcreateserial",
        "-out",
        &path("redis.crt"),
        "-extfile",
        &path("san"),
    ]);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _redis = OwnRedis::start_with(
        port,
        &[
            "--port",
            "0",
            "--tls-port",
            &port.to_string(),
            "--tls-cert-file",
            &path("redis.crt"),
            "--tls-key-file",
            &path("redis.key"),
            "--tls-auth-clients",
            "no",
            "--requirepass",
            "s3cret-pass",
        ],
    );
    let ca = dir.path().join("ca.crt");
    let url = |password: &str| format!("rediss://:{password}@127.0.0.1:{port}");

    let target = RedisTarget::new(&url("s3cret-pass"), Some(&ca));
    assert_eq!(target.to_string(), format!("rediss://:***@127.0.0.1:{port}"));
    let claims = Claims::redis(&target, "tls").await.unwrap();
    assert!(claims.claim("job", Utc::now(), Duration::from_secs(60)).await.unwrap());

    for (target, why) in [
        (RedisTarget::new(&url("s3cret-pass"), None), "a CA the system does not trust"),
        (RedisTarget::new(&url("wrong-pass"), Some(&ca)), "a wrong password"),
        (RedisTarget::new(&format!("redis://:s3cret-pass@127.0.0.1:{port}"), None), "no TLS"),
    ] {
        let error = match Claims::redis(&target, "tls").await {
            Ok(_) => panic!("{why}: connected"),
            Err(error) => error.to_string(),
        };
        assert!(!error.contains("pass@"), "{why}: {error}");
    }
}
