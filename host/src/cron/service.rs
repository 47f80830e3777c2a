//! The bot's jobs in one place: defined from the schedules file, the API and CLI, or plugins;
//! kept in the [`JobStore`]; fired by a [`Scheduler`] while the bot serves. Every change goes
//! to the store first and then to the running scheduler, so a change is never live without
//! being kept, and the next start resumes exactly what was kept.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::claim::Claims;
use super::command::Command;
use super::job::{Job, JobError, JobSpec, Source};
use super::scheduler::{Runner, Scheduler};
use super::store::{JobStore, Run, StoredJob};
use crate::core::PluginName;
use crate::storage::{Storage, StorageError};

/// The most jobs one plugin may have.
pub const MAX_JOBS_PER_PLUGIN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum CronError {
    #[error(transparent)]
    Invalid(#[from] JobError),
    #[error("no job named `{0}`")]
    NotFound(String),
    #[error("a job named `{0}` exists already")]
    Exists(String),
    #[error("job `{0}` comes from the schedules file; change it there")]
    FromFile(String),
    #[error("plugin `{0}` has {MAX_JOBS_PER_PLUGIN} jobs, the most a plugin may have")]
    TooMany(String),
    #[error("cannot keep the job: {0}")]
    Storage(#[from] StorageError),
}

/// A job as operators see it (`dcmaid jobs list`, `GET /api/v1/jobs`).
#[derive(Debug, Clone, Serialize, serde::Deserialize, poem_openapi::Object)]
#[oai(skip_serializing_if_is_none)]
pub struct JobView {
    pub name: String,
    pub cron: String,
    pub timezone: Option<String>,
    pub command: String,
    pub source: Source,
    pub enabled: bool,
    /// When it fires next, if enabled.
    pub next_run_at: Option<DateTime<Utc>>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_status: Option<String>,
    pub last_error: Option<String>,
}

impl JobView {
    fn of(stored: &StoredJob, now: DateTime<Utc>) -> JobView {
        let job = &stored.job;
        JobView {
            name: job.name.clone(),
            cron: job.schedule.expression().to_owned(),
            timezone: job.schedule.zone().map(str::to_owned),
            command: job.command.to_string(),
            source: job.source,
            enabled: job.enabled,
            next_run_at: job.enabled.then(|| job.schedule.next_after(now)).flatten(),
            last_run_at: stored.history.last_run_at,
            last_status: stored.history.last_status.clone(),
            last_error: stored.history.last_error.clone(),
        }
    }
}

pub struct Cron {
    store: Arc<JobStore>,
    /// Present while the bot serves.
    scheduler: Mutex<Option<Arc<Scheduler>>>,
}

impl Cron {
    pub async fn open(storage: &Storage) -> Result<Cron, StorageError> {
        let store = Arc::new(JobStore::open(storage).await?);
        Ok(Cron { store, scheduler: Mutex::new(None) })
    }

    fn scheduler(&self) -> Option<Arc<Scheduler>> {
        self.scheduler.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Make the schedules file's jobs the file jobs: store them (their history stays) and
    /// forget the file jobs the file no longer has.
    pub async fn load_file(&self, jobs: &[Job]) -> Result<(), CronError> {
        for job in jobs {
            if let Some(stored) = self.store.get(&job.name).await?
                && stored.job.source != Source::File
            {
                return Err(CronError::Exists(job.name.clone()));
            }
            self.store.register(job).await?;
        }
        for stored in self.store.all().await? {
            let name = &stored.job.name;
            if stored.job.source == Source::File && !jobs.iter().any(|job| &job.name == name) {
                self.store.remove(name).await?;
                tracing::info!(job = %name, "cron: removed, no longer in the schedules file");
            }
        }
        Ok(())
    }

    /// Start firing every stored job. Changes made from now on are live.
    pub async fn start(&self, claims: Arc<Claims>, runner: Runner) -> Result<usize, CronError> {
        let jobs: Vec<Job> = self.store.all().await?.into_iter().map(|s| s.job).collect();
        let enabled = jobs.iter().filter(|job| job.enabled).count();
        let scheduler = Scheduler::start(jobs, claims, runner, Some(self.store.clone()));
        *self.scheduler.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(scheduler));
        Ok(enabled)
    }

    /// Stop firing; running jobs get until `deadline`.
    pub async fn shutdown(&self, deadline: Duration) {
        let scheduler = self.scheduler.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(scheduler) = scheduler {
            scheduler.shutdown(deadline).await;
        }
    }

    /// Every job, by name, with its history.
    pub async fn list(&self) -> Result<Vec<JobView>, CronError> {
        let now = Utc::now();
        Ok(self.store.all().await?.iter().map(|stored| JobView::of(stored, now)).collect())
    }

    /// The job `name` and its history.
    pub async fn get(&self, name: &str) -> Result<StoredJob, CronError> {
        self.store.get(name).await?.ok_or_else(|| CronError::NotFound(name.to_owned()))
    }

    /// `name`'s finished runs, newest first.
    pub async fn runs(&self, name: &str) -> Result<Vec<Run>, CronError> {
        self.get(name).await?;
        Ok(self.store.runs(name).await?)
    }

    /// Run `name` once, now, through `runner`, and record the run. The inner result is the
    /// job's own outcome.
    pub async fn run_now(
        &self,
        name: &str,
        runner: &Runner,
    ) -> Result<Result<(), String>, CronError> {
        let stored = self.get(name).await?;
        let now = Utc::now();
        let outcome = runner(stored.job.clone(), now).await;
        let next = stored.job.enabled.then(|| stored.job.schedule.next_after(now)).flatten();
        self.store.record_run(name, now, &outcome, next).await?;
        Ok(outcome)
    }

    /// Add the operator's job `name` (API or CLI). It must not exist yet.
    pub async fn add(&self, name: &str, spec: JobSpec) -> Result<JobView, CronError> {
        let job = spec.check(name, Source::Api)?;
        if self.store.get(name).await?.is_some() {
            return Err(CronError::Exists(name.to_owned()));
        }
        self.keep(job).await
    }

    /// Enable or disable `name`. File jobs are the file's to change.
    pub async fn set_enabled(&self, name: &str, enabled: bool) -> Result<JobView, CronError> {
        let mut job = self.changeable(name).await?;
        job.enabled = enabled;
        self.keep(job).await
    }

    /// Remove `name`; its runs in progress finish. File jobs are the file's to change.
    pub async fn remove(&self, name: &str) -> Result<(), CronError> {
        self.changeable(name).await?;
        self.store.remove(name).await?;
        if let Some(scheduler) = self.scheduler() {
            scheduler.remove(name);
        }
        Ok(())
    }

    /// Add or replace `plugin`'s job `job` (the `scheduler` capability). An operator's
    /// decision to disable it stands when the plugin schedules it again.
    pub async fn put_plugin_job(
        &self,
        plugin: &PluginName,
        job: &str,
        cron: &str,
        timezone: Option<&str>,
        payload: String,
    ) -> Result<(), CronError> {
        let full_name = format!("{plugin}/{job}");
        let at = |field: &'static str, reason: String| JobError {
            job: full_name.clone(),
            field,
            reason,
        };
        super::job::check_name(job).map_err(|reason| at("name", reason))?;
        let schedule = super::schedule::Schedule::parse(cron, timezone)
            .map_err(|(field, reason)| at(field, reason))?;
        let mut new = Job::for_plugin(plugin, job, schedule, payload);
        let existing = self.plugin_jobs(plugin).await?;
        match existing.iter().find(|stored| stored.job.name == new.name) {
            Some(old) => new.enabled = old.job.enabled,
            None if existing.len() >= MAX_JOBS_PER_PLUGIN => {
                return Err(CronError::TooMany(plugin.to_string()));
            }
            None => {}
        }
        self.keep(new).await.map(|_| ())
    }

    /// Remove `plugin`'s job `job`; true when it existed.
    pub async fn remove_plugin_job(
        &self,
        plugin: &PluginName,
        job: &str,
    ) -> Result<bool, CronError> {
        let name = format!("{plugin}/{job}");
        match self.store.get(&name).await? {
            Some(stored) if stored.job.source == Source::Plugin => {
                self.remove(&name).await?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// `plugin`'s jobs, by name.
    pub async fn plugin_jobs(&self, plugin: &PluginName) -> Result<Vec<StoredJob>, CronError> {
        let all = self.store.all().await?;
        let own = |stored: &StoredJob| matches!(&stored.job.command, Command::Fire { plugin: owner, .. } if owner == plugin);
        Ok(all.into_iter().filter(own).collect())
    }

    /// A job the API may change: it exists and does not come from the file.
    async fn changeable(&self, name: &str) -> Result<Job, CronError> {
        let stored = self.get(name).await?;
        if stored.job.source == Source::File {
            return Err(CronError::FromFile(name.to_owned()));
        }
        Ok(stored.job)
    }

    /// Store `job`, then make it live.
    async fn keep(&self, job: Job) -> Result<JobView, CronError> {
        let history = self.store.register(&job).await?;
        if let Some(scheduler) = self.scheduler() {
            scheduler.put(job.clone());
        }
        Ok(JobView::of(&StoredJob { job, history }, Utc::now()))
    }
}
