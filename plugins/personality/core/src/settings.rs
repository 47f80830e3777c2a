//! The persona's settings: the seed's `personality_config.yaml` (config key `personality`,
//! accepted exactly as the seed writes it) and an optional Character Card V2 (config key
//! `character_card`). Both are optional; every field has a default. Errors name the key.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::card::Card;
use crate::interaction::Kind;
use crate::mood::Mood;
use crate::rate::PerHour;
use crate::templates::{self, BUILTIN, Template, Tone, When};
use crate::traits::Traits;

/// The persona's name when neither the config nor a card gives one.
pub const DEFAULT_NAME: &str = "Aiko";

/// How moods move: the seed's `mood_modifiers`, plus the decays it implies.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Modifiers {
    /// Extra share of every happiness gain: `0.2` is 20 % more.
    pub happiness_bonus: f64,
    /// Below this energy the persona is tired: short replies, sleepy templates.
    pub energy_threshold: f64,
    pub affection_decay: PerHour,
    pub happiness_decay: PerHour,
    /// How fast energy comes back toward its baseline.
    pub energy_recovery: PerHour,
    pub trust_decay: PerHour,
    /// A user silent this long gets a "you're back" reply.
    pub long_absence_hours: f64,
}

impl Default for Modifiers {
    fn default() -> Self {
        Modifiers {
            happiness_bonus: 0.2,
            energy_threshold: 30.0,
            affection_decay: PerHour::new(0.01),
            happiness_decay: PerHour::new(0.05),
            energy_recovery: PerHour::new(0.1),
            trust_decay: PerHour::new(0.005),
            long_absence_hours: 72.0,
        }
    }
}

/// The YAML file: everything under `personality:`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct File {
    personality: Section,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Section {
    name: Option<String>,
    base_traits: Traits,
    baseline_mood: Mood,
    /// More templates per kind; they join the built-in ones.
    response_templates: BTreeMap<Kind, Vec<String>>,
    mood_modifiers: Modifiers,
}

/// The persona, as configured.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: String,
    pub traits: Traits,
    pub baseline: Mood,
    pub modifiers: Modifiers,
    /// The operator's templates and the card's greetings, after the built-in ones.
    extra_templates: Vec<(Kind, String)>,
    pub card: Option<Card>,
}

impl Settings {
    /// The settings from the YAML text (config key `personality`) and the card's JSON text
    /// (config key `character_card`); either may be absent or blank.
    pub fn parse(yaml: Option<&str>, card: Option<&str>) -> Result<Settings, String> {
        let section = match yaml {
            Some(text) if !text.trim().is_empty() => {
                serde_saphyr::from_str::<File>(text)
                    .map_err(|e| format!("personality config: {e}"))?
                    .personality
            }
            _ => Section::default(),
        };
        check(&section).map_err(|e| format!("personality config: personality.{e}"))?;
        let card = card
            .filter(|text| !text.trim().is_empty())
            .map(Card::parse)
            .transpose()
            .map_err(|e| format!("character card: {e}"))?;
        let name = section
            .name
            .or_else(|| card.as_ref().map(|card| card.name.clone()))
            .unwrap_or_else(|| DEFAULT_NAME.to_owned());
        let mut extra_templates: Vec<(Kind, String)> = section
            .response_templates
            .into_iter()
            .flat_map(|(kind, texts)| texts.into_iter().map(move |text| (kind, text)))
            .collect();
        if let Some(card) = &card {
            let greetings = card.alternate_greetings.iter().filter(|text| !text.trim().is_empty());
            extra_templates.extend(greetings.map(|text| (Kind::Greeting, text.clone())));
        }
        Ok(Settings {
            name,
            traits: section.base_traits,
            baseline: section.baseline_mood,
            modifiers: section.mood_modifiers,
            extra_templates,
            card,
        })
    }

    /// Every template of `kind`: the built-in ones, then the operator's and the card's.
    pub fn templates(&self, kind: Kind) -> Vec<Template<'_>> {
        let builtin = BUILTIN.iter().filter(|template| template.kind == kind).copied();
        let extra = self
            .extra_templates
            .iter()
            .filter(|(of, _)| *of == kind)
            .map(|(_, text)| Template { kind, tone: Tone::Any, when: When::Any, text });
        builtin.chain(extra).collect()
    }
}

/// Rules the types cannot express; the error starts with the key below `personality.`.
fn check(section: &Section) -> Result<(), String> {
    if section.name.as_ref().is_some_and(|name| name.trim().is_empty()) {
        return Err("name: must not be empty".to_owned());
    }
    for (key, level) in section.base_traits.levels() {
        if !(0.0..=1.0).contains(&level) {
            return Err(format!("base_traits.{key}: expected 0.0 to 1.0, got {level}"));
        }
    }
    for (key, value) in section.baseline_mood.named() {
        if !(0.0..=100.0).contains(&value) {
            return Err(format!("baseline_mood.{key}: expected 0 to 100, got {value}"));
        }
    }
    let modifiers = &section.mood_modifiers;
    if !(0.0..=5.0).contains(&modifiers.happiness_bonus) {
        let got = modifiers.happiness_bonus;
        return Err(format!("mood_modifiers.happiness_bonus: expected 0.0 to 5.0, got {got}"));
    }
    if !(0.0..=100.0).contains(&modifiers.energy_threshold) {
        let got = modifiers.energy_threshold;
        return Err(format!("mood_modifiers.energy_threshold: expected 0 to 100, got {got}"));
    }
    if modifiers.long_absence_hours.is_nan() || modifiers.long_absence_hours <= 0.0 {
        let got = modifiers.long_absence_hours;
        return Err(format!("mood_modifiers.long_absence_hours: expected more than 0, got {got}"));
    }
    for (kind, texts) in &section.response_templates {
        let kind = serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned));
        let kind = kind.unwrap_or_default();
        for (index, text) in texts.iter().enumerate() {
            let key = format!("response_templates.{kind}[{index}]");
            if text.trim().is_empty() {
                return Err(format!("{key}: must not be empty"));
            }
            if let Some(slot) = templates::unknown_slot(text) {
                let known = templates::SLOT_NAMES.join("}, {");
                return Err(format!("{key}: unknown slot {{{slot}}}; the slots are {{{known}}}"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's `config/personality_config.yaml`, exactly as the seed writes it.
    const SEED: &str = include_str!("../../../../config/personality_config.yaml");

    #[test]
    fn the_seeds_config_is_accepted_as_written() {
        let settings = Settings::parse(Some(SEED), None).unwrap();
        assert_eq!(settings.traits.tsundere_level, 0.7);
        assert_eq!(settings.traits.dere_level, 0.3);
        assert!(settings.traits.anime_tropes);
        assert_eq!(settings.modifiers.affection_decay, PerHour::new(0.01));
        assert_eq!(settings.modifiers.energy_threshold, 30.0);
        let greetings = settings.templates(Kind::Greeting);
        assert!(greetings.iter().any(|t| t.text == "M-myaw! H-hello {user_name}..."));
        assert_eq!(greetings.len(), 14 + 3);
    }

    #[test]
    fn errors_name_the_bad_key_or_value() {
        let cases = [
            ("personality:\n  base_trait: {}\n", "base_trait"),
            (
                "personality:\n  base_traits:\n    tsundere_level: 1.7\n",
                "base_traits.tsundere_level: expected 0.0 to 1.0, got 1.7",
            ),
            (
                "personality:\n  mood_modifiers:\n    affection_decay: 0.01 per fortnight\n",
                "fortnight",
            ),
            ("personality:\n  response_templates:\n    greting: [hi]\n", "greting"),
            (
                "personality:\n  response_templates:\n    greeting: ['Hi {nickname}']\n",
                "response_templates.greeting[0]: unknown slot {nickname}",
            ),
            ("personality:\n  baseline_mood:\n    trust: 140\n", "baseline_mood.trust"),
            ("personality: [1, 2\n", "personality config"),
        ];
        for (yaml, expected) in cases {
            let error = Settings::parse(Some(yaml), None).unwrap_err();
            assert!(error.contains(expected), "{yaml:?} gave {error:?}");
        }
    }

    #[test]
    fn a_card_names_the_persona_and_adds_its_greetings() {
        let card = r#"{"spec": "chara_card_v2", "data": {"name": "Rin",
            "alternate_greetings": ["Back again, {{user}}?"]}}"#;
        let settings = Settings::parse(None, Some(card)).unwrap();
        assert_eq!(settings.name, "Rin");
        let greetings = settings.templates(Kind::Greeting);
        assert_eq!(greetings.last().unwrap().text, "Back again, {user_name}?");
        let named = Settings::parse(Some("personality:\n  name: Mei\n"), Some(card)).unwrap();
        assert_eq!(named.name, "Mei", "the operator's name wins over the card's");
        let error = Settings::parse(None, Some("{}")).unwrap_err();
        assert!(error.starts_with("character card: "), "{error}");
    }
}
