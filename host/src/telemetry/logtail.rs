//! The live log tail of the admin API: the host's last log lines, kept in memory, and a
//! channel that carries each new one to whoever follows (`GET /api/v1/logs`,
//! `GET /api/v1/logs/stream`).
//!
//! It is a `tracing` layer beside the one that writes to stderr, so it sees what the
//! operator's filter lets through and nothing else. Logs belong to the process, not to one
//! bot, so the tail is process-wide: [`tail`].

use std::collections::VecDeque;
use std::fmt::Write;
use std::sync::{Mutex, OnceLock, PoisonError};

use serde::Serialize;
use tokio::sync::broadcast;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;

/// Lines kept for a newcomer to read back.
pub const LINES_KEPT: usize = 1000;
/// A field value longer than this is cut: a log line is for reading, not a data dump.
const MAX_LINE_CHARS: usize = 4000;

/// One log line.
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
pub struct LogLine {
    /// Increases by one per line since the process started: ask for lines after the last
    /// one seen.
    pub seq: u64,
    /// RFC 3339, UTC.
    pub time: String,
    /// ERROR, WARN, INFO, DEBUG or TRACE.
    pub level: String,
    /// The module that logged it.
    pub target: String,
    /// The message, then its fields as `key=value`.
    pub message: String,
}

pub struct LogTail {
    lines: Mutex<(u64, VecDeque<LogLine>)>,
    live: broadcast::Sender<LogLine>,
}

/// The process's log tail.
pub fn tail() -> &'static LogTail {
    static TAIL: OnceLock<LogTail> = OnceLock::new();
    TAIL.get_or_init(|| LogTail {
        lines: Mutex::new((0, VecDeque::with_capacity(LINES_KEPT))),
        live: broadcast::channel(256).0,
    })
}

impl LogTail {
    fn push(&self, level: &tracing::Level, target: &str, message: String) {
        let mut lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
        let (next, kept) = &mut *lines;
        *next += 1;
        let line = LogLine {
            seq: *next,
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            level: level.to_string(),
            target: target.to_owned(),
            message,
        };
        if kept.len() == LINES_KEPT {
            kept.pop_front();
        }
        kept.push_back(line.clone());
        // Sent under the lock, so followers see lines in `seq` order. Nobody following is
        // fine.
        let _ = self.live.send(line);
    }

    /// The kept lines with `seq` above `after`, oldest first, at most `limit` (the newest).
    pub fn since(&self, after: u64, limit: usize) -> Vec<LogLine> {
        let lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
        let newer: Vec<&LogLine> = lines.1.iter().filter(|line| line.seq > after).collect();
        newer[newer.len().saturating_sub(limit)..].iter().map(|line| (*line).clone()).collect()
    }

    /// Every line from now on. A follower that falls behind by more than the channel holds
    /// skips ahead (see `seq`).
    pub fn follow(&self) -> broadcast::Receiver<LogLine> {
        self.live.subscribe()
    }
}

/// The layer that feeds [`tail`]; add it to the subscriber.
pub fn layer() -> TailLayer {
    TailLayer
}

pub struct TailLayer;

impl<S: Subscriber> tracing_subscriber::Layer<S> for TailLayer {
    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        let mut text = LineText::default();
        event.record(&mut text);
        let metadata = event.metadata();
        tail().push(metadata.level(), metadata.target(), text.finish());
    }
}

/// The message, then the other fields.
#[derive(Default)]
struct LineText {
    message: String,
    fields: String,
}

impl LineText {
    fn finish(self) -> String {
        let mut line = self.message;
        line.push_str(&self.fields);
        if line.chars().count() > MAX_LINE_CHARS {
            line = line.chars().take(MAX_LINE_CHARS).collect();
            line.push('…');
        }
        line
    }
}

impl Visit for LineText {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    #[test]
    fn lines_carry_their_fields_and_are_read_back_after_a_seq() {
        let subscriber = tracing_subscriber::registry().with(layer());
        let before = tail().since(0, LINES_KEPT).last().map_or(0, |line| line.seq);
        let mut follower = tail().follow();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(plugin = "hello", took_ms = 3, "plugin swapped");
            tracing::info!("second");
        });
        let lines = tail().since(before, LINES_KEPT);
        let ours: Vec<_> = lines.iter().filter(|l| l.target.ends_with("logtail::tests")).collect();
        assert_eq!(ours.len(), 2, "{lines:?}");
        assert_eq!(ours[0].level, "WARN");
        assert_eq!(ours[0].message, "plugin swapped plugin=hello took_ms=3");
        assert!(ours[1].seq > ours[0].seq);
        let followed = follower.try_recv().unwrap();
        assert!(followed.seq > before);
        assert_eq!(
            tail().since(ours[1].seq, 10).iter().filter(|l| l.seq <= ours[1].seq).count(),
            0
        );
    }
}
