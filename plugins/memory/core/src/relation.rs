//! Relations between memories, and how strong they are. Two memories stored close in meaning
//! get related; the relation fades when nothing uses it and strengthens each time a recall
//! follows it, so what keeps coming up together stays linked and stray links wither away.
//!
//! A strength is stored with the time it was last updated and decayed lazily when read, so no
//! background job has to touch every relation.

/// How long a relation takes to lose half its strength when unused: 30 days, so a link used
/// once a month holds steady while one from a single chance meeting fades within a season.
pub const DEFAULT_HALF_LIFE_MS: u64 = 30 * 24 * 60 * 60 * 1000;

/// How far one reuse moves a relation's strength toward 1: a fifth of the way, so a few
/// reuses make a link strong but no single one makes it certain.
pub const DEFAULT_REINFORCE: f32 = 0.2;

/// Memories at least this similar (cosine of their embeddings) get related when one is
/// stored: clearly about the same thing, without linking everything loosely on topic.
pub const NEAR_THRESHOLD: f32 = 0.6;

/// Recall follows relations at least this strong; weaker ones are noise until reused.
pub const FOLLOW_THRESHOLD: f32 = 0.3;

/// `strength`, last updated at `updated_at_ms`, as it stands at `now_ms`: halved for every
/// `half_life_ms` that has passed. A time in the future counts as no time passed (clocks
/// disagree), a half-life of 0 means no decay, and the result is always within 0 to 1 (NaN
/// counts as 0).
pub fn decayed(strength: f32, updated_at_ms: u64, now_ms: u64, half_life_ms: u64) -> f32 {
    let strength = unit(strength);
    if half_life_ms == 0 {
        return strength;
    }
    let half_lives = now_ms.saturating_sub(updated_at_ms) as f64 / half_life_ms as f64;
    let factor = 0.5f64.powf(half_lives) as f32;
    unit(strength * factor)
}

/// A relation's strength after one more reuse: `by` of the way from `current_decayed` toward
/// 1 (`s + by * (1 - s)`). Pass the decayed strength, so a reuse after a long silence starts
/// from what is left. Both inputs and the result are kept within 0 to 1.
pub fn reinforced(current_decayed: f32, by: f32) -> f32 {
    let current = unit(current_decayed);
    unit(current + unit(by) * (1.0 - current))
}

/// The cosine similarity of two embeddings, -1 to 1. Vectors that cannot be compared (empty,
/// of different lengths, all zeros, or not finite) give 0, "unrelated", so a bad embedding
/// never relates everything.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let (mut dot, mut norm_a, mut norm_b) = (0.0f64, 0.0f64, 0.0f64);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x), f64::from(*y));
        dot += x * y;
        norm_a += x * x;
        norm_b += y * y;
    }
    let cosine = dot / (norm_a.sqrt() * norm_b.sqrt());
    if cosine.is_finite() { cosine.clamp(-1.0, 1.0) as f32 } else { 0.0 }
}

/// `value` within 0 to 1, NaN as 0.
fn unit(value: f32) -> f32 {
    if value.is_nan() { 0.0 } else { value.clamp(0.0, 1.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_MS: u64 = 24 * 60 * 60 * 1000;

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn strength_halves_every_half_life() {
        let half = 10 * DAY_MS;
        assert_eq!(decayed(0.8, 0, 0, half), 0.8);
        assert!(close(decayed(0.8, 0, half, half), 0.4));
        assert!(close(decayed(0.8, 0, 2 * half, half), 0.2));
        assert!(close(decayed(0.8, 5, 5 + half / 2, half), 0.8 * 0.5f32.sqrt()));
        assert!(close(decayed(1.0, 0, DEFAULT_HALF_LIFE_MS, DEFAULT_HALF_LIFE_MS), 0.5));
        assert_eq!(DEFAULT_HALF_LIFE_MS, 30 * DAY_MS);
    }

    #[test]
    fn a_future_update_or_zero_half_life_means_no_decay() {
        assert_eq!(decayed(0.7, 1_000, 10, DAY_MS), 0.7);
        assert_eq!(decayed(0.7, 0, u64::MAX, 0), 0.7);
    }

    #[test]
    fn decay_stays_within_zero_and_one_on_any_input() {
        assert_eq!(decayed(3.0, 0, 0, DAY_MS), 1.0);
        assert_eq!(decayed(-2.0, 0, 0, DAY_MS), 0.0);
        assert_eq!(decayed(f32::NAN, 0, 0, DAY_MS), 0.0);
        assert_eq!(decayed(f32::INFINITY, 0, DAY_MS, DAY_MS), 0.5);
        assert_eq!(decayed(1.0, 0, u64::MAX, 1), 0.0);
    }

    #[test]
    fn reuse_moves_strength_toward_one() {
        assert!(close(reinforced(0.0, DEFAULT_REINFORCE), 0.2));
        assert!(close(reinforced(0.5, 0.2), 0.6));
        assert_eq!(reinforced(1.0, 0.2), 1.0);
        assert_eq!(reinforced(0.3, 0.0), 0.3);
        let mut strength = 0.0;
        for _ in 0..50 {
            let next = reinforced(strength, DEFAULT_REINFORCE);
            assert!(next >= strength && next <= 1.0);
            strength = next;
        }
        assert!(strength > 0.99);
    }

    #[test]
    fn reinforcement_is_clamped() {
        assert_eq!(reinforced(0.5, 7.0), 1.0);
        assert_eq!(reinforced(0.5, -1.0), 0.5);
        assert_eq!(reinforced(f32::NAN, f32::NAN), 0.0);
        assert_eq!(reinforced(2.0, 0.1), 1.0);
    }

    #[test]
    fn cosine_of_known_vectors() {
        assert!(close(cosine(&[1.0, 0.0], &[1.0, 0.0]), 1.0));
        assert!(close(cosine(&[1.0, 0.0], &[0.0, 3.0]), 0.0));
        assert!(close(cosine(&[1.0, 2.0], &[-2.0, -4.0]), -1.0));
        assert!(close(cosine(&[1.0, 1.0], &[1.0, 0.0]), std::f32::consts::FRAC_1_SQRT_2));
        assert!(cosine(&[0.9, 0.1, 0.0], &[1.0, 0.0, 0.1]) > NEAR_THRESHOLD);
    }

    #[test]
    fn vectors_that_cannot_be_compared_are_unrelated() {
        assert_eq!(cosine(&[], &[]), 0.0);
        assert_eq!(cosine(&[1.0], &[1.0, 0.0]), 0.0);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
        assert_eq!(cosine(&[f32::NAN, 1.0], &[1.0, 1.0]), 0.0);
        assert_eq!(cosine(&[f32::INFINITY, 1.0], &[1.0, 1.0]), 0.0);
        assert!(close(cosine(&[f32::MAX, f32::MAX], &[f32::MAX, f32::MAX]), 1.0));
    }
}
