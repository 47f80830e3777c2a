//! The persona's character: the Big Five (OCEAN) traits and the tsundere/dere balance, all
//! under the seed's `base_traits`.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Traits {
    /// How often affection hides behind denial ("It's not like I...").
    pub tsundere_level: f64,
    /// How openly sweet the persona is.
    pub dere_level: f64,
    /// Anime verbal tics in finished replies (`~`).
    pub anime_tropes: bool,
    /// Curiosity, imagination: enjoys questions.
    pub openness: f64,
    /// Diligence, order: tires less from long conversations.
    pub conscientiousness: f64,
    /// Social energy: gains more from attention.
    pub extraversion: f64,
    /// Warmth, forgiveness: trust and affection grow faster.
    pub agreeableness: f64,
    /// Emotional volatility: slights hurt more.
    pub neuroticism: f64,
}

impl Default for Traits {
    /// The seed's tsundere (0.7) with little open dere (0.3): curious, fairly diligent,
    /// prickly (low agreeableness) and easily flustered (high neuroticism).
    fn default() -> Self {
        Traits {
            tsundere_level: 0.7,
            dere_level: 0.3,
            anime_tropes: true,
            openness: 0.6,
            conscientiousness: 0.7,
            extraversion: 0.5,
            agreeableness: 0.35,
            neuroticism: 0.65,
        }
    }
}

impl Traits {
    /// The Big Five with their names, in OCEAN order.
    pub fn ocean(&self) -> [(&'static str, f64); 5] {
        [
            ("openness", self.openness),
            ("conscientiousness", self.conscientiousness),
            ("extraversion", self.extraversion),
            ("agreeableness", self.agreeableness),
            ("neuroticism", self.neuroticism),
        ]
    }

    /// `openness 0.60, conscientiousness 0.70, ...`: the Big Five as people read them.
    pub fn ocean_text(&self) -> String {
        let named = self.ocean().map(|(name, level)| format!("{name} {level:.2}"));
        named.join(", ")
    }

    /// Every trait that must lie in `0.0..=1.0`, with its key in the config.
    pub fn levels(&self) -> impl Iterator<Item = (&'static str, f64)> {
        [("tsundere_level", self.tsundere_level), ("dere_level", self.dere_level)]
            .into_iter()
            .chain(self.ocean())
    }
}
