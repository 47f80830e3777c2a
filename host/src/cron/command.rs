//! The commands a job can run: the seed's `backup_database` and `generate_analytics_report`,
//! which operators name, and a plugin's own job, which only the plugin's `scheduler`
//! capability defines.

use std::fmt;
use std::str::FromStr;

use crate::core::PluginName;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Export every plugin's database to a timestamped folder under `<data_dir>/backups`.
    BackupDatabase,
    /// Write the analytics plugin's `weekly` report to `<data_dir>/reports`.
    GenerateAnalyticsReport,
    /// Call `plugin`'s `scheduled.fire(job, payload)`.
    Fire { plugin: PluginName, job: String, payload: String },
}

/// The commands an operator can name.
const BUILT_IN: [(&str, Command); 2] = [
    ("backup_database", Command::BackupDatabase),
    ("generate_analytics_report", Command::GenerateAnalyticsReport),
];

impl FromStr for Command {
    type Err = String;

    fn from_str(text: &str) -> Result<Command, String> {
        let known = BUILT_IN.iter().find(|(name, _)| *name == text.trim());
        known.map(|(_, command)| command.clone()).ok_or_else(|| {
            let names: Vec<&str> = BUILT_IN.iter().map(|(name, _)| *name).collect();
            format!("unknown command `{text}`; the commands are {}", names.join(", "))
        })
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::BackupDatabase => f.write_str("backup_database"),
            Command::GenerateAnalyticsReport => f.write_str("generate_analytics_report"),
            Command::Fire { plugin, job, .. } => write!(f, "fire {plugin}/{job}"),
        }
    }
}
