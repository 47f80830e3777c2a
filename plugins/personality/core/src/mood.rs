//! The persona's mood toward one user: four values in `0..=100` that move with what the user
//! does (scaled by the persona's traits) and drift back toward a baseline as time passes.

use serde::{Deserialize, Serialize};

use crate::interaction::Kind;
use crate::settings::Modifiers;
use crate::traits::Traits;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mood {
    pub happiness: f64,
    pub energy: f64,
    pub affection: f64,
    pub trust: f64,
}

impl Default for Mood {
    /// The default baseline: content, rested, guarded, wary.
    fn default() -> Self {
        Mood { happiness: 60.0, energy: 70.0, affection: 30.0, trust: 40.0 }
    }
}

impl Mood {
    /// The four values with their names.
    pub fn named(&self) -> [(&'static str, f64); 4] {
        [
            ("happiness", self.happiness),
            ("energy", self.energy),
            ("affection", self.affection),
            ("trust", self.trust),
        ]
    }

    /// Drift toward `baseline` over `hours`: each value gives back its rate's fraction of the
    /// distance per hour (compounded), so `0.01 per hour` halves a grudge in 69 hours.
    pub fn decay(&mut self, hours: f64, baseline: &Mood, modifiers: &Modifiers) {
        if hours <= 0.0 {
            return;
        }
        let toward =
            |value: f64, base: f64, rate: f64| base + (value - base) * (1.0 - rate).powf(hours);
        self.happiness =
            toward(self.happiness, baseline.happiness, modifiers.happiness_decay.get());
        self.energy = toward(self.energy, baseline.energy, modifiers.energy_recovery.get());
        self.affection =
            toward(self.affection, baseline.affection, modifiers.affection_decay.get());
        self.trust = toward(self.trust, baseline.trust, modifiers.trust_decay.get());
    }

    /// React to an interaction: its base effect, scaled by the traits, then clamped.
    pub fn react(&mut self, kind: Kind, traits: &Traits, modifiers: &Modifiers) {
        let [happiness, energy, affection, trust] = base_effect(kind, traits);
        let t = traits;
        let warm = 0.5 + t.agreeableness;
        let touchy = 0.5 + t.neuroticism;
        let scaled = |delta: f64, up: f64| if delta >= 0.0 { delta * up } else { delta * touchy };
        let joy = (1.0 + modifiers.happiness_bonus) * (0.75 + 0.5 * t.extraversion);
        self.happiness = clamp(self.happiness + scaled(happiness, joy));
        // Talking costs the introvert and the careless more; attention lifts the extravert.
        let energy = if energy >= 0.0 {
            energy * (0.5 + t.extraversion)
        } else {
            energy * (1.5 - 0.5 * t.extraversion - 0.5 * t.conscientiousness)
        };
        self.energy = clamp(self.energy + energy);
        self.affection = clamp(self.affection + scaled(affection, warm));
        self.trust = clamp(self.trust + scaled(trust, warm));
    }

    /// Whether the persona is too tired for long answers.
    pub fn tired(&self, modifiers: &Modifiers) -> bool {
        self.energy < modifiers.energy_threshold
    }
}

/// `[happiness, energy, affection, trust]` changes before the traits scale them.
fn base_effect(kind: Kind, traits: &Traits) -> [f64; 4] {
    match kind {
        Kind::Greeting => [3.0, 1.0, 1.0, 1.0],
        Kind::Goodbye => [-1.0, 0.0, 1.0, 0.0],
        Kind::Thanks => [4.0, 0.0, 2.0, 3.0],
        Kind::Praise => [6.0, 2.0, 4.0, 2.0],
        Kind::Teasing => [-2.0, 1.0, 1.0, -1.0],
        Kind::Insult => [-10.0, -3.0, -6.0, -8.0],
        // The curious enjoy being asked.
        Kind::Question => [1.0 + 2.0 * traits.openness, -2.0, 0.0, 1.0],
        Kind::Apology => [2.0, 0.0, 1.0, 4.0],
        Kind::Affection => [5.0, 2.0, 6.0, 2.0],
        Kind::Return => [4.0, 2.0, -3.0, 0.0],
        Kind::Chat => [1.0, -1.0, 0.5, 0.5],
    }
}

fn clamp(value: f64) -> f64 {
    value.clamp(0.0, 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn praise_lifts_and_insults_hurt_more_when_neurotic() {
        let modifiers = Modifiers::default();
        let calm = Traits { neuroticism: 0.0, ..Traits::default() };
        let touchy = Traits { neuroticism: 1.0, ..Traits::default() };
        let (mut a, mut b) = (Mood::default(), Mood::default());
        a.react(Kind::Insult, &calm, &modifiers);
        b.react(Kind::Insult, &touchy, &modifiers);
        assert!(b.happiness < a.happiness && a.happiness < Mood::default().happiness);
        let mut praised = Mood::default();
        praised.react(Kind::Praise, &Traits::default(), &modifiers);
        assert!(praised.happiness > Mood::default().happiness);
        assert!(praised.affection > Mood::default().affection);
    }

    #[test]
    fn values_stay_within_bounds() {
        let modifiers = Modifiers::default();
        let mut mood = Mood::default();
        for _ in 0..100 {
            mood.react(Kind::Insult, &Traits::default(), &modifiers);
        }
        assert_eq!(mood.named().map(|(_, v)| v), [0.0, 0.0, 0.0, 0.0]);
        for _ in 0..100 {
            mood.react(Kind::Affection, &Traits::default(), &modifiers);
        }
        assert!(mood.named().iter().all(|(_, v)| (0.0..=100.0).contains(v)));
        assert_eq!(mood.affection, 100.0);
    }

    #[test]
    fn decay_follows_the_configured_rate() {
        let modifiers = Modifiers::default();
        let baseline = Mood::default();
        let mut mood = Mood { affection: 90.0, ..baseline };
        // 0.01 per hour for ln 2 / -ln 0.99 = 68.97 hours halves the distance to the
        // baseline (30).
        mood.decay(68.97, &baseline, &modifiers);
        assert!((mood.affection - 60.0).abs() < 0.1, "{}", mood.affection);
        mood.decay(24.0 * 365.0, &baseline, &modifiers);
        assert!((mood.affection - 30.0).abs() < 0.01);
    }
}
