//! dcmaid's analytics observer: it keeps one record per UTC day in its `kv` store (who was
//! active, who was new, messages, commands, plugin failures, reply times), and answers
//! `/stats` and the `weekly` report from the last month of records. The arithmetic is
//! `analytics-core`; this crate wires it to the host.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use analytics_core::day::{Day, day_of};
use analytics_core::kpi::{self, LOOKBACK_DAYS};
use analytics_core::report;
use dcmaid_sdk::prelude::*;

struct Analytics;

/// The host's time (the plugin's wall clock is the host's clock).
fn now_ms() -> u64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    since_epoch.as_millis().try_into().unwrap_or(u64::MAX)
}

/// Zero-padded, so that the keys sort by day.
fn day_key(day: u32) -> String {
    format!("day/{day:08}")
}

fn update_day(day: u32, change: impl FnOnce(&mut Day)) -> Result<(), PluginError> {
    let key = day_key(day);
    let mut record = kv::get_json::<Day>(&key)?.unwrap_or_default();
    change(&mut record);
    kv::set_json(&key, &record)
}

/// The event's kind, as the label of the plugin's own `events` counter.
fn kind(event: &Event) -> &'static str {
    match event {
        Event::MessageReceived(_) => "message_received",
        Event::ReplySent(_) => "reply_sent",
        Event::CommandRan(_) => "command_ran",
        Event::PluginFailed(_) => "plugin_failed",
        Event::ToolCalled(_) => "tool_called",
    }
}

fn record(event: Event) -> Result<(), PluginError> {
    metrics::count("events", &[("kind", kind(&event))])?;
    match event {
        Event::MessageReceived(message) => {
            let today = day_of(message.received_at_ms);
            // The day of each user's first message; its absence makes them new.
            let first_key = format!("first/{}", message.user.id);
            let first_ever = kv::get(&first_key)?.is_none();
            if first_ever {
                kv::set_json(&first_key, &today)?;
            }
            update_day(today, |day| day.message(&message.user.id, first_ever))
        }
        Event::ReplySent(sent) => {
            update_day(day_of(sent.at_ms), |day| day.latency.observe(sent.latency_us))
        }
        Event::CommandRan(ran) => {
            update_day(day_of(ran.at_ms), |day| day.command(&ran.command, ran.ok))
        }
        Event::PluginFailed(failed) => {
            update_day(day_of(failed.at_ms), |day| day.failure(&failed.plugin))
        }
        Event::ToolCalled(called) => {
            update_day(day_of(called.at_ms), |day| day.tool(&called.tool, called.ok))
        }
    }
}

/// The records the indicators of `today` need, by day.
fn recent_days(today: u32) -> Result<BTreeMap<u32, Day>, PluginError> {
    let mut days = BTreeMap::new();
    for day in today.saturating_sub(LOOKBACK_DAYS)..=today {
        if let Some(record) = kv::get_json::<Day>(&day_key(day))? {
            days.insert(day, record);
        }
    }
    Ok(days)
}

impl Plugin for Analytics {
    fn commands() -> Vec<CommandSpec> {
        let description = "Active users, retention, commands and response times";
        vec![CommandSpec::new("stats", description, "/stats")]
    }

    fn run(invocation: Invocation) -> Result<Reply, PluginError> {
        if invocation.name != "stats" {
            return Err(PluginError::InvalidInput(format!("I don't know /{}.", invocation.name)));
        }
        let today = day_of(invocation.message.received_at_ms);
        let days = recent_days(today)?;
        let text = report::stats(&kpi::compute(&days, today), &report::week(&days, today));
        Ok(Reply::new(text))
    }
}

impl Observer for Analytics {
    fn on_event(event: Event) {
        // An event that cannot be recorded is lost, not retried: the next one may succeed.
        if let Err(error) = record(event) {
            log::warn(format!("event not recorded: {error:?}"));
        }
    }

    fn report(name: String) -> Result<String, PluginError> {
        if name != "weekly" {
            return Err(PluginError::InvalidInput(format!(
                "no report named `{name}`; there is `weekly`"
            )));
        }
        let today = day_of(now_ms());
        let days = recent_days(today)?;
        Ok(report::weekly(&kpi::compute(&days, today), &report::week(&days, today)))
    }
}

dcmaid_sdk::observer!(Analytics);
