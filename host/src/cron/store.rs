//! Jobs kept in SurrealDB as the seed's `cron_jobs`: name (the record id, so unique),
//! expression, command, enabled, last and next run, and the last run's status and error;
//! besides, what the host needs to rebuild a job after a restart (its source, time zone,
//! plugin, payload and firing rules). The host's own namespace holds it, where no plugin's
//! session can reach.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::RecordId;

use super::command::Command;
use super::job::{Job, JobSpec, Source};
use super::schedule::Schedule;
use crate::core::PluginName;
use crate::storage::{Storage, StorageError};

pub struct JobStore {
    db: Surreal<Any>,
}

/// A job's run history as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunRecord {
    pub last_run_at: Option<DateTime<Utc>>,
    pub next_run_at: Option<DateTime<Utc>>,
    /// `ok` or `error`.
    pub last_status: Option<String>,
    pub last_error: Option<String>,
}

/// A stored job and its history.
#[derive(Debug, Clone)]
pub struct StoredJob {
    pub job: Job,
    pub history: RunRecord,
}

/// One `cron_jobs` row as SurrealDB returns it.
#[derive(Debug, Deserialize)]
struct Row {
    name: String,
    expression: String,
    command: String,
    enabled: bool,
    source: String,
    timezone: Option<String>,
    plugin: Option<String>,
    job: Option<String>,
    payload: Option<String>,
    misfire_grace_secs: u64,
    coalesce: bool,
    max_instances: usize,
    last_run_at: Option<String>,
    next_run_at: Option<String>,
    last_status: Option<String>,
    last_error: Option<String>,
}

impl Row {
    /// The job again; the error says what no longer reads (a time zone the host has
    /// dropped, say), so the job can be skipped with a reason.
    fn into_stored(self) -> Result<StoredJob, String> {
        let schedule = Schedule::parse(&self.expression, self.timezone.as_deref())
            .map_err(|(field, reason)| format!("{field}: {reason}"))?;
        let source =
            Source::parse(&self.source).ok_or(format!("unknown source `{}`", self.source))?;
        let command = match (source, self.plugin, self.job) {
            (Source::Plugin, Some(plugin), Some(job)) => Command::Fire {
                plugin: PluginName::new(&plugin)?,
                job,
                payload: self.payload.unwrap_or_default(),
            },
            (Source::Plugin, _, _) => return Err("a plugin job without its plugin".into()),
            _ => self.command.parse()?,
        };
        let spec = JobSpec {
            cron: self.expression,
            command: String::new(),
            enabled: self.enabled,
            timezone: self.timezone,
            misfire_grace_secs: self.misfire_grace_secs,
            coalesce: self.coalesce,
            max_instances: self.max_instances,
        };
        let job = spec.into_job(self.name, schedule, command, source);
        let history = RunRecord {
            last_run_at: parse_time(self.last_run_at),
            next_run_at: parse_time(self.next_run_at),
            last_status: self.last_status,
            last_error: self.last_error,
        };
        Ok(StoredJob { job, history })
    }
}

fn record(name: &str) -> RecordId {
    RecordId::new("cron_jobs", name.to_owned())
}

fn parse_time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|text| DateTime::parse_from_rfc3339(&text).ok()).map(|t| t.with_timezone(&Utc))
}

const SCHEMA: &str = "\
    DEFINE TABLE IF NOT EXISTS cron_jobs SCHEMAFULL; \
    DEFINE FIELD IF NOT EXISTS expression ON cron_jobs TYPE string; \
    DEFINE FIELD IF NOT EXISTS command ON cron_jobs TYPE string; \
    DEFINE FIELD IF NOT EXISTS enabled ON cron_jobs TYPE bool; \
    DEFINE FIELD IF NOT EXISTS last_run_at ON cron_jobs TYPE option<string>; \
    DEFINE FIELD IF NOT EXISTS next_run_at ON cron_jobs TYPE option<string>; \
    DEFINE FIELD IF NOT EXISTS last_status ON cron_jobs TYPE option<string>; \
    DEFINE FIELD IF NOT EXISTS last_error ON cron_jobs TYPE option<string>; \
    DEFINE FIELD IF NOT EXISTS source ON cron_jobs TYPE string DEFAULT 'file'; \
    DEFINE FIELD IF NOT EXISTS timezone ON cron_jobs TYPE option<string>; \
    DEFINE FIELD IF NOT EXISTS plugin ON cron_jobs TYPE option<string>; \
    DEFINE FIELD IF NOT EXISTS job ON cron_jobs TYPE option<string>; \
    DEFINE FIELD IF NOT EXISTS payload ON cron_jobs TYPE option<string>; \
    DEFINE FIELD IF NOT EXISTS misfire_grace_secs ON cron_jobs TYPE int DEFAULT 60; \
    DEFINE FIELD IF NOT EXISTS coalesce ON cron_jobs TYPE bool DEFAULT false; \
    DEFINE FIELD IF NOT EXISTS max_instances ON cron_jobs TYPE int DEFAULT 3; \
    DEFINE TABLE IF NOT EXISTS cron_runs SCHEMAFULL; \
    DEFINE FIELD IF NOT EXISTS job ON cron_runs TYPE string; \
    DEFINE FIELD IF NOT EXISTS scheduled_for ON cron_runs TYPE string; \
    DEFINE FIELD IF NOT EXISTS finished_at ON cron_runs TYPE string; \
    DEFINE FIELD IF NOT EXISTS status ON cron_runs TYPE string; \
    DEFINE FIELD IF NOT EXISTS error ON cron_runs TYPE option<string>; \
    DEFINE INDEX IF NOT EXISTS cron_runs_job ON cron_runs FIELDS job, finished_at;";

/// Runs kept per job in its history; older ones are dropped as new ones finish.
pub const RUNS_KEPT: usize = 50;

/// One finished run of a job.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, poem_openapi::Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Run {
    /// The time the run was for (its schedule's slot, or when it was asked to run now).
    pub scheduled_for: String,
    pub finished_at: String,
    /// `ok` or `error`.
    pub status: String,
    pub error: Option<String>,
}

impl JobStore {
    pub async fn open(storage: &Storage) -> Result<JobStore, StorageError> {
        let db = storage.host_session("cron").await?;
        db.query(SCHEMA).await?.check()?;
        Ok(JobStore { db })
    }

    /// Store `job`'s definition (its run history stays) and return that history.
    pub async fn register(&self, job: &Job) -> Result<RunRecord, StorageError> {
        let (plugin, job_name, payload) = match &job.command {
            Command::Fire { plugin, job, payload } => {
                (Some(plugin.to_string()), Some(job.clone()), Some(payload.clone()))
            }
            _ => (None, None, None),
        };
        let command = match &job.command {
            Command::Fire { .. } => "fire".to_owned(),
            builtin => builtin.to_string(),
        };
        self.db
            .query(
                "UPSERT $id SET expression = $expression, command = $command, enabled = $enabled, \
                 source = $source, timezone = $timezone, plugin = $plugin, job = $job, \
                 payload = $payload, misfire_grace_secs = $grace, coalesce = $coalesce, \
                 max_instances = $instances RETURN NONE",
            )
            .bind(("id", record(&job.name)))
            .bind(("expression", job.schedule.expression().to_owned()))
            .bind(("command", command))
            .bind(("enabled", job.enabled))
            .bind(("source", job.source.as_str().to_owned()))
            .bind(("timezone", job.schedule.zone().map(str::to_owned)))
            .bind(("plugin", plugin))
            .bind(("job", job_name))
            .bind(("payload", payload))
            .bind(("grace", job.misfire_grace.as_secs() as i64))
            .bind(("coalesce", job.coalesce))
            .bind(("instances", job.max_instances as i64))
            .await?
            .check()?;
        self.history(&job.name).await
    }

    /// Every stored job, by name. A row that no longer reads is logged and left out.
    pub async fn all(&self) -> Result<Vec<StoredJob>, StorageError> {
        let mut response = self
            .db
            .query("SELECT record::id(id) AS name, * OMIT id FROM cron_jobs ORDER BY name")
            .await?;
        let rows: surrealdb::types::Value = response.take(0)?;
        let rows: Vec<Row> = serde_json::from_value(rows.into_json_value())
            .map_err(|e| StorageError::Decode(format!("cron_jobs: {e}")))?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let name = row.name.clone();
                row.into_stored()
                    .inspect_err(
                        |error| tracing::error!(job = %name, "cron: stored job skipped: {error}"),
                    )
                    .ok()
            })
            .collect())
    }

    /// The stored job `name`, if any.
    pub async fn get(&self, name: &str) -> Result<Option<StoredJob>, StorageError> {
        Ok(self.all().await?.into_iter().find(|stored| stored.job.name == name))
    }

    /// Remove `name`; true when it was there.
    pub async fn remove(&self, name: &str) -> Result<bool, StorageError> {
        let mut response = self
            .db
            .query("DELETE $id RETURN BEFORE; DELETE cron_runs WHERE job = $name;")
            .bind(("id", record(name)))
            .bind(("name", name.to_owned()))
            .await?;
        let removed: surrealdb::types::Value = response.take(0)?;
        Ok(matches!(removed.into_json_value(), serde_json::Value::Array(rows) if !rows.is_empty()))
    }

    /// `name`'s finished runs, newest first, at most [`RUNS_KEPT`].
    pub async fn runs(&self, name: &str) -> Result<Vec<Run>, StorageError> {
        let mut response = self
            .db
            .query(
                "SELECT scheduled_for, finished_at, status, error, id FROM cron_runs \
                 WHERE job = $name ORDER BY finished_at DESC, id DESC LIMIT $kept",
            )
            .bind(("name", name.to_owned()))
            .bind(("kept", RUNS_KEPT))
            .await?;
        let rows: surrealdb::types::Value = response.take(0)?;
        serde_json::from_value(rows.into_json_value())
            .map_err(|error| StorageError::Decode(format!("a run of job `{name}`: {error}")))
    }

    pub async fn history(&self, name: &str) -> Result<RunRecord, StorageError> {
        let mut response = self
            .db
            .query("SELECT last_run_at, next_run_at, last_status, last_error FROM $id")
            .bind(("id", record(name)))
            .await?;
        // The outer option: whether there is a record; the inner: whether the field is set.
        let field = |response: &mut surrealdb::IndexedResults, name: &'static str| {
            response.take::<Option<Option<String>>>((0, name)).map(Option::flatten)
        };
        Ok(RunRecord {
            last_run_at: parse_time(field(&mut response, "last_run_at")?),
            next_run_at: parse_time(field(&mut response, "next_run_at")?),
            last_status: field(&mut response, "last_status")?,
            last_error: field(&mut response, "last_error")?,
        })
    }

    /// A run of `name` for `slot` ended with `outcome`; the job next fires at `next`. A job
    /// removed meanwhile stays removed.
    pub async fn record_run(
        &self,
        name: &str,
        slot: DateTime<Utc>,
        outcome: &Result<(), String>,
        next: Option<DateTime<Utc>>,
    ) -> Result<(), StorageError> {
        let (status, error) = match outcome {
            Ok(()) => ("ok", None),
            Err(error) => ("error", Some(error.clone())),
        };
        // The run joins the history only while the job exists; the oldest runs past
        // RUNS_KEPT go in the same transaction.
        self.db
            .query(
                "BEGIN; \
                 UPDATE $id SET last_run_at = $last, next_run_at = $next, last_status = $status, \
                 last_error = $error RETURN NONE; \
                 IF record::exists($id) { \
                     CREATE cron_runs SET job = $name, scheduled_for = $last, \
                         finished_at = $finished, status = $status, error = $error RETURN NONE; \
                     LET $old = (SELECT VALUE id FROM cron_runs WHERE job = $name \
                         ORDER BY finished_at DESC START $kept); \
                     DELETE $old; \
                 }; \
                 COMMIT;",
            )
            .bind(("id", record(name)))
            .bind(("name", name.to_owned()))
            .bind(("finished", Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)))
            .bind(("kept", RUNS_KEPT))
            .bind(("last", slot.to_rfc3339()))
            .bind(("next", next.map(|next| next.to_rfc3339())))
            .bind(("status", status.to_owned()))
            .bind(("error", error))
            .await?
            .check()?;
        Ok(())
    }
}
