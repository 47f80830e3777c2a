//! Rates such as the seed's `affection_decay: 0.01 per hour`: a fraction of the distance to
//! the baseline that a mood gives back per unit of time.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// A rate per hour, in `0.0..=1.0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerHour(f64);

impl PerHour {
    pub const fn new(per_hour: f64) -> PerHour {
        PerHour(per_hour)
    }

    pub fn get(self) -> f64 {
        self.0
    }

    /// Read `0.01`, `0.01 per hour`, `0.24 per day`, `5e-4/minute`; a bare number is per
    /// hour. The whole rate, converted to per hour, must stay within `0.0..=1.0`.
    pub fn parse(text: &str) -> Result<PerHour, String> {
        let text = text.trim();
        let (amount, unit) = match text.split_once(" per ").or_else(|| text.split_once('/')) {
            Some((amount, unit)) => (amount.trim(), unit.trim()),
            None => (text, "hour"),
        };
        let amount: f64 = amount
            .parse()
            .map_err(|_| format!("expected a rate such as `0.01 per hour`, got `{text}`"))?;
        let hours = match unit.trim_end_matches('s') {
            "second" | "sec" => 1.0 / 3600.0,
            "minute" | "min" => 1.0 / 60.0,
            "hour" | "h" => 1.0,
            "day" => 24.0,
            "week" => 168.0,
            _ => {
                return Err(format!(
                    "unknown unit `{unit}` in `{text}`: use second, minute, hour, day or week"
                ));
            }
        };
        PerHour::checked(amount / hours).ok_or_else(|| {
            format!("`{text}` is {} per hour; expected 0.0 to 1.0 per hour", amount / hours)
        })
    }

    fn checked(per_hour: f64) -> Option<PerHour> {
        (0.0..=1.0).contains(&per_hour).then_some(PerHour(per_hour))
    }
}

impl<'de> Deserialize<'de> for PerHour {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PerHour, D::Error> {
        struct RateVisitor;

        impl Visitor<'_> for RateVisitor {
            type Value = PerHour;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a rate such as `0.01 per hour`, or a number per hour")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<PerHour, E> {
                PerHour::parse(text).map_err(E::custom)
            }

            fn visit_f64<E: de::Error>(self, per_hour: f64) -> Result<PerHour, E> {
                PerHour::checked(per_hour).ok_or_else(|| {
                    E::custom(format!("expected 0.0 to 1.0 per hour, got {per_hour}"))
                })
            }

            fn visit_u64<E: de::Error>(self, per_hour: u64) -> Result<PerHour, E> {
                self.visit_f64(per_hour as f64)
            }

            fn visit_i64<E: de::Error>(self, per_hour: i64) -> Result<PerHour, E> {
                self.visit_f64(per_hour as f64)
            }
        }

        deserializer.deserialize_any(RateVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_spelling_and_its_relatives_parse() {
        assert_eq!(PerHour::parse("0.01 per hour"), Ok(PerHour(0.01)));
        assert_eq!(PerHour::parse("0.01"), Ok(PerHour(0.01)));
        assert_eq!(PerHour::parse("0.24 per day").map(PerHour::get), Ok(0.01));
        assert_eq!(PerHour::parse("0.5 per hours"), Ok(PerHour(0.5)));
        assert!((PerHour::parse("1/minute").is_err()), "60 per hour is more than all of it");
    }

    #[test]
    fn nonsense_is_refused_with_the_reason() {
        assert!(PerHour::parse("fast").unwrap_err().contains("0.01 per hour"));
        assert!(PerHour::parse("0.1 per fortnight").unwrap_err().contains("unknown unit"));
        assert!(PerHour::parse("-0.1 per hour").unwrap_err().contains("0.0 to 1.0"));
    }
}
