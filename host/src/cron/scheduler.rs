//! The scheduler: one task per enabled job sleeps until the job's next slot, claims the
//! slot (see [`super::claim`]), and runs the job unless it fired too late (past its misfire
//! grace time) or already has `max_instances` runs going. Stopping it takes no new fires and
//! gives running jobs until a deadline.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};

use super::claim::Claims;
use super::job::Job;

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
    stop: watch::Sender<bool>,
    jobs: Vec<JoinHandle<()>>,
}

impl Scheduler {
    /// Start firing the enabled `jobs`.
    pub fn start(jobs: Vec<Job>, claims: Arc<Claims>, runner: Runner) -> Scheduler {
        let (stop, stopped) = watch::channel(false);
        let jobs = jobs
            .into_iter()
            .filter(|job| job.enabled)
            .map(|job| {
                let claims = claims.clone();
                let runner = runner.clone();
                let stopped = stopped.clone();
                tokio::spawn(async move { fire_when_due(job, claims, runner, stopped).await })
            })
            .collect();
        Scheduler { stop, jobs }
    }

    /// Take no new fires, and wait up to `deadline` for the runs in progress.
    pub async fn shutdown(self, deadline: Duration) {
        let _ = self.stop.send(true);
        let all = futures_join(self.jobs);
        if tokio::time::timeout(deadline, all).await.is_err() {
            tracing::warn!("cron: jobs still running after {deadline:?}; not waiting longer");
        }
    }
}

async fn futures_join(handles: Vec<JoinHandle<()>>) {
    for handle in handles {
        let _ = handle.await;
    }
}

async fn fire_when_due(
    job: Job,
    claims: Arc<Claims>,
    runner: Runner,
    mut stopped: watch::Receiver<bool>,
) {
    let instances = Arc::new(Semaphore::new(job.max_instances));
    let mut runs = JoinSet::new();
    let mut after = Utc::now();
    while let Some(slot) = job.schedule.next_after(after) {
        let wait = (slot - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stopped.changed() => break,
        }
        after = slot;
        // Reap the runs that finished, so the set does not grow.
        while runs.try_join_next().is_some() {}
        let late = (Utc::now() - slot).to_std().unwrap_or(Duration::ZERO);
        if late > job.misfire_grace {
            tracing::warn!(job = %job.name, %slot, "cron: missed, {late:?} late");
            continue;
        }
        match claims.claim(&job.name, slot, job.misfire_grace + CLAIM_MARGIN).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(error) => {
                // Unsure whether another replica has it: better once too few than twice.
                tracing::error!(job = %job.name, %slot, "cron: not run: {error}");
                continue;
            }
        }
        let Ok(permit) = instances.clone().try_acquire_owned() else {
            tracing::warn!(job = %job.name, %slot, "cron: skipped, {} runs still going", job.max_instances);
            continue;
        };
        let run = runner(job.clone(), slot);
        let name = job.name.clone();
        runs.spawn(async move {
            let _permit = permit;
            match run.await {
                Ok(()) => tracing::info!(job = %name, %slot, "cron: done"),
                Err(error) => tracing::error!(job = %name, %slot, "cron: failed: {error}"),
            }
        });
    }
    while runs.join_next().await.is_some() {}
}
