//! One conversational turn: catch the mood up with the time, see what the user did, react,
//! and pick the template reply. The system prompt for the language model goes with it; the
//! host uses the template when there is no model or the model fails.

use crate::interaction::{self, Kind};
use crate::prompt::{self, Turn};
use crate::settings::Settings;
use crate::state::UserState;
use crate::templates::{self, Context, Slots};

pub struct Shaped {
    pub system_prompt: String,
    pub reply: String,
}

/// Shape the turn of `user_name` saying `text` at `now_ms`; `roll` in `0.0..1.0` picks among
/// the fitting templates. `state` comes back updated, to be saved.
pub fn shape(
    settings: &Settings,
    state: &mut UserState,
    text: &str,
    user_name: &str,
    now_ms: u64,
    roll: f64,
) -> Shaped {
    state.catch_up(settings, now_ms);
    let hours_away = state.hours_away(now_ms);
    let mut kind = interaction::detect(text);
    let long_absence = hours_away.is_some_and(|h| h >= settings.modifiers.long_absence_hours);
    if long_absence && matches!(kind, Kind::Greeting | Kind::Chat | Kind::Question) {
        kind = Kind::Return;
    }
    state.mood.react(kind, &settings.traits, &settings.modifiers);
    let days_away = hours_away.map_or(0, |hours| (hours / 24.0) as u64);
    let slots = Slots { user_name, bot_name: &settings.name, days_away };

    let first_words = settings.card.as_ref().map(|card| card.first_mes.trim());
    let reply = match first_words.filter(|text| state.messages == 0 && !text.is_empty()) {
        Some(first_mes) => templates::render(first_mes, &slots),
        None => {
            let candidates = settings.templates(kind);
            let recent = state.recent(kind);
            let context = Context {
                mood: &state.mood,
                traits: &settings.traits,
                modifiers: &settings.modifiers,
                recent: &recent,
            };
            // Every kind has built-in templates, so there is always one to choose.
            let index = templates::choose(&candidates, &context, roll).unwrap_or_default();
            state.got(kind, index);
            candidates.get(index).map(|t| templates::render(t.text, &slots)).unwrap_or_default()
        }
    };
    state.last_kind = kind;
    state.last_seen_ms = Some(now_ms);
    state.messages += 1;
    let system_prompt = prompt::system_prompt(settings, &Turn { kind, mood: &state.mood, slots });
    Shaped { system_prompt, reply }
}

/// A number in `0.0..1.0` from `seed` (a message id): different for every message, the same
/// for the same message, so a turn can be replayed.
pub fn roll(seed: &str, salt: u64) -> f64 {
    // FNV-1a: tiny, and enough to tell ids apart.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ salt;
    for byte in seed.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // FNV's high bits mix poorly on short, similar ids; splitmix64's finaliser spreads them.
    hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^= hash >> 31;
    (hash >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_MS: u64 = 3_600_000;

    #[test]
    fn a_user_never_gets_the_same_reply_twice_in_a_row() {
        let settings = Settings::parse(None, None).unwrap();
        let mut state = UserState::new(&settings, 0);
        let mut previous = String::new();
        for n in 0..200u64 {
            let shaped =
                shape(&settings, &mut state, "hello", "Alice", n * 1000, roll(&n.to_string(), 0));
            assert_ne!(shaped.reply, previous, "message {n}");
            previous = shaped.reply;
        }
    }

    #[test]
    fn twenty_hellos_get_at_least_ten_different_replies() {
        let settings = Settings::parse(None, None).unwrap();
        for user in ["ann", "bo", "cy", "di"] {
            let mut state = UserState::new(&settings, 0);
            let replies: Vec<String> = (0..20u64)
                .map(|n| {
                    let roll = roll(&format!("{user}-{n}"), 0);
                    shape(&settings, &mut state, "hello", "Alice", n * 60_000, roll).reply
                })
                .collect();
            let distinct: std::collections::BTreeSet<&String> = replies.iter().collect();
            assert!(distinct.len() >= 10, "{user}: {} different: {replies:#?}", distinct.len());
        }
    }

    #[test]
    fn a_long_absence_is_noticed_and_counted_in_days() {
        let settings = Settings::parse(None, None).unwrap();
        let mut state = UserState::new(&settings, 0);
        shape(&settings, &mut state, "hi", "Alice", 0, 0.5);
        let back = shape(&settings, &mut state, "hi", "Alice", 100 * HOUR_MS, 0.5);
        assert_eq!(state.last_kind, Kind::Return);
        assert!(back.reply.contains('4'), "{}", back.reply);
        assert!(back.system_prompt.contains("back after a long time away"));
    }

    #[test]
    fn the_prompt_carries_traits_and_mood() {
        let settings = Settings::parse(None, None).unwrap();
        let mut state = UserState::new(&settings, 0);
        let shaped = shape(&settings, &mut state, "you're amazing", "Alice", 0, 0.5);
        let prompt = shaped.system_prompt;
        assert!(prompt.contains("openness 0.60"), "{prompt}");
        assert!(prompt.contains("Tsundere level 0.70"), "{prompt}");
        let happiness = format!("happiness {:.0}", state.mood.happiness);
        assert!(prompt.contains(&happiness), "{prompt}");
        assert!(prompt.contains("Alice complimented you."), "{prompt}");
    }

    #[test]
    fn a_card_greets_newcomers_with_its_first_message() {
        let card = r#"{"spec": "chara_card_v2", "data": {"name": "Rin",
            "first_mes": "Oh. {{user}}. Come in.", "description": "{{char}} keeps a shrine."}}"#;
        let settings = Settings::parse(None, Some(card)).unwrap();
        let mut state = UserState::new(&settings, 0);
        let first = shape(&settings, &mut state, "hello", "Alice", 0, 0.5);
        assert_eq!(first.reply, "Oh. Alice. Come in.");
        assert!(first.system_prompt.contains("Rin keeps a shrine."));
        let second = shape(&settings, &mut state, "hello", "Alice", 1, 0.5);
        assert_ne!(second.reply, first.reply);
    }

    #[test]
    fn rolls_spread_over_the_unit_interval() {
        let rolls: Vec<f64> = (0..1000).map(|n| roll(&format!("msg-{n}"), 7)).collect();
        assert!(rolls.iter().all(|r| (0.0..1.0).contains(r)));
        let low = rolls.iter().filter(|r| **r < 0.5).count();
        assert!((400..600).contains(&low), "{low}");
    }
}
