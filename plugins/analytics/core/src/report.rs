//! What people read: `/stats` in chat, and the weekly report in Markdown (the seed's
//! `generate_analytics_report`).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::day::{CommandCount, Day, date};
use crate::kpi::{Kpis, Retention};
use crate::latency::Latency;

/// The 7 days ending `today`, summed.
#[derive(Debug, Default)]
pub struct Week {
    /// `(day, active users, messages)`, oldest first, every day present.
    pub daily: Vec<(u32, usize, u64)>,
    pub commands: BTreeMap<String, CommandCount>,
    pub tools: BTreeMap<String, CommandCount>,
    pub failures: BTreeMap<String, u64>,
    pub latency: Latency,
}

fn add_counts(into: &mut BTreeMap<String, CommandCount>, from: &BTreeMap<String, CommandCount>) {
    for (name, count) in from {
        let total = into.entry(name.clone()).or_default();
        total.runs += count.runs;
        total.failures += count.failures;
    }
}

pub fn week(days: &BTreeMap<u32, Day>, today: u32) -> Week {
    let mut week = Week::default();
    for day_number in today.saturating_sub(6)..=today {
        let Some(day) = days.get(&day_number) else {
            week.daily.push((day_number, 0, 0));
            continue;
        };
        week.daily.push((day_number, day.active.len(), day.messages));
        add_counts(&mut week.commands, &day.commands);
        add_counts(&mut week.tools, &day.tools);
        for (plugin, failures) in &day.failures {
            *week.failures.entry(plugin.clone()).or_default() += failures;
        }
        week.latency.merge(&day.latency);
    }
    week
}

fn percent(retention: Option<Retention>) -> String {
    match retention {
        Some(r) => format!("{:.0}% ({} of {})", r.rate() * 100.0, r.returned, r.cohort),
        None => "n/a (no cohort yet)".to_owned(),
    }
}

fn duration(micros: Option<u64>) -> String {
    match micros {
        None => "n/a".to_owned(),
        Some(u64::MAX) => "> 30 s".to_owned(),
        Some(us) if us < 1_000 => format!("≤ {us} µs"),
        Some(us) if us < 1_000_000 => format!("≤ {} ms", us / 1_000),
        Some(us) => format!("≤ {} s", us / 1_000_000),
    }
}

/// `/stats`: the indicators in a few lines.
pub fn stats(kpis: &Kpis, week: &Week) -> String {
    let per_user = kpis.messages_per_user().map_or("n/a".to_owned(), |m| format!("{m:.1}"));
    let top: Vec<String> = top_commands(week, 3)
        .into_iter()
        .map(|(command, count)| format!("/{command} {}", count.runs))
        .collect();
    let mut text = format!(
        "Stats for {}:\nactive users: {} today, {} this week, {} this month\n\
         retention: D1 {}, D7 {}\nmessages per active user (30 days): {per_user}",
        date(kpis.today),
        kpis.dau,
        kpis.wau,
        kpis.mau,
        percent(kpis.d1),
        percent(kpis.d7),
    );
    let _ = write!(
        text,
        "\nreplies (7 days): p50 {}, p95 {}",
        duration(week.latency.percentile(0.5)),
        duration(week.latency.percentile(0.95))
    );
    if !top.is_empty() {
        let _ = write!(text, "\ntop commands (7 days): {}", top.join(", "));
    }
    text
}

fn top_commands(week: &Week, n: usize) -> Vec<(&String, &CommandCount)> {
    most_run(&week.commands, n)
}

fn most_run(counts: &BTreeMap<String, CommandCount>, n: usize) -> Vec<(&String, &CommandCount)> {
    let mut commands: Vec<_> = counts.iter().collect();
    commands.sort_by(|a, b| b.1.runs.cmp(&a.1.runs).then(a.0.cmp(b.0)));
    commands.truncate(n);
    commands
}

/// The weekly report, as Markdown.
pub fn weekly(kpis: &Kpis, week: &Week) -> String {
    let mut md = format!("# Weekly report, week ending {}\n\n## Users\n\n", date(kpis.today));
    let per_user = kpis.messages_per_user().map_or("n/a".to_owned(), |m| format!("{m:.1}"));
    let _ = writeln!(md, "| indicator | value |\n| --- | --- |");
    let _ = writeln!(md, "| daily active users | {} |", kpis.dau);
    let _ = writeln!(md, "| weekly active users | {} |", kpis.wau);
    let _ = writeln!(md, "| monthly active users | {} |", kpis.mau);
    let _ = writeln!(md, "| D1 retention | {} |", percent(kpis.d1));
    let _ = writeln!(md, "| D7 retention | {} |", percent(kpis.d7));
    let _ = writeln!(md, "| messages per active user (30 days) | {per_user} |");
    let _ = writeln!(
        md,
        "\n## Daily activity\n\n| day | active users | messages |\n| --- | --- | --- |"
    );
    for (day, active, messages) in &week.daily {
        let _ = writeln!(md, "| {} | {active} | {messages} |", date(*day));
    }
    let _ = writeln!(md, "\n## Commands\n");
    if week.commands.is_empty() {
        let _ = writeln!(md, "No commands this week.");
    } else {
        let _ = writeln!(md, "| command | runs | failures |\n| --- | --- | --- |");
        for (command, count) in top_commands(week, usize::MAX) {
            let _ = writeln!(md, "| /{command} | {} | {} |", count.runs, count.failures);
        }
    }
    let _ = writeln!(md, "\n## Tool calls\n");
    if week.tools.is_empty() {
        let _ = writeln!(md, "No tool calls this week.");
    } else {
        let _ = writeln!(md, "| tool | calls | failures |\n| --- | --- | --- |");
        for (tool, count) in most_run(&week.tools, usize::MAX) {
            let _ = writeln!(md, "| {tool} | {} | {} |", count.runs, count.failures);
        }
    }
    let _ = writeln!(md, "\n## Response times\n");
    let _ = writeln!(
        md,
        "{} replies: p50 {}, p95 {}, p99 {}.",
        week.latency.samples(),
        duration(week.latency.percentile(0.5)),
        duration(week.latency.percentile(0.95)),
        duration(week.latency.percentile(0.99))
    );
    let _ = writeln!(md, "\n## Plugin failures\n");
    if week.failures.is_empty() {
        let _ = writeln!(md, "None.");
    } else {
        for (plugin, failures) in &week.failures {
            let _ = writeln!(md, "- `{plugin}`: {failures}");
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::compute;

    #[test]
    fn the_weekly_report_has_every_section() {
        let mut days = BTreeMap::new();
        let mut today = Day::default();
        today.message("alice", true);
        today.command("mood", true);
        today.latency.observe(700);
        today.failure("memory");
        today.tool("weather", true);
        today.tool("weather", false);
        days.insert(19_675, today);
        let kpis = compute(&days, 19_675);
        let week = week(&days, 19_675);
        let md = weekly(&kpis, &week);
        for expected in [
            "# Weekly report, week ending 2023-11-14",
            "| daily active users | 1 |",
            "| D1 retention | n/a (no cohort yet) |",
            "| 2023-11-08 | 0 | 0 |",
            "| 2023-11-14 | 1 | 1 |",
            "| /mood | 1 | 0 |",
            "1 replies: p50 ≤ 1 ms",
            "- `memory`: 1",
            "| weather | 2 | 1 |",
        ] {
            assert!(md.contains(expected), "missing {expected:?} in\n{md}");
        }
        let text = stats(&kpis, &week);
        assert!(text.contains("active users: 1 today, 1 this week, 1 this month"), "{text}");
        assert!(text.contains("top commands (7 days): /mood 1"), "{text}");
    }
}
