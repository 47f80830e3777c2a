//! One record per UTC day: who was active, who was new, how many messages, which commands
//! ran, which plugins failed, and how fast replies were. Everything the indicators need is
//! in these records, so a report reads a month of them and nothing else.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::latency::Latency;

const MS_PER_DAY: u64 = 86_400_000;

/// Days since the Unix epoch (UTC) of `ms` milliseconds since the epoch.
pub fn day_of(ms: u64) -> u32 {
    u32::try_from(ms / MS_PER_DAY).unwrap_or(u32::MAX)
}

/// `YYYY-MM-DD` of `day` (days since the epoch), in the proleptic Gregorian calendar.
pub fn date(day: u32) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let z = i64::from(day) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// How often a command ran on a day, and how often it failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandCount {
    pub runs: u64,
    pub failures: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Day {
    /// Users who wrote that day.
    pub active: BTreeSet<String>,
    /// Users whose first message ever was that day.
    pub new: BTreeSet<String>,
    pub messages: u64,
    pub commands: BTreeMap<String, CommandCount>,
    /// Tool calls, by tool (the runs of each, and how many failed).
    #[serde(default)]
    pub tools: BTreeMap<String, CommandCount>,
    /// Failed plugin calls, by plugin.
    pub failures: BTreeMap<String, u64>,
    pub latency: Latency,
}

impl Day {
    /// `user` wrote; `first_ever` when it is their first message.
    pub fn message(&mut self, user: &str, first_ever: bool) {
        self.messages += 1;
        if !self.active.contains(user) {
            self.active.insert(user.to_owned());
        }
        if first_ever {
            self.new.insert(user.to_owned());
        }
    }

    pub fn command(&mut self, command: &str, ok: bool) {
        let count = self.commands.entry(command.to_owned()).or_default();
        count.runs += 1;
        count.failures += u64::from(!ok);
    }

    pub fn tool(&mut self, tool: &str, ok: bool) {
        let count = self.tools.entry(tool.to_owned()).or_default();
        count.runs += 1;
        count.failures += u64::from(!ok);
    }

    pub fn failure(&mut self, plugin: &str) {
        *self.failures.entry(plugin.to_owned()).or_default() += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_dates() {
        assert_eq!(day_of(0), 0);
        assert_eq!(day_of(MS_PER_DAY - 1), 0);
        assert_eq!(day_of(1_700_000_000_000), 19_675);
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(19_675), "2023-11-14");
        assert_eq!(date(11_016), "2000-02-29");
    }

    #[test]
    fn a_day_counts_users_once_and_messages_every_time() {
        let mut day = Day::default();
        day.message("alice", true);
        day.message("alice", false);
        day.message("bob", false);
        assert_eq!(day.messages, 3);
        assert_eq!(day.active.len(), 2);
        assert_eq!(day.new.len(), 1);
        day.command("mood", true);
        day.command("mood", false);
        assert_eq!(day.commands["mood"], CommandCount { runs: 2, failures: 1 });
    }
}
