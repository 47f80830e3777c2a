//! Key performance indicators as of a day, from the day records alone:
//!
//! - DAU, WAU, MAU: distinct users active that day, in the 7 days and in the 30 days ending
//!   that day;
//! - D1 and D7 retention: of the users who first wrote on a day X in the last 30 days, the
//!   share who wrote again on day X+1 (X+7), over every cohort whose X+1 (X+7) has come;
//! - messages per active user over the 30 days.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::day::Day;

/// The days before `today` the indicators look at (besides today).
pub const LOOKBACK_DAYS: u32 = 30;

/// Returners out of a cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Retention {
    pub returned: usize,
    pub cohort: usize,
}

impl Retention {
    pub fn rate(&self) -> f64 {
        self.returned as f64 / self.cohort as f64
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpis {
    pub today: u32,
    pub dau: usize,
    pub wau: usize,
    pub mau: usize,
    /// `None` while no cohort has had its next day.
    pub d1: Option<Retention>,
    pub d7: Option<Retention>,
    /// Messages in the 30 days ending today.
    pub messages_30d: u64,
}

impl Kpis {
    /// Messages per active user over the 30 days; `None` without users.
    pub fn messages_per_user(&self) -> Option<f64> {
        (self.mau > 0).then(|| self.messages_30d as f64 / self.mau as f64)
    }
}

pub fn compute(days: &BTreeMap<u32, Day>, today: u32) -> Kpis {
    let active_within = |span: u32| -> usize {
        let first = today.saturating_sub(span - 1);
        let mut users: BTreeSet<&str> = BTreeSet::new();
        for (_, day) in days.range(first..=today) {
            users.extend(day.active.iter().map(String::as_str));
        }
        users.len()
    };
    let messages_30d = days.range(today.saturating_sub(29)..=today).map(|(_, d)| d.messages).sum();
    Kpis {
        today,
        dau: days.get(&today).map_or(0, |day| day.active.len()),
        wau: active_within(7),
        mau: active_within(30),
        d1: retention(days, today, 1),
        d7: retention(days, today, 7),
        messages_30d,
    }
}

/// Retention after `after` days over the cohorts of the last 30 days whose day has come.
fn retention(days: &BTreeMap<u32, Day>, today: u32, after: u32) -> Option<Retention> {
    let last_cohort = today.checked_sub(after)?;
    let first_cohort = today.saturating_sub(LOOKBACK_DAYS);
    let (mut returned, mut cohort) = (0, 0);
    for (day_number, day) in days.range(first_cohort..=last_cohort) {
        let later = days.get(&(day_number + after));
        cohort += day.new.len();
        returned += later.map_or(0, |later| day.new.intersection(&later.active).count());
    }
    (cohort > 0).then_some(Retention { returned, cohort })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(active: &[&str], new: &[&str]) -> Day {
        let mut day = Day::default();
        for user in active {
            day.message(user, new.contains(user));
        }
        day
    }

    #[test]
    fn active_users_count_each_user_once_per_window() {
        let mut days = BTreeMap::new();
        days.insert(100, day(&["a", "b"], &["a", "b"]));
        days.insert(105, day(&["a", "c"], &["c"]));
        days.insert(110, day(&["d"], &["d"]));
        let kpis = compute(&days, 110);
        assert_eq!((kpis.dau, kpis.wau, kpis.mau), (1, 3, 4), "day 100 is outside the week");
        assert_eq!(kpis.messages_30d, 5);
        assert_eq!(kpis.messages_per_user(), Some(1.25));
    }

    #[test]
    fn retention_follows_cohorts_to_their_next_day_and_week() {
        let mut days = BTreeMap::new();
        days.insert(10, day(&["a", "b", "c", "d"], &["a", "b", "c", "d"]));
        days.insert(11, day(&["a", "b", "e"], &["e"]));
        days.insert(17, day(&["a", "e"], &[]));
        days.insert(18, day(&["e"], &[]));
        let kpis = compute(&days, 18);
        // D1: day 10's four, two back on day 11; day 11's one, not back on day 12.
        assert_eq!(kpis.d1, Some(Retention { returned: 2, cohort: 5 }));
        // D7: day 10's four, one back on day 17; day 11's one, back on day 18.
        assert_eq!(kpis.d7, Some(Retention { returned: 2, cohort: 5 }));
        // A day before any cohort's seventh day has no D7 yet.
        assert_eq!(compute(&days, 16).d7, None);
        assert_eq!(compute(&BTreeMap::new(), 5).d1, None);
    }
}
