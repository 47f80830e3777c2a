//! `[cron]` in `dcmaid.toml`: the schedules file, and how many backups are kept.

use std::path::PathBuf;

use serde::Deserialize;

use super::job::{Job, parse_jobs};
use crate::core::FileError;

/// Scheduled jobs.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CronConfig {
    /// The jobs, in the seed's `cron_schedules.yaml` format; relative to `dcmaid.toml`.
    /// None: no jobs.
    pub schedules_file: Option<PathBuf>,
    /// Backups `backup_database` keeps; older ones are removed.
    pub backup_retention: usize,
}

impl Default for CronConfig {
    fn default() -> Self {
        CronConfig { schedules_file: None, backup_retention: 7 }
    }
}

impl CronConfig {
    /// The scheduled jobs, read and checked; an error names the file, the job and the field.
    pub fn jobs(&self) -> Result<Vec<Job>, FileError> {
        let Some(path) = &self.schedules_file else { return Ok(Vec::new()) };
        let text = std::fs::read_to_string(path).map_err(|e| FileError::read(path, e))?;
        parse_jobs(&text).map_err(|message| FileError::invalid(path, message))
    }
}
