//! Jobs: what fires when, and where the job came from. A job is checked when it is defined
//! (its name, expression, time zone and command), wherever it comes from: the seed's
//! `config/cron_schedules.yaml` (accepted as the seed writes it), the API and CLI, or a
//! plugin through the `scheduler` capability. A mistake is reported then, with the job's
//! name, the field and the reason, never when the job is due.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::command::Command;
use super::schedule::Schedule;
use crate::core::named;

/// One job, checked.
#[derive(Debug, Clone)]
pub struct Job {
    /// Unique; a plugin's jobs are named `<plugin>/<job>`.
    pub name: String,
    pub schedule: Schedule,
    pub command: Command,
    pub source: Source,
    pub enabled: bool,
    /// How late a fire may still run (after downtime, say); later ones are missed.
    pub misfire_grace: Duration,
    /// Run missed fires within the grace time once rather than once each.
    pub coalesce: bool,
    /// Runs of this job at the same time at most; a fire past it is skipped.
    pub max_instances: usize,
}

/// Where a job was defined, which decides who may change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "lowercase")]
#[oai(rename_all = "lowercase")]
pub enum Source {
    /// `[cron] schedules_file`: the file is the truth; change the job there.
    File,
    /// The API or the CLI; kept in the host's store.
    Api,
    /// A plugin's `scheduler` capability; kept in the host's store.
    Plugin,
}

named!(Source {
    File => "file",
    Api => "api",
    Plugin => "plugin",
});

impl Source {
    pub fn parse(text: &str) -> Option<Source> {
        Source::ALL.iter().copied().find(|s| s.as_str() == text)
    }
}

/// A job refused: which one, which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("job `{job}`: {field}: {reason}")]
pub struct JobError {
    pub job: String,
    pub field: &'static str,
    pub reason: String,
}

/// A job as the operator writes it, in the schedules file or an API request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    pub cron: String,
    pub command: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// An IANA time zone, e.g. `Europe/Berlin`; default UTC.
    pub timezone: Option<String>,
    #[serde(default = "default_grace")]
    pub misfire_grace_secs: u64,
    /// The seed's defaults: `coalesce: false`, `max_instances: 3`.
    #[serde(default)]
    pub coalesce: bool,
    #[serde(default = "three")]
    pub max_instances: usize,
}

fn yes() -> bool {
    true
}

fn default_grace() -> u64 {
    60
}

fn three() -> usize {
    3
}

/// The longest job name, in bytes.
const MAX_NAME_BYTES: usize = 64;

/// The most runs of one job at once.
pub const MAX_INSTANCES: usize = 1000;
/// The longest a fire may be late and still run: a year.
pub const MAX_GRACE_SECS: u64 = 365 * 24 * 3600;

/// A job name is `[a-z0-9_-]`, 1 to 64 bytes: safe in a Redis key, a metric label and a URL.
pub fn check_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
    if name.is_empty() || name.len() > MAX_NAME_BYTES || !name.chars().all(allowed) {
        return Err(format!(
            "`{name}` is not a job name: use a-z, 0-9, `_` and `-`, 1 to 64 of them"
        ));
    }
    Ok(())
}

impl JobSpec {
    /// Check the spec and make it the job `name` from `source`.
    pub fn check(self, name: &str, source: Source) -> Result<Job, JobError> {
        let at =
            |field: &'static str, reason: String| JobError { job: name.to_owned(), field, reason };
        check_name(name).map_err(|reason| at("name", reason))?;
        let schedule = Schedule::parse(&self.cron, self.timezone.as_deref())
            .map_err(|(field, reason)| at(field, reason))?;
        let command = self.command.parse::<Command>().map_err(|reason| at("command", reason))?;
        if !(1..=MAX_INSTANCES).contains(&self.max_instances) {
            return Err(at("max_instances", format!("must be 1 to {MAX_INSTANCES}")));
        }
        if self.misfire_grace_secs > MAX_GRACE_SECS {
            return Err(at(
                "misfire_grace_secs",
                format!("must be at most {MAX_GRACE_SECS} (a year)"),
            ));
        }
        Ok(self.into_job(name.to_owned(), schedule, command, source))
    }

    /// The job `name` from `source` that this spec makes, its schedule and command read.
    pub(super) fn into_job(
        self,
        name: String,
        schedule: Schedule,
        command: Command,
        source: Source,
    ) -> Job {
        Job {
            name,
            schedule,
            command,
            source,
            enabled: self.enabled,
            misfire_grace: Duration::from_secs(self.misfire_grace_secs),
            coalesce: self.coalesce,
            max_instances: self.max_instances.max(1),
        }
    }
}

impl Job {
    /// A plugin's job `job` of plugin `plugin`: fires `scheduled.fire(job, payload)`. Plugin
    /// jobs run one at a time (a fire while the last run goes on is skipped and counted), so
    /// that a slow or hostile job cannot pile up runs; no coalescing, a minute's grace.
    pub fn for_plugin(
        plugin: &crate::core::PluginName,
        job: &str,
        schedule: Schedule,
        payload: String,
    ) -> Job {
        Job {
            name: format!("{plugin}/{job}"),
            schedule,
            command: Command::Fire { plugin: plugin.clone(), job: job.to_owned(), payload },
            source: Source::Plugin,
            enabled: true,
            misfire_grace: Duration::from_secs(default_grace()),
            coalesce: false,
            max_instances: 1,
        }
    }
}

/// The file: `schedules:` by job name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    schedules: BTreeMap<String, JobSpec>,
}

/// Every job of `yaml`, checked; the error names the job and the field.
pub fn parse_jobs(yaml: &str) -> Result<Vec<Job>, String> {
    let file: File = serde_saphyr::from_str(yaml).map_err(|e| e.to_string())?;
    let jobs = file.schedules.into_iter().map(|(name, spec)| spec.check(&name, Source::File));
    jobs.collect::<Result<_, _>>().map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's `config/cron_schedules.yaml`, exactly as the seed writes it.
    const SEED: &str = include_str!("../../../config/cron_schedules.yaml");

    #[test]
    fn the_seeds_schedules_are_accepted_as_written() {
        let jobs = parse_jobs(SEED).unwrap();
        let names: Vec<&str> = jobs.iter().map(|job| job.name.as_str()).collect();
        assert_eq!(names, ["daily_backup", "weekly_report"]);
        assert_eq!(jobs[0].command, Command::BackupDatabase);
        assert_eq!(jobs[0].schedule.expression(), "0 2 * * *");
        assert_eq!(jobs[1].command, Command::GenerateAnalyticsReport);
        assert!(jobs.iter().all(|job| job.enabled && !job.coalesce && job.max_instances == 3));
        assert!(jobs.iter().all(|job| job.source == Source::File));
    }

    #[test]
    fn a_bad_job_is_refused_with_its_name_the_field_and_the_reason() {
        let cases = [
            (
                "schedules:\n  nightly:\n    cron: '61 * * * *'\n    command: backup_database\n",
                "job `nightly`: cron: `61 * * * *`",
            ),
            (
                "schedules:\n  nightly:\n    cron: '0 2 * * *'\n    command: vacuum\n",
                "job `nightly`: command: unknown command `vacuum`; the commands are backup_database, generate_analytics_report",
            ),
            (
                "schedules:\n  nightly:\n    cron: '0 2 * * *'\n    command: backup_database\n    timezone: Moon/Base\n",
                "job `nightly`: timezone: `Moon/Base` is not an IANA time zone",
            ),
            (
                "schedules:\n  nightly:\n    cron: '0 2 * * *'\n    command: backup_database\n    max_instances: 0\n",
                "job `nightly`: max_instances: must be 1 to 1000",
            ),
            (
                "schedules:\n  Night Owl:\n    cron: '0 2 * * *'\n    command: backup_database\n",
                "job `Night Owl`: name: `Night Owl` is not a job name",
            ),
            (
                "schedules:\n  nightly:\n    cron: '0 2 * * *'\n    comand: backup_database\n",
                "comand",
            ),
        ];
        for (yaml, expected) in cases {
            let error = parse_jobs(yaml).unwrap_err();
            assert!(error.contains(expected), "{yaml:?} gave {error:?}");
        }
    }
}
