//! `/api/v1/jobs`: the scheduled jobs, for operators. List, add, show, remove, enable,
//! disable, run now and the run history; the CLI's `dcmaid jobs` talks to these when the bot
//! is running.

use std::sync::Arc;

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::{Deserialize, Serialize};

use super::auth::AdminAuth;
use super::body::{Checked, JsonBody};
use super::error::{ApiError, ApiResult};
use super::tag::Tag;
use crate::bot::Bot;
use crate::cron::{CronError, JobSpec, JobView, Run};

/// A job to add: its name and what the schedules file says of a job.
#[derive(Debug, Deserialize, Serialize, Object)]
#[serde(deny_unknown_fields)]
#[oai(deny_unknown_fields)]
pub struct NewJob {
    /// a-z, 0-9, `_` and `-`, 1 to 64 of them.
    #[oai(validator(pattern = r"^[a-z0-9_-]{1,64}$"))]
    pub name: String,
    /// Five fields, or six with seconds first; `L`, `W`, `#`, `@daily`. One that does not
    /// read as a schedule is refused with 422.
    #[oai(validator(min_length = 1, max_length = 256))]
    pub cron: String,
    /// `backup_database` or `generate_analytics_report`.
    #[oai(validator(pattern = r"^(backup_database|generate_analytics_report)$"))]
    pub command: String,
    /// An IANA time zone, e.g. `Europe/Berlin`; default UTC. One this host does not know is
    /// refused with 422.
    #[oai(validator(min_length = 1, max_length = 64))]
    #[serde(
        default,
        deserialize_with = "super::body::not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub timezone: Option<String>,
    /// Default true.
    #[serde(
        default,
        deserialize_with = "super::body::not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub enabled: Option<bool>,
    /// How late a fire may still run, in seconds; default 60.
    #[oai(validator(minimum(value = "0"), maximum(value = "31536000")))]
    #[serde(
        default,
        deserialize_with = "super::body::not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub misfire_grace_secs: Option<u64>,
    /// Run missed fires once rather than once each; default false.
    #[serde(
        default,
        deserialize_with = "super::body::not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub coalesce: Option<bool>,
    /// Runs at the same time at most, at least 1; default 3.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    #[serde(
        default,
        deserialize_with = "super::body::not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_instances: Option<usize>,
}

impl NewJob {
    pub fn into_spec(self) -> (String, JobSpec) {
        let spec = JobSpec {
            cron: self.cron,
            command: self.command,
            timezone: self.timezone,
            enabled: self.enabled.unwrap_or(true),
            misfire_grace_secs: self.misfire_grace_secs.unwrap_or(60),
            coalesce: self.coalesce.unwrap_or(false),
            max_instances: self.max_instances.unwrap_or(3),
        };
        (self.name, spec)
    }
}

/// The job's own checks run when it is added (they name the field); none before.
impl Checked for NewJob {
    fn check(&self) -> Result<(), ApiError> {
        Ok(())
    }
}

/// How a run started by hand went. The request worked either way; `status` says how the
/// job did.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RunOutcome {
    pub job: String,
    /// `ok` or `error`.
    pub status: String,
    pub error: Option<String>,
}

#[derive(ApiResponse)]
enum Added {
    /// The job was added.
    #[oai(status = 201)]
    Created(Json<JobView>),
}

#[derive(ApiResponse)]
enum Removed {
    /// The job is gone.
    #[oai(status = 204)]
    NoContent,
}

fn refused(error: CronError) -> ApiError {
    match &error {
        // The schema says what a cron expression and a time zone look like, not which read:
        // well-formed, but not one this host can schedule.
        CronError::Invalid(invalid) if matches!(invalid.field, "cron" | "timezone") => {
            ApiError::unprocessable_at(invalid.field, error.to_string())
        }
        CronError::Invalid(invalid) => {
            ApiError::bad_request(Some(invalid.field), error.to_string())
        }
        CronError::NotFound(_) => ApiError::not_found(error.to_string()),
        CronError::Exists(_) | CronError::FromFile(_) | CronError::TooMany(_) => {
            ApiError::conflict(error.to_string())
        }
        CronError::Storage(_) => ApiError::internal(error.to_string()),
    }
}

pub struct JobsApi {
    pub bot: Arc<Bot>,
}

#[OpenApi(prefix_path = "/jobs", tag = "Tag::Jobs")]
impl JobsApi {
    /// List the jobs
    ///
    /// Every job with its schedule, command, source, next run and last run.
    #[oai(path = "/", method = "get")]
    async fn list(&self, _auth: AdminAuth) -> ApiResult<Json<Vec<JobView>>> {
        Ok(Json(self.bot.cron().list().await.map_err(refused)?))
    }

    /// Add a job
    #[oai(path = "/", method = "post")]
    async fn add(&self, _auth: AdminAuth, body: JsonBody<NewJob>) -> ApiResult<Added> {
        let (name, spec) = body.0.into_spec();
        let view = self.bot.cron().add(&name, spec).await.map_err(refused)?;
        Ok(Added::Created(Json(view)))
    }

    /// One job
    #[oai(path = "/:name", method = "get")]
    async fn show(&self, _auth: AdminAuth, name: Path<String>) -> ApiResult<Json<JobView>> {
        let jobs = self.bot.cron().list().await.map_err(refused)?;
        let job = jobs.into_iter().find(|job| job.name == *name);
        job.map(Json).ok_or_else(|| refused(CronError::NotFound(name.0)))
    }

    /// Remove a job
    ///
    /// One added through the API or the CLI, or a plugin's; a job from the schedules file
    /// is changed there.
    #[oai(path = "/:name", method = "delete")]
    async fn remove(&self, _auth: AdminAuth, name: Path<String>) -> ApiResult<Removed> {
        self.bot.cron().remove(&name).await.map_err(refused)?;
        Ok(Removed::NoContent)
    }

    /// Enable a job
    #[oai(path = "/:name/enable", method = "post")]
    async fn enable(&self, _auth: AdminAuth, name: Path<String>) -> ApiResult<Json<JobView>> {
        Ok(Json(self.bot.cron().set_enabled(&name, true).await.map_err(refused)?))
    }

    /// Disable a job
    ///
    /// It stays, and fires again when enabled.
    #[oai(path = "/:name/disable", method = "post")]
    async fn disable(&self, _auth: AdminAuth, name: Path<String>) -> ApiResult<Json<JobView>> {
        Ok(Json(self.bot.cron().set_enabled(&name, false).await.map_err(refused)?))
    }

    /// Run a job now
    ///
    /// Once, now, whatever its schedule; the run joins its history.
    #[oai(path = "/:name/run", method = "post")]
    async fn run(&self, _auth: AdminAuth, name: Path<String>) -> ApiResult<Json<RunOutcome>> {
        let runner = self.bot.job_runner();
        let outcome = self.bot.cron().run_now(&name, &runner).await.map_err(refused)?;
        let (status, error) = match outcome {
            Ok(()) => ("ok", None),
            Err(error) => ("error", Some(error)),
        };
        Ok(Json(RunOutcome { job: name.0, status: status.to_owned(), error }))
    }

    /// A job's run history
    ///
    /// Its last runs, newest first (50 are kept).
    #[oai(path = "/:name/history", method = "get")]
    async fn history(&self, _auth: AdminAuth, name: Path<String>) -> ApiResult<Json<Vec<Run>>> {
        Ok(Json(self.bot.cron().runs(&name).await.map_err(refused)?))
    }
}
