//! Finishing a language model's draft in the persona's voice: a stutter when a tsundere is
//! flustered, a denial tag after it, a trailing `~` when a happy persona plays up the anime
//! tropes. The draft's content is never changed.

use crate::interaction::Kind;
use crate::mood::Mood;
use crate::traits::Traits;

/// Tags a flustered tsundere puts after what she said.
const DENIALS: [&str; 4] =
    ["Hmph.", "D-don't get the wrong idea!", "It's not like I did it for you!", "B-baka."];

pub fn finish(draft: &str, traits: &Traits, mood: &Mood, kind: Kind, roll: f64) -> String {
    let draft = draft.trim();
    if draft.is_empty() {
        return String::new();
    }
    let flustered = matches!(kind, Kind::Praise | Kind::Affection | Kind::Thanks | Kind::Teasing)
        || mood.affection >= 60.0;
    let tsun = traits.tsundere_level >= 0.6 && flustered;
    let mut text = if tsun { stutter(draft) } else { draft.to_owned() };
    if tsun && roll < traits.tsundere_level {
        let denial = DENIALS[((roll * 1000.0) as usize) % DENIALS.len()];
        if !text.ends_with(denial) {
            text.push(' ');
            text.push_str(denial);
        }
    } else if traits.anime_tropes && mood.happiness >= 70.0 && !text.ends_with('~') {
        if text.ends_with(['.', '!']) {
            text.pop();
        }
        text.push('~');
    }
    text
}

/// `Sure thing` -> `S-sure thing`; `I think` -> `I-I think`. A draft that starts with
/// anything but a letter, or already stutters, is left alone.
fn stutter(text: &str) -> String {
    let mut chars = text.chars();
    let Some(first) = chars.next().filter(|c| c.is_alphabetic()) else {
        return text.to_owned();
    };
    let rest = chars.as_str();
    if rest.starts_with('-') {
        return text.to_owned();
    }
    let word_is_i = first == 'I' && !rest.starts_with(char::is_alphabetic);
    if word_is_i {
        return format!("I-{text}");
    }
    let lower: String = first.to_lowercase().collect();
    format!("{first}-{lower}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flustered_tsundere_stutters_and_denies() {
        let traits = Traits::default();
        let mood = Mood::default();
        assert_eq!(finish("Sure thing.", &traits, &mood, Kind::Praise, 0.0), "S-sure thing. Hmph.");
        assert_eq!(finish("I guess so.", &traits, &mood, Kind::Thanks, 0.9), "I-I guess so.");
    }

    #[test]
    fn a_calm_reply_keeps_its_words() {
        let traits = Traits::default();
        let mood = Mood::default();
        assert_eq!(finish("  It rains.  ", &traits, &mood, Kind::Chat, 0.0), "It rains.");
        let sweet = Traits { tsundere_level: 0.1, ..traits };
        let happy = Mood { happiness: 90.0, ..mood };
        assert_eq!(finish("Of course!", &sweet, &happy, Kind::Praise, 0.0), "Of course~");
        assert_eq!(finish("", &traits, &mood, Kind::Praise, 0.0), "");
        assert_eq!(
            finish("42 is the answer.", &traits, &mood, Kind::Praise, 0.9),
            "42 is the answer."
        );
    }
}
