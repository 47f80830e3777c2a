//! Jobs kept in SurrealDB as the seed's `cron_jobs`: name (the record id, so unique),
//! expression, command, enabled, last and next run, and the last run's status and error. The
//! host's own namespace holds it, where no plugin's session can reach.

use chrono::{DateTime, Utc};
use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::RecordId;

use super::Job;
use crate::storage::{Storage, StorageError};

pub struct JobStore {
    db: Surreal<Any>,
}

/// A job's run history as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub last_run_at: Option<DateTime<Utc>>,
    pub next_run_at: Option<DateTime<Utc>>,
    /// `ok` or `error`.
    pub last_status: Option<String>,
    pub last_error: Option<String>,
}

fn record(name: &str) -> RecordId {
    RecordId::new("cron_jobs", name.to_owned())
}

fn parse_time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|text| DateTime::parse_from_rfc3339(&text).ok()).map(|t| t.with_timezone(&Utc))
}

impl JobStore {
    pub async fn open(storage: &Storage) -> Result<JobStore, StorageError> {
        let db = storage.root().clone();
        db.use_ns("dcmaid").use_db("cron").await?;
        db.query(
            "DEFINE TABLE IF NOT EXISTS cron_jobs SCHEMAFULL; \
             DEFINE FIELD IF NOT EXISTS expression ON cron_jobs TYPE string; \
             DEFINE FIELD IF NOT EXISTS command ON cron_jobs TYPE string; \
             DEFINE FIELD IF NOT EXISTS enabled ON cron_jobs TYPE bool; \
             DEFINE FIELD IF NOT EXISTS last_run_at ON cron_jobs TYPE option<string>; \
             DEFINE FIELD IF NOT EXISTS next_run_at ON cron_jobs TYPE option<string>; \
             DEFINE FIELD IF NOT EXISTS last_status ON cron_jobs TYPE option<string>; \
             DEFINE FIELD IF NOT EXISTS last_error ON cron_jobs TYPE option<string>;",
        )
        .await?
        .check()?;
        Ok(JobStore { db })
    }

    /// Store `job`'s definition (its run history stays) and return that history.
    pub async fn register(&self, job: &Job) -> Result<RunRecord, StorageError> {
        self.db
            .query("UPSERT $id SET expression = $expression, command = $command, enabled = $enabled RETURN NONE")
            .bind(("id", record(&job.name)))
            .bind(("expression", job.schedule.expression().to_owned()))
            .bind(("command", job.command.to_string()))
            .bind(("enabled", job.enabled))
            .await?
            .check()?;
        self.history(&job.name).await
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

    /// A run of `name` for `slot` ended with `outcome`; the job next fires at `next`.
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
        self.db
            .query(
                "UPDATE $id SET last_run_at = $last, next_run_at = $next, last_status = $status, \
                 last_error = $error RETURN NONE",
            )
            .bind(("id", record(name)))
            .bind(("last", slot.to_rfc3339()))
            .bind(("next", next.map(|next| next.to_rfc3339())))
            .bind(("status", status.to_owned()))
            .bind(("error", error))
            .await?
            .check()?;
        Ok(())
    }
}
