//! Scheduled jobs as the operator writes them: the seed's `config/cron_schedules.yaml`,
//! accepted as the seed writes it. Every job is checked when it is loaded (its expression,
//! its time zone, its command), so a mistake is reported at start with the job's name, the
//! field and the reason, never when the job is due.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::command::Command;
use super::schedule::Schedule;

/// One job, checked.
#[derive(Debug, Clone)]
pub struct Job {
    pub name: String,
    pub schedule: Schedule,
    pub command: Command,
    pub enabled: bool,
    /// How late a fire may still run (after downtime, say); later ones are missed.
    pub misfire_grace: Duration,
    /// Run missed fires within the grace time once rather than once each.
    pub coalesce: bool,
    /// Runs of this job at the same time at most; a fire past it is skipped.
    pub max_instances: usize,
}

/// The file: `schedules:` by job name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    schedules: BTreeMap<String, Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    cron: String,
    command: String,
    #[serde(default = "yes")]
    enabled: bool,
    /// An IANA time zone, e.g. `Europe/Berlin`; default UTC.
    timezone: Option<String>,
    #[serde(default = "default_grace")]
    misfire_grace_secs: u64,
    /// The seed's defaults: `coalesce: false`, `max_instances: 3`.
    #[serde(default)]
    coalesce: bool,
    #[serde(default = "three")]
    max_instances: usize,
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

/// Every job of `yaml`, checked; the error names the job and the field.
pub fn parse_jobs(yaml: &str) -> Result<Vec<Job>, String> {
    let file: File = serde_saphyr::from_str(yaml).map_err(|e| e.to_string())?;
    file.schedules
        .into_iter()
        .map(|(name, entry)| {
            let at = |field: &str, reason: String| format!("job `{name}`: {field}: {reason}");
            let schedule = Schedule::parse(&entry.cron, entry.timezone.as_deref())
                .map_err(|(field, reason)| at(field, reason))?;
            let command = entry.command.parse::<Command>().map_err(|e| at("command", e))?;
            if entry.max_instances == 0 {
                return Err(at("max_instances", "must be at least 1".into()));
            }
            Ok(Job {
                schedule,
                command,
                enabled: entry.enabled,
                misfire_grace: Duration::from_secs(entry.misfire_grace_secs),
                coalesce: entry.coalesce,
                max_instances: entry.max_instances,
                name,
            })
        })
        .collect()
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
                "job `nightly`: max_instances: must be at least 1",
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
