//! A persona imported from a Character Card V2 (`spec: chara_card_v2`), the format
//! SillyTavern and its kin share. Cards carry many more fields (creator notes, tags, a
//! lorebook, extensions); those are accepted and left alone.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct CardFile {
    spec: String,
    data: Option<Card>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Card {
    pub name: String,
    pub description: String,
    pub personality: String,
    pub scenario: String,
    /// The first thing the persona says to someone new.
    pub first_mes: String,
    /// Other first greetings; they join the greeting templates.
    pub alternate_greetings: Vec<String>,
    pub mes_example: String,
    pub system_prompt: String,
}

impl Card {
    /// Parse a card; the error names the field that is wrong.
    pub fn parse(json: &str) -> Result<Card, String> {
        let file: CardFile = serde_json::from_str(json).map_err(|e| e.to_string())?;
        if file.spec != "chara_card_v2" {
            return Err(format!("spec: expected `chara_card_v2`, got `{}`", file.spec));
        }
        let card = file.data.ok_or("data: missing; a V2 card keeps its fields under `data`")?;
        if card.name.trim().is_empty() {
            return Err("data.name: must not be empty".to_owned());
        }
        Ok(card.with_slots())
    }

    /// The card's `{{char}}` and `{{user}}` macros (and the older `<BOT>` and `<USER>`) as
    /// this plugin's `{bot_name}` and `{user_name}` slots.
    fn with_slots(mut self) -> Card {
        let convert = |text: &mut String| {
            *text = text
                .replace("{{char}}", "{bot_name}")
                .replace("{{Char}}", "{bot_name}")
                .replace("<BOT>", "{bot_name}")
                .replace("{{user}}", "{user_name}")
                .replace("{{User}}", "{user_name}")
                .replace("<USER>", "{user_name}");
        };
        for text in [
            &mut self.description,
            &mut self.personality,
            &mut self.scenario,
            &mut self.first_mes,
            &mut self.mes_example,
            &mut self.system_prompt,
        ] {
            convert(text);
        }
        self.alternate_greetings.iter_mut().for_each(convert);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v2_card_is_read_with_its_macros_as_slots() {
        let card = Card::parse(
            r#"{"spec": "chara_card_v2", "spec_version": "2.0", "data": {
                "name": "Rin", "description": "{{char}} keeps the shrine.",
                "first_mes": "Oh. It's you, {{user}}.", "alternate_greetings": ["<USER>! Late again."],
                "tags": ["shrine"], "extensions": {"depth": 4}}}"#,
        )
        .unwrap();
        assert_eq!(card.name, "Rin");
        assert_eq!(card.description, "{bot_name} keeps the shrine.");
        assert_eq!(card.first_mes, "Oh. It's you, {user_name}.");
        assert_eq!(card.alternate_greetings, ["{user_name}! Late again."]);
    }

    #[test]
    fn other_specs_and_nameless_cards_are_refused() {
        let v1 = Card::parse(r#"{"spec": "chara_card_v1", "data": {"name": "Rin"}}"#);
        assert!(v1.unwrap_err().contains("chara_card_v2"));
        let nameless = Card::parse(r#"{"spec": "chara_card_v2", "data": {"name": " "}}"#);
        assert!(nameless.unwrap_err().starts_with("data.name"));
        assert!(Card::parse("{").is_err());
    }
}
