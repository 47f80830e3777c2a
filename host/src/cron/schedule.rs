//! When a job fires: a cron expression, as croner reads it (five fields, or six with
//! seconds; `L`, `W`, `#` and nicknames such as `@daily`), in a time zone. Daylight-saving
//! transitions are handled as croner defines them.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;

#[derive(Debug, Clone)]
pub struct Schedule {
    cron: Cron,
    zone: Tz,
    expression: String,
    /// The time zone as it was given; `None` for the default, UTC.
    zone_name: Option<String>,
}

impl Schedule {
    /// Read `expression` in `zone` (an IANA name; default UTC). The error names the field
    /// (`cron` or `timezone`) and the reason.
    pub fn parse(expression: &str, zone: Option<&str>) -> Result<Schedule, (&'static str, String)> {
        let cron = Cron::from_str(expression)
            .map_err(|error| ("cron", format!("`{expression}`: {error}")))?;
        let tz = match zone {
            None => Tz::UTC,
            Some(name) => name
                .parse::<Tz>()
                .map_err(|_| ("timezone", format!("`{name}` is not an IANA time zone")))?,
        };
        let zone_name = zone.map(|_| tz.name().to_owned());
        Ok(Schedule { cron, zone: tz, expression: expression.to_owned(), zone_name })
    }

    /// The first fire strictly after `after`; `None` when there is none (a date in the past).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = after.with_timezone(&self.zone);
        let next = self.cron.find_next_occurrence(&local, false).ok()?;
        Some(next.with_timezone(&Utc))
    }

    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The time zone as it was given (its canonical IANA name); `None` for UTC by default.
    pub fn zone(&self) -> Option<&str> {
        self.zone_name.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn five_and_six_fields_nicknames_and_specials() {
        let daily = Schedule::parse("0 2 * * *", None).unwrap();
        assert_eq!(daily.next_after(at("2026-11-24T12:00:00Z")), Some(at("2026-11-25T02:00:00Z")));
        let every_second = Schedule::parse("* * * * * *", None).unwrap();
        assert_eq!(
            every_second.next_after(at("2026-11-24T12:00:00Z")),
            Some(at("2026-11-24T12:00:01Z"))
        );
        let monday = Schedule::parse("0 9 * * 1", None).unwrap();
        assert_eq!(monday.next_after(at("2026-11-24T12:00:00Z")), Some(at("2026-11-30T09:00:00Z")));
        let last_day = Schedule::parse("0 0 L * *", None).unwrap();
        assert_eq!(
            last_day.next_after(at("2026-11-24T12:00:00Z")),
            Some(at("2026-11-30T00:00:00Z"))
        );
        let nickname = Schedule::parse("@daily", None).unwrap();
        assert_eq!(
            nickname.next_after(at("2026-11-24T12:00:00Z")),
            Some(at("2026-11-25T00:00:00Z"))
        );
    }

    #[test]
    fn time_zones_shift_the_fire() {
        let berlin = Schedule::parse("0 9 * * *", Some("Europe/Berlin")).unwrap();
        // 09:00 in Berlin in November (CET, UTC+1) is 08:00 UTC.
        assert_eq!(berlin.next_after(at("2026-11-24T12:00:00Z")), Some(at("2026-11-25T08:00:00Z")));
    }

    #[test]
    fn daylight_saving_transitions_follow_croner() {
        // Berlin springs forward on 2026-03-29: 02:30 does not exist that night.
        let berlin = Schedule::parse("30 2 * * *", Some("Europe/Berlin")).unwrap();
        // The job runs when the clock jumps past the gap: 03:00 CEST.
        assert_eq!(berlin.next_after(at("2026-03-28T12:00:00Z")), Some(at("2026-03-29T01:00:00Z")));
        // Berlin falls back on 2026-10-25: 02:30 comes twice. The job runs at the first
        // (CEST), not again an hour later, and at 02:30 CET the next day.
        let autumn = berlin.next_after(at("2026-10-24T12:00:00Z")).unwrap();
        assert_eq!(autumn, at("2026-10-25T00:30:00Z"));
        assert_eq!(berlin.next_after(autumn), Some(at("2026-10-26T01:30:00Z")));
    }

    #[test]
    fn errors_name_the_field_and_the_reason() {
        let (field, reason) = Schedule::parse("61 * * * *", None).unwrap_err();
        assert_eq!(field, "cron");
        assert!(reason.contains("61 * * * *"), "{reason}");
        let (field, reason) = Schedule::parse("* * * * *", Some("Mars/Olympus")).unwrap_err();
        assert_eq!(
            (field, reason.as_str()),
            ("timezone", "`Mars/Olympus` is not an IANA time zone")
        );
    }
}
