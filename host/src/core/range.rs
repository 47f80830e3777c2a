//! Settings checks serde cannot express: a number within its range.

/// `Ok` when `value` is within `range`; else the message names `field` and the range.
pub fn check_range<T>(
    field: &str,
    value: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<(), String>
where
    T: PartialOrd + std::fmt::Display,
{
    if range.contains(&value) {
        return Ok(());
    }
    Err(format!("{field}: expected {} to {}, got {value}", range.start(), range.end()))
}
