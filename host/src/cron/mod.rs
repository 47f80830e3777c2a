//! Scheduled jobs (the seed's PRP-016): cron expressions read by croner; jobs from the seed's
//! `cron_schedules.yaml`, the API and CLI, and plugins; kept in SurrealDB; and, with Redis,
//! each slot claimed in one atomic step so that any number of replicas fire it once.

pub mod claim;
pub mod command;
pub mod job;
pub mod schedule;
pub mod scheduler;
pub mod service;
mod settings;
pub mod store;

pub use claim::{ClaimError, Claims};
pub use command::Command;
pub use job::{Job, JobError, JobSpec, Source, parse_jobs};
pub use schedule::Schedule;
pub use scheduler::{Runner, Scheduler};
pub use service::{Cron, CronError, JobView, MAX_JOBS_PER_PLUGIN};
pub use settings::CronConfig;
pub use store::{JobStore, Run, RunRecord, StoredJob};
