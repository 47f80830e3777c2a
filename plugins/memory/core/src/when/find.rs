//! Finding the time a question names, in any of the languages of [`super::words`]:
//!
//! - a month, with a day and a year where numbers stand next to it ("in May", "May 8, 2023",
//!   "8. Mai", "2023年5月8日"); without a year, the latest such month or day up to today;
//! - a date written `2023-05-08`, or a year alone ("in 2023");
//! - "yesterday", "last week", "this month", "last year" ([`super::words::RELATIVE`]);
//! - "3 days ago", "vor 2 Wochen" ([`super::words::AGO`]).
//!
//! When a question names more than one, the first counts. A month name that its languages
//! write with a capital counts in lower case, or as the question's first word, only with a
//! number beside it: "I may go", "May I ask" name no month.

use chrono::{Datelike, NaiveDate};

use super::period::{Period, Unit};
use super::text::{Number, Text, unspaced};
use super::words::{AGO, MONTHS, RELATIVE};

/// The most units back an "N days ago" reaches.
const MOST_BACK: u32 = 10_000;

/// The period `question` names, as of the day `today`; `None` when it names none.
pub fn named_in(question: &str, today: NaiveDate) -> Option<Period> {
    let text = Text::new(question);
    let numbers = text.numbers();
    let mut used = vec![false; numbers.len()];
    let mut found: Vec<(usize, Period)> = Vec::new();
    found.extend(months(&text, &numbers, &mut used, today));
    found.extend(iso_dates(&text, &numbers, &mut used));
    found.extend(years(&text, &numbers, &used));
    for (term, unit, back) in RELATIVE {
        for (start, _) in text.find(term) {
            found.extend(Period::back(*unit, *back as u32, today).map(|period| (start, period)));
        }
    }
    found.extend(ago(&text, &numbers, today));
    // Nothing was told after today ("Cyberpunk 2077" is a name, not a year to look in).
    let tomorrow = Period::of(Unit::Day, today).map_or(i64::MAX, |day| day.end_ms);
    found.retain(|(_, period)| period.start_ms < tomorrow);
    found.into_iter().min_by_key(|(start, _)| *start).map(|(_, period)| period)
}

/// Month names, with the day and year numbers beside them.
fn months(
    text: &Text,
    numbers: &[Number],
    used: &mut [bool],
    today: NaiveDate,
) -> Vec<(usize, Period)> {
    let mut claimed: Vec<(usize, usize)> = Vec::new();
    let mut found = Vec::new();
    for (term, month, capital) in MONTHS {
        for (start, end) in text.find(term) {
            if claimed.iter().any(|(s, e)| start < *e && *s < end) {
                continue;
            }
            claimed.push((start, end));
            let beside = beside(text, numbers, start, end);
            let day = beside
                .iter()
                .find(|&&i| numbers[i].digits <= 2 && (1..=31).contains(&numbers[i].value));
            let year = beside.iter().find(|&&i| numbers[i].digits == 4);
            if beside.is_empty() && ((*capital && !text.is_capital(start)) || text.starts_at(start))
            {
                continue;
            }
            let period =
                match (day.map(|&i| numbers[i].value), year.map(|&i| numbers[i].value as i32)) {
                    (Some(day), Some(year)) => NaiveDate::from_ymd_opt(year, *month, day)
                        .and_then(|date| Period::of(Unit::Day, date)),
                    (Some(day), None) => {
                        latest(today, |year| NaiveDate::from_ymd_opt(year, *month, day))
                            .and_then(|date| Period::of(Unit::Day, date))
                    }
                    (None, Some(year)) => NaiveDate::from_ymd_opt(year, *month, 1)
                        .and_then(|date| Period::of(Unit::Month, date)),
                    (None, None) => latest(today, |year| NaiveDate::from_ymd_opt(year, *month, 1))
                        .and_then(|date| Period::of(Unit::Month, date)),
                };
            for &i in day.into_iter().chain(year) {
                used[i] = true;
            }
            found.extend(period.map(|period| (start, period)));
        }
    }
    found
}

/// The numbers that stand beside the month at `start..end`: up to two on each side, each
/// joined to the last by a few characters without a digit.
fn beside(text: &Text, numbers: &[Number], start: usize, end: usize) -> Vec<usize> {
    let mut beside = Vec::new();
    let mut edge = end;
    for (i, number) in numbers.iter().enumerate().filter(|(_, n)| n.start >= end).take(2) {
        if !text.joins(edge, number.start) {
            break;
        }
        beside.push(i);
        edge = number.end;
    }
    let mut edge = start;
    for (i, number) in numbers.iter().enumerate().filter(|(_, n)| n.end <= start).rev().take(2) {
        if !text.joins(number.end, edge) {
            break;
        }
        beside.push(i);
        edge = number.start;
    }
    beside
}

/// The latest date `in_year` gives that is not after `today`: this year's, or last year's.
fn latest(today: NaiveDate, in_year: impl Fn(i32) -> Option<NaiveDate>) -> Option<NaiveDate> {
    match in_year(today.year()) {
        Some(date) if date <= today => Some(date),
        _ => in_year(today.year() - 1),
    }
}

/// Dates written `2023-05-08`.
fn iso_dates(text: &Text, numbers: &[Number], used: &mut [bool]) -> Vec<(usize, Period)> {
    let mut found = Vec::new();
    for (i, window) in numbers.windows(3).enumerate() {
        let [year, month, day] = window else { continue };
        let dashed = |a: &Number, b: &Number| b.start == a.end + 1 && text.at(a.end) == Some('-');
        if year.digits != 4
            || month.digits > 2
            || day.digits > 2
            || !dashed(year, month)
            || !dashed(month, day)
        {
            continue;
        }
        if let Some(date) = NaiveDate::from_ymd_opt(year.value as i32, month.value, day.value) {
            used[i..i + 3].iter_mut().for_each(|used| *used = true);
            found.extend(Period::of(Unit::Day, date).map(|period| (year.start, period)));
        }
    }
    found
}

/// A year alone: four digits from 1900 to 2199 that are not part of a longer code ("INV-2023",
/// "2023.5", "20:23").
fn years(text: &Text, numbers: &[Number], used: &[bool]) -> Vec<(usize, Period)> {
    // "2023年" is a year: Chinese and Japanese write no space after it.
    let code = |c: Option<char>| {
        c.is_some_and(|c| (c.is_alphanumeric() && !unspaced(c)) || "-/.:_#".contains(c))
    };
    let mut found = Vec::new();
    for (number, _) in numbers.iter().zip(used).filter(|(_, used)| !**used) {
        let before = number.start.checked_sub(1).and_then(|at| text.at(at));
        if number.digits != 4
            || !(1900..=2199).contains(&number.value)
            || code(before)
            || code(text.at(number.end))
        {
            continue;
        }
        let first = NaiveDate::from_ymd_opt(number.value as i32, 1, 1);
        found.extend(
            first
                .and_then(|date| Period::of(Unit::Year, date))
                .map(|period| (number.start, period)),
        );
    }
    found
}

/// "3 days ago", "vor 2 Wochen", "3日前".
fn ago(text: &Text, numbers: &[Number], today: NaiveDate) -> Vec<(usize, Period)> {
    let mut found = Vec::new();
    for number in numbers.iter().filter(|n| n.value <= MOST_BACK) {
        for (before, after, unit) in AGO {
            if before.trim().is_empty() && after.trim().is_empty() {
                continue;
            }
            // CLDR writes "{0} 日前" and "il y a {0} jours": the spaces beside the number
            // are optional ("3日前").
            let start = text.ends_with_at(number.start, before);
            let start = start.or_else(|| text.ends_with_at(number.start, before.trim_end()));
            let end = text.starts_with_at(number.end, after);
            let end = end.or_else(|| text.starts_with_at(number.end, after.trim_start()));
            let (Some(start), Some(_)) = (start, end) else { continue };
            found.extend(Period::back(*unit, number.value, today).map(|period| (start, period)));
            break;
        }
    }
    found
}
