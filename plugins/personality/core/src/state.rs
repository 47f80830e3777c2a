//! What the persona remembers of each user between calls (the plugin keeps it in the host's
//! `kv`): the mood, when it was last brought up to date, and the last template, so the next
//! reply is a different one.

use serde::{Deserialize, Serialize};

use crate::interaction::Kind;
use crate::mood::Mood;
use crate::settings::Settings;

const MS_PER_HOUR: f64 = 3_600_000.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserState {
    pub mood: Mood,
    /// When `mood` was last decayed to (host time, ms since the epoch).
    pub updated_at_ms: u64,
    /// When the user last wrote; `None` before their first message.
    pub last_seen_ms: Option<u64>,
    pub messages: u64,
    /// The kind of the user's last message; `finish` voices the reply to it.
    pub last_kind: Kind,
    /// The template the user got last: its kind and its index among that kind's templates.
    pub last_template: Option<(Kind, usize)>,
}

impl UserState {
    /// Someone new, at the persona's baseline mood.
    pub fn new(settings: &Settings, now_ms: u64) -> UserState {
        UserState {
            mood: settings.baseline,
            updated_at_ms: now_ms,
            last_seen_ms: None,
            messages: 0,
            last_kind: Kind::Chat,
            last_template: None,
        }
    }

    /// Let the mood drift toward the baseline for the time since it was last updated. A
    /// clock that went backwards decays nothing.
    pub fn catch_up(&mut self, settings: &Settings, now_ms: u64) {
        let hours = now_ms.saturating_sub(self.updated_at_ms) as f64 / MS_PER_HOUR;
        self.mood.decay(hours, &settings.baseline, &settings.modifiers);
        self.updated_at_ms = self.updated_at_ms.max(now_ms);
    }

    /// Hours since the user last wrote, if they ever did.
    pub fn hours_away(&self, now_ms: u64) -> Option<f64> {
        self.last_seen_ms.map(|seen| now_ms.saturating_sub(seen) as f64 / MS_PER_HOUR)
    }
}
