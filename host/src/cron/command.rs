//! The commands a job can run: the seed's `backup_database` and `generate_analytics_report`.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Export every plugin's database to a timestamped folder under `<data_dir>/backups`.
    BackupDatabase,
    /// Write the analytics plugin's `weekly` report to `<data_dir>/reports`.
    GenerateAnalyticsReport,
}

impl Command {
    const ALL: [(&'static str, Command); 2] = [
        ("backup_database", Command::BackupDatabase),
        ("generate_analytics_report", Command::GenerateAnalyticsReport),
    ];
}

impl FromStr for Command {
    type Err = String;

    fn from_str(text: &str) -> Result<Command, String> {
        let known = Command::ALL.iter().find(|(name, _)| *name == text.trim());
        known.map(|(_, command)| *command).ok_or_else(|| {
            let names: Vec<&str> = Command::ALL.iter().map(|(name, _)| *name).collect();
            format!("unknown command `{text}`; the commands are {}", names.join(", "))
        })
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = Command::ALL.iter().find(|(_, command)| command == self).map(|(name, _)| *name);
        f.write_str(name.unwrap_or("?"))
    }
}
