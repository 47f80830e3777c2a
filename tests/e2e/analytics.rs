//! The `analytics` observer in the real host: a scripted month of users on a moved clock,
//! the indicators it reports against a brute-force count of the same month, and events that
//! are dropped (and counted) rather than delaying replies when the queue is full.

use std::time::Duration;

use dcmaid_host::Bot;
use dcmaid_host::core::{Clock, ManualClock};
use dcmaid_host::wit::Platform;
use dcmaid_tests::Sandbox;

use crate::{say, start_on};

const DAY_MS: u64 = 86_400_000;
/// Noon (UTC) of 2023-11-15, the first day of the month.
const FIRST_NOON_MS: u64 = 19_676 * DAY_MS + DAY_MS / 2;
const DAYS: u32 = 30;
const USERS: usize = 8;

/// Who writes on which day (0 to 29) of the month.
fn active(user: usize, day: u32) -> bool {
    match user {
        0 => true,
        1 => matches!(day, 0 | 1 | 7),
        2 => day == 0,
        3 => matches!(day, 5 | 6 | 12),
        4 => matches!(day, 10 | 17),
        5 => matches!(day, 20 | 21),
        6 => day == 28,
        _ => day >= 2 && (day - 2).is_multiple_of(3),
    }
}

/// Users active on any day in `days`.
fn active_in(days: std::ops::RangeInclusive<u32>) -> usize {
    (0..USERS).filter(|&user| days.clone().any(|day| active(user, day))).count()
}

/// `(returned, cohort)` for returning `after` days after the first day, over cohorts whose
/// day has come by `today`.
fn retention(after: u32, today: u32) -> (usize, usize) {
    let first_day = |user| (0..DAYS).find(|&day| active(user, day)).unwrap();
    let cohort: Vec<usize> = (0..USERS).filter(|&u| first_day(u) + after <= today).collect();
    let returned = cohort.iter().filter(|&&u| active(u, first_day(u) + after)).count();
    (returned, cohort.len())
}

#[tokio::test]
async fn a_scripted_month_gives_the_indicators_counted_by_hand() {
    let sandbox = Sandbox::new();
    sandbox.install_analytics();
    sandbox.install_personality();
    let clock = ManualClock::at_ms(FIRST_NOON_MS);
    let bot = start_on(sandbox.config(), &clock).await;

    let now = Clock::from(clock.clone());
    let mut messages_last_week = 0;
    for day in 0..DAYS {
        // Each day from noon, a minute between messages.
        let noon = FIRST_NOON_MS + u64::from(day) * DAY_MS;
        clock.advance(Duration::from_millis(noon - now.now_ms()));
        for user in (0..USERS).filter(|&user| active(user, day)) {
            clock.advance(Duration::from_secs(60));
            say(&bot, &format!("u{user}"), "hello there").await;
            messages_last_week += u32::from(day >= DAYS - 7);
        }
        clock.advance(Duration::from_secs(60));
        assert!(!say(&bot, "u0", "/mood").await.failed);
        messages_last_week += u32::from(day >= DAYS - 7);
    }
    bot.flush_observers().await;

    let today = DAYS - 1;
    let (dau, wau, mau) =
        (active_in(today..=today), active_in(today - 6..=today), active_in(0..=today));
    let d1 = retention(1, today);
    let d7 = retention(7, today);
    // The brute force agrees with the month worked out by hand.
    assert_eq!((dau, wau, mau, d1, d7), (2, 3, 8, (4, 8), (4, 7)));

    let analytics =
        bot.plugins().loaded().find(|p| p.name().as_str() == "analytics").unwrap().clone();
    let weekly = analytics.report("weekly").await.unwrap();
    let active_days: usize =
        (0..DAYS).map(|day| (0..USERS).filter(|&u| active(u, day)).count()).sum();
    let messages = active_days + DAYS as usize;
    for expected in [
        "# Weekly report, week ending 2023-12-14".to_owned(),
        format!("| daily active users | {dau} |"),
        format!("| weekly active users | {wau} |"),
        format!("| monthly active users | {mau} |"),
        format!("| D1 retention | 50% ({} of {}) |", d1.0, d1.1),
        format!("| D7 retention | 57% ({} of {}) |", d7.0, d7.1),
        format!("| messages per active user (30 days) | {:.1} |", messages as f64 / mau as f64),
        "| /mood | 7 | 0 |".to_owned(),
        format!("{messages_last_week} replies: p50 "),
        "| 2023-12-14 | 2 | 3 |".to_owned(),
    ] {
        assert!(weekly.contains(&expected), "missing {expected:?} in\n{weekly}");
    }

    // The plugin's own counter, through the `metrics` capability.
    let exposition = bot.metrics().encode();
    let received =
        format!("dcmaid_plugin_analytics_events_total{{kind=\"message_received\"}} {messages}.0");
    assert!(exposition.contains(&received), "{exposition}");

    let stats = say(&bot, "u0", "/stats").await.reply;
    assert!(stats.contains("active users: 2 today, 3 this week, 8 this month"), "{stats}");
    assert!(stats.contains("retention: D1 50% (4 of 8), D7 57% (4 of 7)"), "{stats}");
    assert!(stats.contains("top commands (7 days): /mood 7"), "{stats}");
    let unknown = analytics.report("daily").await.unwrap_err().to_string();
    assert!(unknown.contains("no report named `daily`"), "{unknown}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_full_queue_drops_events_and_counts_them_without_delaying_replies() {
    let sandbox = Sandbox::new();
    sandbox.install_analytics();
    sandbox.install_personality();
    let mut config = sandbox.config();
    config.limits.observer_queue = 1;
    let bot = Bot::start(config).await.unwrap();
    // A burst: every message publishes before the (single-threaded) delivery task runs.
    let burst = (0..50).map(|n| {
        let user = format!("user{n}");
        bot.handle(bot.message(Platform::Console, &user, &user, "burst", "hello"))
    });
    let outcomes = futures::future::join_all(burst).await;
    assert!(outcomes.iter().all(|outcome| !outcome.failed && !outcome.reply.is_empty()));
    bot.flush_observers().await;

    let exposition = bot.metrics().encode();
    let count = |fate: &str| -> f64 {
        let prefix = format!("dcmaid_observer_events_total{{fate=\"{fate}\"}} ");
        let line = exposition.lines().find(|line| line.starts_with(&prefix)).expect(&exposition);
        line[prefix.len()..].parse().unwrap()
    };
    let (queued, dropped) = (count("queued"), count("dropped"));
    assert!(dropped > 0.0, "{exposition}");
    // Two events per message: received and replied.
    assert_eq!(queued + dropped, 100.0);
    let analytics =
        bot.plugins().loaded().find(|p| p.name().as_str() == "analytics").unwrap().clone();
    let weekly = analytics.report("weekly").await.unwrap();
    assert!(weekly.contains("# Weekly report"), "the observer still works: {weekly}");
}
