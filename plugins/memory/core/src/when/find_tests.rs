//! The time questions name, in several languages, and the words that only look like one.

use chrono::NaiveDate;

use super::{Period, Unit, day_of, named_in};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Thursday, 12 October 2023.
fn today() -> NaiveDate {
    date(2023, 10, 12)
}

/// The first and the last day of the period `question` names.
fn days(question: &str) -> Option<(NaiveDate, NaiveDate)> {
    let period = named_in(question, today())?;
    Some((day_of(period.start_ms as u64), day_of(period.end_ms as u64 - 1)))
}

#[test]
fn months_days_and_years_are_read_with_the_numbers_beside_them() {
    let may = Some((date(2023, 5, 1), date(2023, 5, 31)));
    assert_eq!(days("When did Melanie go camping in May?"), may);
    assert_eq!(days("What did I say in May 2022?"), Some((date(2022, 5, 1), date(2022, 5, 31))));
    let eighth = Some((date(2023, 5, 8), date(2023, 5, 8)));
    assert_eq!(days("What did Gina find on May 8, 2023?"), eighth);
    assert_eq!(days("What did Gina find on 8th of May, 2023?"), eighth);
    assert_eq!(days("Was hat sie am 8. Mai 2023 gesagt?"), eighth);
    assert_eq!(days("2023年5月8日に何を買った?"), eighth);
    assert_eq!(days("Qu'a-t-elle dit le 8 mai ?"), eighth, "the latest 8 May up to today");
    assert_eq!(
        days("what did I tell you in december"),
        Some((date(2022, 12, 1), date(2022, 12, 31))),
        "no December yet this year"
    );
    assert_eq!(days("What did I do on 2023-05-08?"), eighth);
    assert_eq!(days("Where did I travel in 2022?"), Some((date(2022, 1, 1), date(2022, 12, 31))));
}

#[test]
fn relative_words_and_ago_come_from_each_language() {
    let last_week = Some((date(2023, 10, 2), date(2023, 10, 8)));
    assert_eq!(days("What did I tell you last week?"), last_week);
    assert_eq!(days("Was habe ich dir letzte Woche erzählt?"), last_week);
    assert_eq!(days("Что я говорил на прошлой неделе?"), last_week);
    assert_eq!(days("先週何を話した？"), last_week);
    assert_eq!(days("上周我说了什么"), last_week);
    let yesterday = Some((date(2023, 10, 11), date(2023, 10, 11)));
    assert_eq!(days("what did I say yesterday"), yesterday);
    assert_eq!(days("Qu'est-ce que j'ai dit hier ?"), yesterday);
    assert_eq!(days("Co mówiłem wczoraj?"), yesterday);
    assert_eq!(days("What happened 3 days ago?"), Some((date(2023, 10, 9), date(2023, 10, 9))));
    assert_eq!(days("Was war vor 2 Monaten?"), Some((date(2023, 8, 1), date(2023, 8, 31))));
    assert_eq!(days("3日前に何を話した?"), Some((date(2023, 10, 9), date(2023, 10, 9))));
    assert_eq!(days("2022年发生了什么"), Some((date(2022, 1, 1), date(2022, 12, 31))));
    assert_eq!(
        days("Dove sono andato l'anno scorso?"),
        Some((date(2022, 1, 1), date(2022, 12, 31)))
    );
    assert_eq!(
        days("last month, and in May"),
        Some((date(2023, 9, 1), date(2023, 9, 30))),
        "the first one"
    );
}

#[test]
fn words_that_only_look_like_a_time_name_none() {
    for question in [
        "I may go to the gym",
        "May I ask what my dog is called?",
        "Maybe the mayor knows",
        "What is order INV-2023-0784 about?",
        "Meet me at 20:23",
        "hello there",
        "",
        "that was ages ago",
        "I set the alarm",
        "When did James try Cyberpunk 2077?",
    ] {
        assert_eq!(named_in(question, today()), None, "{question:?}");
    }
    assert!(named_in("May 8th?", today()).is_some(), "a month with a day counts anywhere");
    assert!(
        named_in("el 7 agosto", today()).is_some(),
        "agosto is a month; its abbreviation ago is not"
    );
}

#[test]
fn only_the_start_of_a_long_message_is_read() {
    let flood = "May 1, 2020 and 3 days ago. ".repeat(10_000);
    assert_eq!(days(&flood), Some((date(2020, 5, 1), date(2020, 5, 1))));
    let late = format!("{} in May 2022", "blah ".repeat(1_000));
    assert_eq!(
        named_in(&late, today()),
        None,
        "past the first {} characters",
        super::text::READ_CHARS
    );
}

#[test]
fn a_period_holds_what_was_told_in_it() {
    let period = named_in("in May 2023", today()).unwrap();
    assert_eq!(period, Period::of(Unit::Month, date(2023, 5, 1)).unwrap());
    let told = |y, m, d| {
        (date(y, m, d).and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp_millis()) as u64
    };
    assert!(period.contains(told(2023, 5, 31)));
    assert!(!period.contains(told(2023, 6, 1)));
    let mut ranking =
        vec![("june".to_owned(), 2.0), ("may".to_owned(), 1.5), ("unknown".to_owned(), 1.0)];
    let at = |id: &str| match id {
        "june" => Some(told(2023, 6, 1)),
        "may" => Some(told(2023, 5, 2)),
        _ => None,
    };
    super::lift(&mut ranking, &period, at);
    let order: Vec<&str> = ranking.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(order, ["may", "june", "unknown"]);
}
