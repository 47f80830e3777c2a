//! Scheduled jobs (the seed's PRP-016): cron expressions read by croner, jobs from the seed's
//! `cron_schedules.yaml`, and, with Redis, each slot claimed in one atomic step so that any
//! number of replicas fire it once.

pub mod claim;
pub mod command;
pub mod job;
pub mod run;
pub mod schedule;
pub mod scheduler;
pub mod store;

pub use claim::{ClaimError, Claims};
pub use command::Command;
pub use job::{Job, parse_jobs};
pub use schedule::Schedule;
pub use scheduler::{Runner, Scheduler};
pub use store::{JobStore, RunRecord};
