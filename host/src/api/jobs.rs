//! `/api/v1/jobs`: the scheduled jobs, for operators (behind the admin token). List, add,
//! show, remove, enable, disable and run now; the CLI's `dcmaid jobs` talks to these when
//! the bot is running.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, Json, Path};
use poem::{Body, IntoResponse, Response, Route, get, handler, post};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{BadRequest, bad_request};
use crate::bot::Bot;
use crate::cron::{CronError, JobSpec, JobView};

pub fn routes() -> Route {
    Route::new()
        .at("/", get(list).post(add))
        .at("/:name", get(show).delete(remove))
        .at("/:name/run", post(run))
        .at("/:name/enable", post(enable))
        .at("/:name/disable", post(disable))
}

/// `POST /api/v1/jobs`: the job's name and what the schedules file says of a job.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NewJob {
    pub name: String,
    pub cron: String,
    pub command: String,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub misfire_grace_secs: Option<u64>,
    #[serde(default)]
    pub coalesce: Option<bool>,
    #[serde(default)]
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

fn refused(error: CronError) -> Response {
    let status = match &error {
        CronError::Invalid(invalid) => {
            return bad_request(Some(invalid.field), error.to_string()).into_response();
        }
        CronError::NotFound(_) => StatusCode::NOT_FOUND,
        CronError::Exists(_) | CronError::FromFile(_) | CronError::TooMany(_) => {
            StatusCode::CONFLICT
        }
        CronError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, Json(json!({ "error": error.to_string() }))).into_response()
}

fn answer(result: Result<JobView, CronError>, status: StatusCode) -> Response {
    match result {
        Ok(view) => (status, Json(view)).into_response(),
        Err(error) => refused(error),
    }
}

#[handler]
async fn list(Data(bot): Data<&Arc<Bot>>) -> Response {
    match bot.cron().list().await {
        Ok(jobs) => Json(jobs).into_response(),
        Err(error) => refused(error),
    }
}

#[handler]
async fn add(Data(bot): Data<&Arc<Bot>>, body: Body) -> Response {
    let new = match parse(body).await {
        Ok(new) => new,
        Err(refusal) => return refusal.into_response(),
    };
    let (name, spec) = new.into_spec();
    answer(bot.cron().add(&name, spec).await, StatusCode::CREATED)
}

async fn parse(body: Body) -> Result<NewJob, BadRequest> {
    let bytes = body
        .into_bytes()
        .await
        .map_err(|e| bad_request(None, format!("cannot read the body: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|error| {
        let text = error.to_string();
        bad_request(
            named_field(&text),
            format!(
                "the body must be a JSON object {{name, cron, command, timezone?, enabled?, \
                 misfire_grace_secs?, coalesce?, max_instances?}}: {text}"
            ),
        )
    })
}

/// The field serde's message is about: "missing field `cron`", "unknown field `x`, expected
/// ...", "invalid type: ... for field `y`"... When it names none, `None`.
fn named_field(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once("field `")?;
    rest.split_once('`').map(|(field, _)| field)
}

#[handler]
async fn show(Data(bot): Data<&Arc<Bot>>, Path(name): Path<String>) -> Response {
    let jobs = match bot.cron().list().await {
        Ok(jobs) => jobs,
        Err(error) => return refused(error),
    };
    match jobs.into_iter().find(|job| job.name == name) {
        Some(job) => Json(job).into_response(),
        None => refused(CronError::NotFound(name)),
    }
}

#[handler]
async fn remove(Data(bot): Data<&Arc<Bot>>, Path(name): Path<String>) -> Response {
    match bot.cron().remove(&name).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => refused(error),
    }
}

#[handler]
async fn enable(Data(bot): Data<&Arc<Bot>>, Path(name): Path<String>) -> Response {
    answer(bot.cron().set_enabled(&name, true).await, StatusCode::OK)
}

#[handler]
async fn disable(Data(bot): Data<&Arc<Bot>>, Path(name): Path<String>) -> Response {
    answer(bot.cron().set_enabled(&name, false).await, StatusCode::OK)
}

/// Run the job now. 200 either way: the request worked; `status` says how the job went.
#[handler]
async fn run(Data(bot): Data<&Arc<Bot>>, Path(name): Path<String>) -> Response {
    let runner = crate::cron::run::runner(bot);
    match bot.cron().run_now(&name, &runner).await {
        Ok(Ok(())) => Json(json!({ "job": name, "status": "ok" })).into_response(),
        Ok(Err(error)) => {
            Json(json!({ "job": name, "status": "error", "error": error })).into_response()
        }
        Err(error) => refused(error),
    }
}
