//! `/mood`: the persona's four moods toward the user as bars, and her traits.

use std::fmt::Write;

use crate::mood::Mood;
use crate::settings::Settings;

const BAR_CELLS: usize = 10;

pub fn mood_report(settings: &Settings, mood: &Mood, user_name: &str, met: bool) -> String {
    let mut text = format!("{}'s mood toward {user_name}", settings.name);
    if !met {
        text.push_str(" (we've only just met)");
    }
    text.push(':');
    for (name, value) in mood.named() {
        let _ = write!(text, "\n{name:<9} {} {value:>3.0}", bar(value));
    }
    let traits = &settings.traits;
    let _ = write!(
        text,
        "\nPersonality: {}; tsundere {:.2}, dere {:.2}.",
        traits.ocean_text(),
        traits.tsundere_level,
        traits.dere_level
    );
    text
}

/// `62` -> `██████░░░░`.
fn bar(value: f64) -> String {
    let filled = ((value / 100.0) * BAR_CELLS as f64).round().clamp(0.0, BAR_CELLS as f64) as usize;
    "█".repeat(filled) + &"░".repeat(BAR_CELLS - filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moods_show_as_bars_and_traits_as_numbers() {
        let settings = Settings::parse(None, None).unwrap();
        let mood = Mood { happiness: 62.0, energy: 100.0, affection: 0.0, trust: 41.0 };
        let text = mood_report(&settings, &mood, "Alice", true);
        assert!(text.starts_with("Aiko's mood toward Alice:"), "{text}");
        assert!(text.contains("\nhappiness ██████░░░░  62"), "{text}");
        assert!(text.contains("\nenergy    ██████████ 100"), "{text}");
        assert!(text.contains("\naffection ░░░░░░░░░░   0"), "{text}");
        assert!(text.contains("tsundere 0.70, dere 0.30"), "{text}");
    }
}
