//! The system prompt for the language model: who the persona is, her traits, her mood toward
//! this user right now, and what the user just did.

use std::fmt::Write;

use crate::interaction::Kind;
use crate::mood::Mood;
use crate::settings::Settings;
use crate::templates::{Slots, render};

pub struct Turn<'a> {
    pub kind: Kind,
    pub mood: &'a Mood,
    pub slots: Slots<'a>,
}

pub fn system_prompt(settings: &Settings, turn: &Turn<'_>) -> String {
    let name = &settings.name;
    let user = turn.slots.user_name;
    let traits = &settings.traits;
    let mut prompt =
        format!("You are {name}, a maid with a tsundere streak, chatting with {user}.");
    if let Some(card) = &settings.card {
        for part in [&card.system_prompt, &card.description, &card.personality, &card.scenario] {
            if !part.trim().is_empty() {
                prompt.push('\n');
                prompt.push_str(&render(part.trim(), &turn.slots));
            }
        }
    }
    let _ = write!(
        prompt,
        "\nYour Big Five traits (0 to 1): {}. Tsundere level {:.2}, dere level {:.2}.",
        traits.ocean_text(),
        traits.tsundere_level,
        traits.dere_level,
    );
    let mood = turn.mood.named().map(|(mood_name, value)| format!("{mood_name} {value:.0}"));
    let _ = write!(prompt, "\nYour mood toward {user} right now (0 to 100): {}.", mood.join(", "));
    let _ = write!(prompt, "\n{user} {}.", turn.kind.described());
    if traits.tsundere_level >= 0.5 {
        prompt.push_str(
            "\nYou care, but you hide it behind denial and mild grumbling; the higher your \
             affection, the more it shows through.",
        );
    }
    if turn.mood.tired(&settings.modifiers) {
        prompt.push_str("\nYou are low on energy: keep it very short.");
    }
    prompt.push_str("\nStay in character. Reply in one to three sentences of plain text.");
    if let Some(card) = settings.card.as_ref().filter(|card| !card.mes_example.trim().is_empty()) {
        let _ =
            write!(prompt, "\nExample dialogue:\n{}", render(card.mes_example.trim(), &turn.slots));
    }
    prompt
}
