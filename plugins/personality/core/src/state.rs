//! What the persona remembers of each user between calls (the plugin keeps it in the host's
//! `kv`): the mood, when it was last brought up to date, and the templates it got lately, so
//! that the next reply is one it has not had.

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
    /// The templates the user got lately, the latest first: each one's kind and index among
    /// that kind's templates. (State saved before it had this starts it empty.)
    #[serde(default)]
    pub recent_templates: Vec<(Kind, usize)>,
}

/// Templates remembered per user, of all kinds together: more than any kind has.
const RECENT_TEMPLATES: usize = 64;

impl UserState {
    /// The templates of `kind` the user got lately, the latest first.
    pub fn recent(&self, kind: Kind) -> Vec<usize> {
        let of_kind = self.recent_templates.iter().filter(|(of, _)| *of == kind);
        of_kind.map(|(_, index)| *index).collect()
    }

    /// The user got template `index` of `kind`.
    pub fn got(&mut self, kind: Kind, index: usize) {
        self.recent_templates.insert(0, (kind, index));
        self.recent_templates.truncate(RECENT_TEMPLATES);
    }

    /// Someone new, at the persona's baseline mood.
    pub fn new(settings: &Settings, now_ms: u64) -> UserState {
        UserState {
            mood: settings.baseline,
            updated_at_ms: now_ms,
            last_seen_ms: None,
            messages: 0,
            last_kind: Kind::Chat,
            recent_templates: Vec::new(),
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
