//! A stretch of calendar time a question names: a day, a week (Monday to Sunday), a month or
//! a year, in UTC.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// A unit of the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Day,
    Week,
    Month,
    Year,
}

/// The half-open stretch `[start_ms, end_ms)` in milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Period {
    /// The `unit` that holds `date`: that day, its week, its month or its year.
    pub fn of(unit: Unit, date: NaiveDate) -> Option<Period> {
        let (first, next) = match unit {
            Unit::Day => (date, date.checked_add_days(Days::new(1))?),
            Unit::Week => {
                let monday = date.week(Weekday::Mon).first_day();
                (monday, monday.checked_add_days(Days::new(7))?)
            }
            Unit::Month => {
                let first = date.with_day(1)?;
                (first, first.checked_add_months(Months::new(1))?)
            }
            Unit::Year => {
                let first = NaiveDate::from_ymd_opt(date.year(), 1, 1)?;
                (first, first.checked_add_months(Months::new(12))?)
            }
        };
        Some(Period { start_ms: ms_of(first), end_ms: ms_of(next) })
    }

    /// The `unit` that held the day `count` units before `today` (0: the one holding today).
    pub fn back(unit: Unit, count: u32, today: NaiveDate) -> Option<Period> {
        let date = match unit {
            Unit::Day => today.checked_sub_days(Days::new(count.into()))?,
            Unit::Week => today.checked_sub_days(Days::new(u64::from(count) * 7))?,
            Unit::Month => today.checked_sub_months(Months::new(count))?,
            Unit::Year => today.checked_sub_months(Months::new(count.checked_mul(12)?))?,
        };
        Period::of(unit, date)
    }

    /// Whether the instant `at_ms` falls in the period.
    pub fn contains(&self, at_ms: u64) -> bool {
        i64::try_from(at_ms).is_ok_and(|at| (self.start_ms..self.end_ms).contains(&at))
    }
}

/// The day (UTC) of `ms` milliseconds since the Unix epoch.
pub fn day_of(ms: u64) -> NaiveDate {
    let days = i64::try_from(ms / 86_400_000).unwrap_or(i64::MAX);
    NaiveDate::from_epoch_days(days.try_into().unwrap_or(i32::MAX)).unwrap_or(NaiveDate::MAX)
}

fn ms_of(date: NaiveDate) -> i64 {
    i64::from(date.to_epoch_days()) * 86_400_000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn each_unit_holds_its_days_and_no_other() {
        let thursday = date(2023, 5, 11);
        let week = Period::of(Unit::Week, thursday).unwrap();
        assert_eq!(day_of(week.start_ms as u64), date(2023, 5, 8), "weeks start on Monday");
        assert_eq!(day_of(week.end_ms as u64), date(2023, 5, 15));
        let month = Period::of(Unit::Month, thursday).unwrap();
        assert!(month.contains(ms_of(date(2023, 5, 31)) as u64 + 86_399_999));
        assert!(!month.contains(ms_of(date(2023, 6, 1)) as u64));
        let year = Period::back(Unit::Year, 1, thursday).unwrap();
        assert_eq!(
            (day_of(year.start_ms as u64), day_of(year.end_ms as u64)),
            (date(2022, 1, 1), date(2023, 1, 1))
        );
        let march = Period::back(Unit::Month, 2, date(2023, 5, 31)).unwrap();
        assert_eq!(day_of(march.start_ms as u64), date(2023, 3, 1), "the end of a month clamps");
        assert_eq!(day_of(ms_of(date(1970, 1, 2)) as u64), date(1970, 1, 2));
    }
}
