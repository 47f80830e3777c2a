//! Jobs from the three sources beyond the schedules file's: a plugin through the `scheduler`
//! capability, the admin API, and the CLI (on the store, or through the running bot's API).

use std::sync::Arc;
use std::time::Duration;

use dcmaid_host::Bot;
use dcmaid_host::cron::{Claims, Source};
use dcmaid_tests::Sandbox;
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::{Value, json};

use crate::say;

async fn serving(sandbox: &Sandbox) -> Arc<Bot> {
    let mut config = sandbox.config();
    config.server.admin_token = Some("s3cret".into());
    let bot = Arc::new(Bot::start(config).await.unwrap());
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    let runner = bot.job_runner();
    bot.cron().start(Arc::new(Claims::Local), runner).await.unwrap();
    bot
}

/// How often `job` of misbehave has fired, as the plugin counted it in its kv.
async fn fired(bot: &Bot, job: &str) -> u64 {
    say(bot, "alice", &format!("/kv fired/{job}")).await.reply.parse().unwrap_or(0)
}

/// How often `job` has fired, once it has fired `times` times or ten seconds have passed (a
/// busy machine delays an every-second job's fires; it does not lose them).
async fn fired_within(bot: &Bot, job: &str, times: u64) -> u64 {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        // Asked as a user of its own, whose command rate limit (10 at once, then one every
        // 2 s) the polls stay within.
        let asked = say(bot, "watcher", &format!("/kv fired/{job}")).await;
        let fired = asked.reply.parse().unwrap_or(0);
        if fired >= times || tokio::time::Instant::now() >= deadline {
            return fired;
        }
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugins_job_fires_its_export_survives_a_restart_and_is_contained_when_it_traps() {
    let sandbox = Sandbox::new();
    sandbox.install_misbehave();
    let bot = serving(&sandbox).await;
    assert_eq!(say(&bot, "alice", "/every tick * * * * * *").await.reply, "scheduled tick");
    assert_eq!(say(&bot, "alice", "/every trap * * * * * *").await.reply, "scheduled trap");
    let refused = say(&bot, "alice", "/every bad 61 * * * *").await;
    assert!(refused.reply.contains("cron: `61 * * * *`"), "{}", refused.reply);
    assert_eq!(say(&bot, "alice", "/jobs").await.reply, "tick * * * * * *\ntrap * * * * * *");
    assert!(fired_within(&bot, "tick", 2).await >= 2);

    let jobs = bot.cron().list().await.unwrap();
    let trap = jobs.iter().find(|job| job.name == "misbehave/trap").unwrap();
    assert_eq!(trap.last_status.as_deref(), Some("error"));
    assert!(trap.last_error.as_deref().unwrap().contains("trap"), "{trap:?}");
    assert_eq!(trap.source, Source::Plugin);
    assert_eq!(say(&bot, "alice", "/ok").await.reply, "ok", "the bot still answers");
    bot.cron().shutdown(Duration::from_secs(5)).await;
    let before_restart = fired(&bot, "tick").await;
    drop(bot);

    // The jobs were kept: after a restart they fire again, and unscheduling removes them.
    let bot = serving(&sandbox).await;
    assert!(fired_within(&bot, "tick", before_restart + 1).await > before_restart);
    assert_eq!(say(&bot, "alice", "/unschedule tick").await.reply, "unscheduled");
    assert_eq!(say(&bot, "alice", "/unschedule tick").await.reply, "no such job");
    let names: Vec<String> = bot.cron().list().await.unwrap().into_iter().map(|j| j.name).collect();
    assert_eq!(names, ["misbehave/trap"]);
    bot.cron().shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn a_plugin_without_the_grant_cannot_schedule() {
    let sandbox = Sandbox::new();
    sandbox.install_misbehave();
    let mut config = sandbox.config();
    config.default_grants.remove(&dcmaid_host::core::Capability::Scheduler);
    let bot = Bot::start(config).await.unwrap();
    // The user gets an apology; the plugin gets the reason.
    assert!(say(&bot, "alice", "/every tick * * * * * *").await.failed);
    let owner = bot.plugins().command_owner("every").unwrap().clone();
    let message = bot.message(dcmaid_host::wit::Platform::Console, "alice", "alice", "alice", "x");
    let args = "tick * * * * * *".to_owned();
    let invocation = dcmaid_host::wit::Invocation { name: "every".into(), args, message };
    let error = owner.run_command(&invocation).await.unwrap_err().to_string();
    assert!(error.contains("NotGranted"), "{error}");
    assert!(bot.cron().list().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_api_adds_lists_runs_disables_and_removes_jobs() {
    let sandbox = Sandbox::new();
    sandbox.install_analytics();
    let bot = serving(&sandbox).await;
    let api = TestClient::new(dcmaid_host::api::routes(bot.clone(), None));
    let bearer = "Bearer s3cret";

    let anonymous = api.get("/api/v1/jobs").send().await;
    anonymous.assert_status(StatusCode::UNAUTHORIZED);
    let wrong = api.get("/api/v1/jobs").header("Authorization", "Bearer guess").send().await;
    wrong.assert_status(StatusCode::UNAUTHORIZED);

    let report =
        json!({"name": "report", "cron": "* * * * * *", "command": "generate_analytics_report"});
    let added =
        api.post("/api/v1/jobs").header("Authorization", bearer).body_json(&report).send().await;
    added.assert_status(StatusCode::CREATED);
    let again =
        api.post("/api/v1/jobs").header("Authorization", bearer).body_json(&report).send().await;
    again.assert_status(StatusCode::CONFLICT);

    // Bad bodies: a 400 naming the field, and nothing kept.
    for (body, field) in [
        (json!({"name": "x", "cron": "61 * * * *", "command": "backup_database"}), "cron"),
        (json!({"name": "x", "cron": "@daily"}), "command"),
        (json!({"name": "x", "cron": "@daily", "command": "vacuum"}), "command"),
        (json!({"name": "X Y", "cron": "@daily", "command": "backup_database"}), "name"),
        (
            json!({"name": "x", "cron": "@daily", "command": "backup_database", "timezone": "Moon/Base"}),
            "timezone",
        ),
        (
            json!({"name": "x", "cron": "@daily", "command": "backup_database", "color": "red"}),
            "color",
        ),
    ] {
        let response =
            api.post("/api/v1/jobs").header("Authorization", bearer).body_json(&body).send().await;
        response.assert_status(match field {
            // Well-formed, but not a schedule this host reads.
            "cron" | "timezone" => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        });
        let error: Value = response.json().await.value().deserialize();
        assert_eq!(error["field"], field, "{body}: {error}");
        assert!(error["error"].as_str().unwrap().contains(field), "{body}: {error}");
    }

    // The job is live: the scheduler fires it, the analytics plugin writes its report (a
    // loaded machine may take a few seconds).
    let reports = sandbox.data_dir().join("reports");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !reports.is_dir() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reports.is_dir(), "the job fired");

    let listed = api.get("/api/v1/jobs").header("Authorization", bearer).send().await;
    listed.assert_status_is_ok();
    let jobs: Value = listed.json().await.value().deserialize();
    assert_eq!(jobs.as_array().unwrap().len(), 1, "{jobs}");
    assert_eq!(jobs[0]["name"], "report");
    assert_eq!(jobs[0]["source"], "api");
    assert_eq!(jobs[0]["last_status"], "ok", "{jobs}");

    let disabled =
        api.post("/api/v1/jobs/report/disable").header("Authorization", bearer).send().await;
    disabled.assert_status_is_ok();
    let job: Value = disabled.json().await.value().deserialize();
    assert_eq!((job["enabled"].clone(), job["next_run_at"].clone()), (json!(false), Value::Null));

    let ran = api.post("/api/v1/jobs/report/run").header("Authorization", bearer).send().await;
    ran.assert_status_is_ok();
    let ran: Value = ran.json().await.value().deserialize();
    assert_eq!(ran["status"], "ok", "{ran}");

    let removed = api.delete("/api/v1/jobs/report").header("Authorization", bearer).send().await;
    removed.assert_status(StatusCode::NO_CONTENT);
    let gone = api.get("/api/v1/jobs/report").header("Authorization", bearer).send().await;
    gone.assert_status(StatusCode::NOT_FOUND);
    bot.cron().shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn without_a_token_the_admin_api_is_off_and_file_jobs_belong_to_the_file() {
    let sandbox = Sandbox::new();
    let bot = Arc::new(Bot::start(sandbox.config()).await.unwrap());
    let api = TestClient::new(dcmaid_host::api::routes(bot.clone(), None));
    let off = api.get("/api/v1/jobs").header("Authorization", "Bearer anything").send().await;
    off.assert_status(StatusCode::FORBIDDEN);

    let jobs = dcmaid_host::cron::parse_jobs(
        "schedules:\n  nightly:\n    cron: '0 2 * * *'\n    command: backup_database\n",
    )
    .unwrap();
    bot.cron().load_file(&jobs).await.unwrap();
    let refused = bot.cron().remove("nightly").await.unwrap_err().to_string();
    assert_eq!(refused, "job `nightly` comes from the schedules file; change it there");
    // A job the file no longer has is forgotten at the next load.
    bot.cron().load_file(&[]).await.unwrap();
    assert!(bot.cron().list().await.unwrap().is_empty());
}

#[test]
fn the_cli_changes_jobs_in_the_store_and_through_a_running_bot() {
    let sandbox = Sandbox::new();
    let cli = |args: &[&str]| {
        let output = crate::cli::dcmaid(&sandbox, "", args, "");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        stdout
    };
    // No bot running: the store directly.
    let added =
        cli(&["jobs", "add", "nightly", "--cron", "0 2 * * *", "--command", "backup_database"]);
    assert!(added.contains("added job `nightly` to the store"), "{added}");
    let listed = cli(&["jobs", "list"]);
    assert!(
        listed.contains("nightly") && listed.contains("backup_database") && listed.contains("api")
    );
    let disabled = cli(&["jobs", "disable", "nightly"]);
    assert!(disabled.contains("false"), "{disabled}");
    let ran = cli(&["jobs", "run", "nightly"]);
    assert!(ran.contains("job `nightly` ran: ok"), "{ran}");
    assert!(cli(&["jobs", "list"]).contains(" ok"), "the run is in the history");
    let unknown = crate::cli::dcmaid(&sandbox, "", &["jobs", "remove", "weekly"], "");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no job named `weekly`"));
    cli(&["jobs", "remove", "nightly"]);
    assert!(cli(&["jobs", "list"]).contains("(no jobs"));

    // A bot serving: through its admin API, the token from the config.
    let port = crate::cli::free_port();
    let config = format!("[server]\nbind = \"127.0.0.1:{port}\"\nadmin_token = \"s3cret\"\n");
    let mut server = crate::cli::serve(&sandbox, &config, port);
    let output = crate::cli::dcmaid(
        &sandbox,
        &config,
        &["jobs", "add", "hourly", "--cron", "@hourly", "--command", "backup_database"],
        "",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("added job `hourly` to the running bot"), "{stdout}");
    let (status, body) = crate::cli::http(port, "GET", "/api/v1/jobs", "").unwrap();
    assert_eq!(status, 401, "{body}");
    let _ = server.kill();
    let _ = server.wait();
}
