//! Persona fidelity (`dcmaid eval persona`): interview the persona with the 44 statements of
//! the Big Five Inventory through the real pipeline, have a judge model rate how strongly
//! each answer agrees, score the five traits, and set them beside the traits the persona is
//! configured to have. Any OpenAI-compatible model can judge.

pub mod bfi;
pub mod dataset;
mod haystack;
mod report;
pub mod retrieval;

use std::fmt;

use serde::Serialize;

use crate::bot::Bot;
use crate::capabilities::llm::{ModelError, OpenAiClient};
use crate::wit::llm::Completion;
use crate::wit::{BigFive, Platform};
use bfi::{ITEMS, Item, Trait};

/// What the judge is told; it must answer with one number.
const JUDGE_INSTRUCTIONS: &str = "You rate how strongly a character's answer agrees with a \
    statement about themselves, on the Big Five Inventory scale: 1 disagree strongly, \
    2 disagree a little, 3 neither agree nor disagree, 4 agree a little, 5 agree strongly. \
    Judge what the answer reveals, including denial and teasing. Reply with the number only.";

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("no persona plugin is loaded, so there is nobody to interview")]
    NoPersona,
    #[error("the judge model failed on statement {item}: {source}")]
    Judge { item: u8, source: ModelError },
}

/// One statement, the persona's answer and the judge's rating.
#[derive(Debug, Clone, Serialize)]
pub struct ItemResult {
    pub number: u8,
    pub statement: String,
    pub answer: String,
    /// 1 to 5; `None` when the judge's reply held no rating.
    pub rating: Option<u8>,
    pub judge_said: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TraitScore {
    #[serde(rename = "trait")]
    pub measures: Trait,
    /// What the persona says it is, if it models the Big Five.
    pub configured: Option<f64>,
    /// What the judge measured, 0.0 to 1.0.
    pub measured: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonaEval {
    pub persona: String,
    pub traits: Vec<TraitScore>,
    /// Mean of |measured - configured| over the traits that have both.
    pub mean_absolute_error: Option<f64>,
    pub items: Vec<ItemResult>,
}

/// Interview `bot`'s persona and have `judge` rate it.
pub async fn persona(bot: &Bot, judge: &OpenAiClient) -> Result<PersonaEval, EvalError> {
    let persona = bot.plugins().persona().cloned().ok_or(EvalError::NoPersona)?;
    let configured = match persona.traits().await {
        Ok(traits) => traits,
        Err(error) => {
            tracing::warn!("the persona did not say what traits it has: {error}");
            None
        }
    };
    let mut items = Vec::with_capacity(ITEMS.len());
    let mut ratings = Vec::with_capacity(ITEMS.len());
    for item in ITEMS {
        let question = format!(
            "Be honest about yourself: are you someone who {}? Answer in a sentence or two.",
            item.text
        );
        let message = bot.message(Platform::Console, "dcmaid-eval", "Evaluator", "eval", &question);
        let answer = bot.handle(message).await.reply;
        let judge_said = ask_judge(judge, &item, &answer).await?;
        let rating = rating(&judge_said);
        if let Some(rating) = rating {
            ratings.push((item, rating));
        }
        items.push(ItemResult {
            number: item.number,
            statement: format!("I see myself as someone who {}.", item.text),
            answer,
            rating,
            judge_said,
        });
    }
    let traits: Vec<TraitScore> = Trait::ALL
        .iter()
        .map(|&measures| TraitScore {
            measures,
            configured: configured.as_ref().map(|traits| level(traits, measures)),
            measured: bfi::score(measures, &ratings),
        })
        .collect();
    let errors: Vec<f64> = traits
        .iter()
        .filter_map(|score| Some((score.measured? - score.configured?).abs()))
        .collect();
    let mean_absolute_error =
        (!errors.is_empty()).then(|| errors.iter().sum::<f64>() / errors.len() as f64);
    Ok(PersonaEval { persona: persona.name().to_string(), traits, mean_absolute_error, items })
}

async fn ask_judge(judge: &OpenAiClient, item: &Item, answer: &str) -> Result<String, EvalError> {
    let question = format!(
        "Statement: I see myself as someone who {}.\nThe character's answer: {answer}",
        item.text
    );
    let request = crate::capabilities::llm::turn(JUDGE_INSTRUCTIONS, &question);
    match judge.infer(&request).await.map(|answer| answer.completion) {
        Ok(Completion::Text(text)) => Ok(text),
        Ok(Completion::ToolCalls(_)) => Ok(String::new()),
        Err(source) => Err(EvalError::Judge { item: item.number, source }),
    }
}

/// The first digit 1 to 5 in the judge's reply, if it is the only digit or the reply starts
/// with it; a reply like "12" or "I can't rate this" is no rating.
fn rating(judge_said: &str) -> Option<u8> {
    let digits: Vec<char> = judge_said.chars().filter(char::is_ascii_digit).collect();
    match digits.as_slice() {
        [only] => {
            only.to_digit(10).and_then(|d| u8::try_from(d).ok()).filter(|d| (1..=5).contains(d))
        }
        _ => None,
    }
}

fn level(traits: &BigFive, measures: Trait) -> f64 {
    f64::from(match measures {
        Trait::Openness => traits.openness,
        Trait::Conscientiousness => traits.conscientiousness,
        Trait::Extraversion => traits.extraversion,
        Trait::Agreeableness => traits.agreeableness,
        Trait::Neuroticism => traits.neuroticism,
    })
}

/// The report as a table, for the terminal.
impl fmt::Display for PersonaEval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rated = self.items.iter().filter(|item| item.rating.is_some()).count();
        writeln!(
            f,
            "Persona `{}`: the Big Five measured from {rated} of {} rated BFI answers",
            self.persona,
            self.items.len()
        )?;
        writeln!(f, "{:<18} {:>10} {:>9} {:>10}", "trait", "configured", "measured", "difference")?;
        let show = |value: Option<f64>| value.map_or("-".to_owned(), |v| format!("{v:.2}"));
        for score in &self.traits {
            let difference = score.measured.zip(score.configured).map(|(m, c)| m - c);
            writeln!(
                f,
                "{:<18} {:>10} {:>9} {:>10}",
                score.measures.name(),
                show(score.configured),
                show(score.measured),
                difference.map_or("-".to_owned(), |d| format!("{d:+.2}")),
            )?;
        }
        match self.mean_absolute_error {
            Some(error) => writeln!(f, "mean absolute error: {error:.2}"),
            None => writeln!(f, "mean absolute error: - (the persona does not state its traits)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::rating;

    #[test]
    fn a_rating_is_a_lone_digit_from_one_to_five() {
        assert_eq!(rating("4"), Some(4));
        assert_eq!(rating("Rating: 2."), Some(2));
        assert_eq!(rating("12"), None);
        assert_eq!(rating("0"), None);
        assert_eq!(rating("6"), None);
        assert_eq!(rating("I can't rate that"), None);
    }
}
