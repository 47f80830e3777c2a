//! The scheduler: one task per enabled job sleeps until the job's next slot, claims the
//! slot (see [`super::claim`]), and runs the job unless it fired too late (past its misfire
//! grace time) or already has `max_instances` runs going. Stopping it takes no new fires and
//! gives running jobs until a deadline.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};

use super::claim::Claims;
use super::job::{Job, Source};
use super::store::JobStore;
use crate::core::Throttle;

/// What running a job means; the host's runs the job's command, tests record the fire.
pub type Runner = Arc<
    dyn Fn(Job, DateTime<Utc>) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>>
        + Send
        + Sync,
>;

/// A claim outlives the grace time by this much, so that no replica still deciding about a
/// slot can find its claim gone.
const CLAIM_MARGIN: Duration = Duration::from_secs(60);

pub struct Scheduler {
    claims: Arc<Claims>,
    runner: Runner,
    store: Option<Arc<JobStore>>,
    /// The job tasks by job name, and the tasks of replaced or removed jobs that may still
    /// be finishing runs; shutdown waits for both.
    tasks: Mutex<Tasks>,
}

#[derive(Default)]
struct Tasks {
    live: HashMap<String, Task>,
    retired: Vec<JoinHandle<()>>,
    stopped: bool,
}

/// One job's task and the switch that stops it taking new fires.
struct Task {
    stop: watch::Sender<bool>,
    handle: JoinHandle<()>,
}

impl Task {
    /// No new fires; the runs in progress finish. The handle is what to wait for.
    fn retire(self) -> JoinHandle<()> {
        let _ = self.stop.send(true);
        self.handle
    }
}

impl Scheduler {
    /// Start firing the enabled `jobs`. With a `store`, each job first catches up on the
    /// slots it missed since its last recorded run (within its misfire grace; once in all if
    /// it coalesces), and every run is recorded.
    pub fn start(
        jobs: Vec<Job>,
        claims: Arc<Claims>,
        runner: Runner,
        store: Option<Arc<JobStore>>,
    ) -> Scheduler {
        let scheduler = Scheduler { claims, runner, store, tasks: Mutex::default() };
        for job in jobs {
            scheduler.put(job);
        }
        scheduler
    }

    /// Schedule `job`, replacing the job of the same name (whose runs in progress finish);
    /// a disabled job only stops the old one. Ignored once shut down.
    pub fn put(&self, job: Job) {
        let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        if tasks.stopped {
            return;
        }
        if let Some(old) = tasks.live.remove(&job.name) {
            let handle = old.retire();
            tasks.retired.push(handle);
        }
        tasks.retired.retain(|handle| !handle.is_finished());
        if !job.enabled {
            return;
        }
        let (stop, stopped) = watch::channel(false);
        let name = job.name.clone();
        let firing = Firing {
            instances: Arc::new(Semaphore::new(job.max_instances)),
            quiet: Arc::new(Throttle::per_minute()),
            job,
            claims: self.claims.clone(),
            runner: self.runner.clone(),
            store: self.store.clone(),
        };
        let handle = tokio::spawn(firing.run(stopped));
        tasks.live.insert(name, Task { stop, handle });
    }

    /// Stop firing `name`; its runs in progress finish.
    pub fn remove(&self, name: &str) {
        let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(task) = tasks.live.remove(name) {
            let handle = task.retire();
            tasks.retired.push(handle);
        }
    }

    /// Take no new fires, and wait up to `deadline` for the runs in progress.
    pub async fn shutdown(&self, deadline: Duration) {
        let handles: Vec<JoinHandle<()>> = {
            let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
            tasks.stopped = true;
            let live: Vec<Task> = tasks.live.drain().map(|(_, task)| task).collect();
            let mut handles: Vec<JoinHandle<()>> = live.into_iter().map(Task::retire).collect();
            handles.append(&mut tasks.retired);
            handles
        };
        let all = async {
            for handle in handles {
                let _ = handle.await;
            }
        };
        if tokio::time::timeout(deadline, all).await.is_err() {
            tracing::warn!("cron: jobs still running after {deadline:?}; not waiting longer");
        }
    }
}

/// Everything one job's task needs.
struct Firing {
    job: Job,
    claims: Arc<Claims>,
    runner: Runner,
    store: Option<Arc<JobStore>>,
    instances: Arc<Semaphore>,
    /// A job that fires every second and fails, or overlaps, every time is logged once a
    /// minute, with how often it did meanwhile.
    quiet: Arc<Throttle>,
}

/// Missed slots caught up on at most (the latest), however many fall within the grace time.
const MAX_CATCH_UP: usize = 100;

impl Firing {
    async fn run(self, mut stopped: watch::Receiver<bool>) {
        let mut runs = JoinSet::new();
        for slot in self.missed().await {
            self.fire(slot, &mut runs).await;
        }
        let mut after = Utc::now();
        while let Some(slot) = self.job.schedule.next_after(after) {
            let wait = (slot - Utc::now()).to_std().unwrap_or(Duration::ZERO);
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = stopped.changed() => break,
            }
            after = slot;
            // Reap the runs that finished, so the set does not grow.
            while runs.try_join_next().is_some() {}
            self.fire(slot, &mut runs).await;
        }
        while runs.join_next().await.is_some() {}
    }

    /// The slots since the last recorded run that are still within the grace time; only the
    /// latest when the job coalesces.
    async fn missed(&self) -> Vec<DateTime<Utc>> {
        let Some(store) = &self.store else { return Vec::new() };
        let last = match store.history(&self.job.name).await {
            Ok(history) => history.last_run_at,
            Err(error) => {
                tracing::error!(job = %self.job.name, "cron: no catch-up, history unreadable: {error}");
                None
            }
        };
        let Some(last) = last else { return Vec::new() };
        let now = Utc::now();
        // Slots older than the grace time are missed for good: start looking after them, so
        // a year of downtime is not a year of slots to walk through.
        let grace = chrono::Duration::from_std(self.job.misfire_grace).unwrap_or_default();
        let mut after = last.max(now - grace);
        let mut missed = Vec::new();
        while let Some(slot) = self.job.schedule.next_after(after).filter(|slot| *slot <= now) {
            missed.push(slot);
            after = slot;
            if missed.len() > MAX_CATCH_UP {
                missed.remove(0);
            }
        }
        if self.job.coalesce {
            missed.drain(..missed.len().saturating_sub(1));
        }
        missed
    }

    /// Fire `slot` unless it is too late, another replica has it, or too many runs go on.
    async fn fire(&self, slot: DateTime<Utc>, runs: &mut JoinSet<()>) {
        let job = &self.job;
        let late = (Utc::now() - slot).to_std().unwrap_or(Duration::ZERO);
        if late > job.misfire_grace {
            tracing::warn!(job = %job.name, %slot, "cron: missed, {late:?} late");
            return;
        }
        match self.claims.claim(&job.name, slot, job.misfire_grace + CLAIM_MARGIN).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(error) => {
                // Unsure whether another replica has it: better once too few than twice.
                tracing::error!(job = %job.name, %slot, "cron: not run: {error}");
                return;
            }
        }
        let Ok(permit) = self.instances.clone().try_acquire_owned() else {
            if let Some(held_back) = self.quiet.allow("skipped") {
                let limit = job.max_instances;
                tracing::warn!(
                    job = %job.name, %slot,
                    "cron: skipped, {limit} run(s) still going ({held_back} more skipped in the \
                     last minute)"
                );
            }
            return;
        };
        let run = (self.runner)(job.clone(), slot);
        let (name, next) = (job.name.clone(), job.schedule.next_after(slot));
        let store = self.store.clone();
        let quiet = self.quiet.clone();
        let plugin_job = job.source == Source::Plugin;
        runs.spawn(async move {
            let _permit = permit;
            let outcome = run.await;
            match &outcome {
                // A plugin's job may run every second: its runs are not news.
                Ok(()) if plugin_job => tracing::debug!(job = %name, %slot, "cron: done"),
                Ok(()) => tracing::info!(job = %name, %slot, "cron: done"),
                Err(error) => {
                    if let Some(held_back) = quiet.allow("failed") {
                        tracing::error!(
                            job = %name, %slot,
                            "cron: failed: {error} ({held_back} more failures in the last minute)"
                        );
                    }
                }
            }
            if let Some(store) = store
                && let Err(error) = store.record_run(&name, slot, &outcome, next).await
            {
                tracing::error!(job = %name, %slot, "cron: run not recorded: {error}");
            }
        });
    }
}
