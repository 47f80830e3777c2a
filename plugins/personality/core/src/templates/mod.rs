//! Reply templates and how one is chosen: by the interaction's kind, by tone (tsundere, dere
//! or neutral, weighted by the persona's levels and the user's mood), by mood conditions
//! (tired, cheerful, upset, close), and never the same one twice in a row for a user.

mod builtin;

use serde::Deserialize;

pub use crate::interaction::Kind;
use crate::mood::Mood;
use crate::settings::Modifiers;
use crate::traits::Traits;
pub use builtin::BUILTIN;

/// A template's voice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    /// Prickly denial: likelier the higher `tsundere_level` and the lower the user's trust.
    Tsun,
    /// Open sweetness: likelier the higher `dere_level` and the user's affection.
    Dere,
    /// Even and polite: likelier when neither level is high.
    Neutral,
    /// The operator's own lines, in whatever voice they wrote: always weighted fully.
    Any,
}

/// The mood a template needs; such templates are favoured when their mood holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    #[default]
    Any,
    /// Energy below `energy_threshold`.
    Tired,
    /// Happiness at 70 or more.
    Cheerful,
    /// Happiness below 35.
    Upset,
    /// Affection at 60 or more.
    Close,
}

impl When {
    fn holds(self, mood: &Mood, modifiers: &Modifiers) -> bool {
        match self {
            When::Any => true,
            When::Tired => mood.tired(modifiers),
            When::Cheerful => mood.happiness >= 70.0,
            When::Upset => mood.happiness < 35.0,
            When::Close => mood.affection >= 60.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Template<'a> {
    pub kind: Kind,
    pub tone: Tone,
    pub when: When,
    pub text: &'a str,
}

/// What a choice depends on besides the candidates.
pub struct Context<'a> {
    pub mood: &'a Mood,
    pub traits: &'a Traits,
    pub modifiers: &'a Modifiers,
    /// The templates this user got lately among the same candidates, the latest first.
    pub recent: &'a [usize],
}

/// Pick one of `candidates` with `roll` in `0.0..1.0`; `None` only when there are none.
///
/// A template the user got lately is not chosen again while one they have not fits: of the
/// `n` templates that fit the mood, the last `n - 1` the user got are left out, so that a
/// user who keeps saying the same thing goes round every fitting template, in an order the
/// rolls and weights decide, before any comes back (and never gets one twice in a row while
/// two fit).
pub fn choose(candidates: &[Template<'_>], context: &Context<'_>, roll: f64) -> Option<usize> {
    let fitting: Vec<(usize, f64)> = candidates
        .iter()
        .enumerate()
        .filter(|(_, template)| template.when.holds(context.mood, context.modifiers))
        .map(|(index, template)| (index, weight(template, context)))
        .filter(|(_, weight)| *weight > 0.0)
        .collect();
    let avoided = &context.recent[..context.recent.len().min(fitting.len().saturating_sub(1))];
    let weighted: Vec<(usize, f64)> =
        fitting.into_iter().filter(|(index, _)| !avoided.contains(index)).collect();
    let total: f64 = weighted.iter().map(|(_, weight)| weight).sum();
    if total <= 0.0 {
        // Nothing fits: repeating beats silence.
        let last = context.recent.first().copied().filter(|last| *last < candidates.len());
        let first = (!candidates.is_empty()).then_some(0);
        return weighted.first().map(|(index, _)| *index).or(last).or(first);
    }
    let mut target = roll.clamp(0.0, 1.0) * total;
    for (index, weight) in &weighted {
        if target < *weight {
            return Some(*index);
        }
        target -= weight;
    }
    weighted.last().map(|(index, _)| *index)
}

fn weight(template: &Template<'_>, context: &Context<'_>) -> f64 {
    let (mood, traits) = (context.mood, context.traits);
    let tone = match template.tone {
        Tone::Tsun => traits.tsundere_level * (1.5 - mood.trust / 100.0),
        Tone::Dere => traits.dere_level * (0.5 + mood.affection / 100.0),
        Tone::Neutral => 0.15 + 0.35 * (1.0 - traits.tsundere_level.max(traits.dere_level)),
        Tone::Any => 1.0,
    };
    // A mood the persona is in shows.
    let mood_fit = if template.when == When::Any { 1.0 } else { 3.0 };
    tone * mood_fit
}

/// The values for a template's slots.
pub struct Slots<'a> {
    pub user_name: &'a str,
    pub bot_name: &'a str,
    pub days_away: u64,
}

pub const SLOT_NAMES: [&str; 3] = ["user_name", "bot_name", "days_away"];

pub fn render(text: &str, slots: &Slots<'_>) -> String {
    text.replace("{user_name}", slots.user_name)
        .replace("{bot_name}", slots.bot_name)
        .replace("{days_away}", &slots.days_away.to_string())
}

/// The first `{slot}` in `text` that is not one of [`SLOT_NAMES`].
pub fn unknown_slot(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let name = &after[..close];
        if !SLOT_NAMES.contains(&name) {
            return Some(name);
        }
        rest = &after[close + 1..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of_kind(kind: Kind) -> Vec<Template<'static>> {
        BUILTIN.iter().filter(|t| t.kind == kind).copied().collect()
    }

    /// Moods that between them satisfy every `When`.
    fn moods() -> Vec<Mood> {
        let mut moods = Vec::new();
        for happiness in [20.0, 50.0, 85.0] {
            for energy in [10.0, 80.0] {
                for affection in [20.0, 80.0] {
                    moods.push(Mood { happiness, energy, affection, trust: 40.0 });
                }
            }
        }
        moods
    }

    #[test]
    fn there_are_at_least_ten_variants_of_every_kind_with_known_slots() {
        for kind in Kind::ALL {
            assert!(of_kind(kind).len() >= 10, "{kind:?}");
        }
        for template in BUILTIN {
            assert_eq!(unknown_slot(template.text), None, "{}", template.text);
        }
    }

    #[test]
    fn every_builtin_variant_is_reachable_under_the_default_traits() {
        let (traits, modifiers) = (Traits::default(), Modifiers::default());
        for kind in Kind::ALL {
            let candidates = of_kind(kind);
            let mut reached = vec![false; candidates.len()];
            for mood in moods() {
                let context =
                    Context { mood: &mood, traits: &traits, modifiers: &modifiers, recent: &[] };
                for step in 0..1000 {
                    let chosen = choose(&candidates, &context, f64::from(step) / 1000.0).unwrap();
                    reached[chosen] = true;
                }
            }
            for (template, reached) in candidates.iter().zip(reached) {
                assert!(reached, "never chosen: {template:?}");
            }
        }
    }

    #[test]
    fn the_last_variant_is_never_chosen_again() {
        let (traits, modifiers) = (Traits::default(), Modifiers::default());
        for kind in Kind::ALL {
            let candidates = of_kind(kind);
            for mood in moods() {
                for last in 0..candidates.len() {
                    let context = Context {
                        mood: &mood,
                        traits: &traits,
                        modifiers: &modifiers,
                        recent: &[last],
                    };
                    for step in 0..100 {
                        let roll = f64::from(step) / 100.0;
                        assert_ne!(choose(&candidates, &context, roll), Some(last));
                    }
                }
            }
        }
    }

    #[test]
    fn moods_and_levels_shift_the_choice() {
        let modifiers = Modifiers::default();
        let candidates = of_kind(Kind::Greeting);
        let share = |traits: &Traits, mood: &Mood, tone: Tone| {
            let context = Context { mood, traits, modifiers: &modifiers, recent: &[] };
            let hits = (0..1000)
                .filter_map(|step| choose(&candidates, &context, f64::from(step) / 1000.0))
                .filter(|index| candidates[*index].tone == tone)
                .count();
            hits as f64 / 1000.0
        };
        let tsundere = Traits { tsundere_level: 1.0, dere_level: 0.0, ..Traits::default() };
        let deredere = Traits { tsundere_level: 0.0, dere_level: 1.0, ..Traits::default() };
        let mood = Mood::default();
        assert!(share(&tsundere, &mood, Tone::Tsun) > 0.6);
        assert_eq!(share(&deredere, &mood, Tone::Tsun), 0.0);
        let tired = Mood { energy: 5.0, ..Mood::default() };
        let tired_share = {
            let context = Context {
                mood: &tired,
                traits: &Traits::default(),
                modifiers: &modifiers,
                recent: &[],
            };
            (0..1000)
                .filter_map(|step| choose(&candidates, &context, f64::from(step) / 1000.0))
                .filter(|index| candidates[*index].when == When::Tired)
                .count()
        };
        assert!(tired_share > 0, "a tired persona sometimes says so");
    }

    #[test]
    fn slots_are_filled_and_unknown_ones_found() {
        let slots = Slots { user_name: "Alice", bot_name: "Aiko", days_away: 3 };
        assert_eq!(
            render("{bot_name} missed {user_name} for {days_away} days", &slots),
            "Aiko missed Alice for 3 days"
        );
        assert_eq!(unknown_slot("Hi {user_name}, {mood}!"), Some("mood"));
        assert_eq!(unknown_slot("Hi {user_name}"), None);
    }
}
