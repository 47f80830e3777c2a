//! The memory plugin's settings: one JSON object in which every key is optional, so an
//! operator sets only what they want to change. Keys this crate does not know are left for
//! the rest of the plugin and ignored here; a known key with a wrong type or a value out of
//! range is an error naming the key and the value, so a typo in a number never silently
//! becomes a default.

use serde_json::{Map, Value};

use crate::chunk::{MAX_TOKENS, OVERLAP_TOKENS};
use crate::expand::{DEFAULT_BLEND, Expansion};
use crate::fusion::{Fusion, Rule};
use crate::relation::{DEFAULT_HALF_LIFE_MS, FOLLOW_THRESHOLD};

/// How many memories a recall returns by default: enough context for a reply without
/// crowding the prompt.
pub const DEFAULT_RECALL_LIMIT: u32 = 5;
/// With bge-small-en-v1.5 (the host's default model), "what's my pup's name?" is 0.67 from
/// "My beagle is called Biscuit", 0.58 from "hello" and 0.39 from "I grew up in Tromsø": a
/// paraphrased answer is above, small talk and other topics below. (all-MiniLM-L6-v2's
/// scores are lower all over: 0.50, 0.22 and 0.04; with it, 0.3.)
pub const DEFAULT_RECALL_FLOOR: f32 = 0.6;

/// The most memories a recall may return; more would crowd out the conversation itself.
pub const MAX_RECALL_LIMIT: u32 = 100;

const DAY_MS: f64 = 24.0 * 60.0 * 60.0 * 1000.0;

/// The memory plugin, as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// How vector and keyword hits are merged (`fusion`, `rrf_k`, `vector_weight`,
    /// `keyword_weight`).
    pub fusion: Fusion,
    /// Whether memories that name an identifier the query names (an order number, a version,
    /// a code) come first (`identifiers`); part of the keyword search, so only while its
    /// weight is above 0 (see [`Settings::promotes_identifiers`]).
    pub identifiers: bool,
    /// Whether memories told in the period a query names ("last week", "in May") are lifted
    /// (`dates`; see [`crate::when`]).
    pub dates: bool,
    /// Whether memories get related when stored and recall follows relations (`relations`).
    pub relations: bool,
    /// The share of a hit's score a related memory gets (`relation_blend`, 0 to 1).
    pub blend: f32,
    /// How fast unused relations fade (`relation_half_life_days`; 0 for never).
    pub half_life_ms: u64,
    /// How many memories a recall returns (`recall_limit`).
    pub recall_limit: u32,
    /// The cosine similarity to the question below which `/recall` does not list a memory
    /// that no keyword of the question matched either (`recall_floor`, 0 to 1).
    pub recall_floor: f32,
    /// The size of a stored chunk in estimated tokens (`chunk_tokens`).
    pub chunk_tokens: usize,
    /// The overlap between chunks (`chunk_overlap`, at most half of `chunk_tokens`).
    pub chunk_overlap: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            fusion: Fusion::default(),
            identifiers: true,
            dates: true,
            // Off: following relations lowered recall@5 on LoCoMo (0.642 to 0.621), and on
            // the in-repo sets a little or not at all (BENCHMARKS.md, issue 29).
            relations: false,
            blend: DEFAULT_BLEND,
            half_life_ms: DEFAULT_HALF_LIFE_MS,
            recall_limit: DEFAULT_RECALL_LIMIT,
            recall_floor: DEFAULT_RECALL_FLOOR,
            chunk_tokens: MAX_TOKENS,
            chunk_overlap: OVERLAP_TOKENS,
        }
    }
}

impl Settings {
    /// The settings from the plugin's JSON object. Blank text or `null` gives the defaults,
    /// and so does a key whose value is `null`.
    pub fn from_json(all: &str) -> Result<Settings, String> {
        if all.trim().is_empty() {
            return Ok(Settings::default());
        }
        let map = match serde_json::from_str::<Value>(all) {
            Ok(Value::Object(map)) => map,
            Ok(Value::Null) => return Ok(Settings::default()),
            Ok(other) => return Err(format!("settings: expected a JSON object, got {other}")),
            Err(error) => return Err(format!("settings: {error}")),
        };
        let mut settings = Settings::default();
        let fusion = &mut settings.fusion;
        let rule = read(&map, "fusion", r#""z-score" or "rrf""#, |value| {
            value.as_str().and_then(Rule::named)
        })?;
        set(&mut fusion.rule, rule);
        let positive = |n: f32| n.is_finite() && n > 0.0;
        let non_negative = |n: f32| n.is_finite() && n >= 0.0;
        set(&mut fusion.k, read(&map, "rrf_k", "a number above 0", number(positive))?);
        let weight = "a number of 0 or more";
        set(&mut fusion.vector_weight, read(&map, "vector_weight", weight, number(non_negative))?);
        set(
            &mut fusion.keyword_weight,
            read(&map, "keyword_weight", weight, number(non_negative))?,
        );
        // Each field passed its own check, so what is left is both weights 0, and the error
        // names them as the keys do.
        fusion.validate()?;
        set(&mut settings.identifiers, read(&map, "identifiers", "true or false", Value::as_bool)?);
        set(&mut settings.dates, read(&map, "dates", "true or false", Value::as_bool)?);
        set(&mut settings.relations, read(&map, "relations", "true or false", Value::as_bool)?);
        let blend = number(|n| (0.0..=1.0).contains(&n));
        set(&mut settings.blend, read(&map, "relation_blend", "a number from 0 to 1", blend)?);
        let days = read(&map, "relation_half_life_days", "a number of days, 0 or more", |value| {
            value.as_f64().filter(|days| days.is_finite() && *days >= 0.0)
        })?;
        // A float-to-integer `as` saturates, so an absurd number of days cannot overflow.
        set(&mut settings.half_life_ms, days.map(|days| (days * DAY_MS).round() as u64));
        let limit = format!("a whole number from 1 to {MAX_RECALL_LIMIT}");
        let recall_limit = read(&map, "recall_limit", &limit, |value| {
            let limit = value.as_u64().and_then(|n| u32::try_from(n).ok())?;
            (1..=MAX_RECALL_LIMIT).contains(&limit).then_some(limit)
        })?;
        set(&mut settings.recall_limit, recall_limit);
        let unit = number(|n| (0.0..=1.0).contains(&n));
        set(&mut settings.recall_floor, read(&map, "recall_floor", "a number from 0 to 1", unit)?);
        let tokens = read(&map, "chunk_tokens", "a whole number of 1 or more", |value| {
            whole(value).filter(|tokens| *tokens >= 1)
        })?;
        set(&mut settings.chunk_tokens, tokens);
        let half = settings.chunk_tokens / 2;
        let overlap = format!("a whole number from 0 to half of chunk_tokens ({half})");
        let overlap = read(&map, "chunk_overlap", &overlap, |value| {
            whole(value).filter(|overlap| *overlap <= half)
        })?;
        set(&mut settings.chunk_overlap, overlap);
        if settings.chunk_overlap > half {
            // The default overlap, with a small `chunk_tokens` and no `chunk_overlap`.
            settings.chunk_overlap = half;
        }
        Ok(settings)
    }

    /// Whether recall puts memories naming the query's identifiers first: matching words
    /// exactly is keyword evidence, so a vector search alone does not.
    pub fn promotes_identifiers(&self) -> bool {
        self.identifiers && self.fusion.keyword_weight > 0.0
    }

    /// How recall blends relations into its ranking, or `None` when relations are off.
    pub fn expansion(&self) -> Option<Expansion> {
        self.relations.then(|| Expansion {
            blend: self.blend,
            threshold: FOLLOW_THRESHOLD,
            limit: usize::try_from(self.recall_limit).unwrap_or(usize::MAX),
        })
    }
}

/// The value of `key` through `parse`: `None` when absent or `null`, an error naming the key,
/// what was `expected` and the value when `parse` rejects it.
fn read<T>(
    map: &Map<String, Value>,
    key: &str,
    expected: &str,
    parse: impl Fn(&Value) -> Option<T>,
) -> Result<Option<T>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => {
            parse(value).map(Some).ok_or_else(|| format!("{key}: expected {expected}, got {value}"))
        }
    }
}

/// A parser for an `f32` that `valid` accepts; checked after the conversion from JSON's
/// `f64`, so a number too large for an `f32` is rejected rather than taken as infinite.
fn number(valid: impl Fn(f32) -> bool) -> impl Fn(&Value) -> Option<f32> {
    move |value| value.as_f64().map(|n| n as f32).filter(|n| valid(*n))
}

fn whole(value: &Value) -> Option<usize> {
    value.as_u64().and_then(|n| usize::try_from(n).ok())
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *field = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_settings_give_the_defaults() {
        let defaults = Settings::default();
        for text in ["", "  \n", "null", "{}", r#"{"other_plugin_key": [1, 2]}"#] {
            assert_eq!(Settings::from_json(text), Ok(defaults.clone()), "{text:?}");
        }
        assert_eq!(defaults.fusion, Fusion::default());
        assert!(!defaults.relations && defaults.dates);
        assert!(defaults.identifiers && defaults.promotes_identifiers());
        assert_eq!(defaults.recall_limit, 5);
        assert_eq!((defaults.chunk_tokens, defaults.chunk_overlap), (500, 50));
    }

    #[test]
    fn every_key_is_read() {
        let json = r#"{
            "fusion": "rrf", "rrf_k": 30, "vector_weight": 2.5, "keyword_weight": 0,
            "identifiers": false, "dates": false, "relations": false, "relation_blend": 0.25, "relation_half_life_days": 1.5,
            "recall_limit": 8, "recall_floor": 0.3, "chunk_tokens": 200, "chunk_overlap": 100,
            "embedding_model": "whatever"
        }"#;
        let settings = Settings::from_json(json).unwrap();
        let fusion =
            Fusion { rule: Rule::ReciprocalRank, k: 30.0, vector_weight: 2.5, keyword_weight: 0.0 };
        let expected = Settings {
            fusion,
            identifiers: false,
            dates: false,
            relations: false,
            blend: 0.25,
            half_life_ms: 36 * 60 * 60 * 1000,
            recall_limit: 8,
            recall_floor: 0.3,
            chunk_tokens: 200,
            chunk_overlap: 100,
        };
        assert_eq!(settings, expected);
        assert_eq!(settings.expansion(), None);
    }

    #[test]
    fn identifiers_are_promoted_only_with_the_keyword_search() {
        let vector_only = Settings::from_json(r#"{"keyword_weight": 0}"#).unwrap();
        assert!(vector_only.identifiers && !vector_only.promotes_identifiers());
        let off = Settings::from_json(r#"{"identifiers": false}"#).unwrap();
        assert!(!off.promotes_identifiers());
    }

    #[test]
    fn a_null_key_keeps_its_default() {
        let settings = Settings::from_json(r#"{"rrf_k": null, "relations": null}"#).unwrap();
        assert_eq!(settings, Settings::default());
    }

    #[test]
    fn a_half_life_of_zero_days_turns_decay_off() {
        let settings = Settings::from_json(r#"{"relation_half_life_days": 0}"#).unwrap();
        assert_eq!(settings.half_life_ms, 0);
        let huge = Settings::from_json(r#"{"relation_half_life_days": 1e300}"#).unwrap();
        assert_eq!(huge.half_life_ms, u64::MAX);
    }

    #[test]
    fn a_small_chunk_size_shrinks_the_default_overlap() {
        let settings = Settings::from_json(r#"{"chunk_tokens": 40}"#).unwrap();
        assert_eq!((settings.chunk_tokens, settings.chunk_overlap), (40, 20));
    }

    #[test]
    fn errors_name_the_key_and_the_value() {
        let cases = [
            (r#"{"fusion": "sum"}"#, r#"fusion: expected "z-score" or "rrf", got "sum""#),
            (r#"{"rrf_k": "60"}"#, r#"rrf_k: expected a number above 0, got "60""#),
            (r#"{"rrf_k": 0}"#, "rrf_k: expected a number above 0, got 0"),
            (r#"{"rrf_k": 1e300}"#, "rrf_k: expected a number above 0, got 1e+300"),
            (r#"{"vector_weight": -1}"#, "vector_weight: expected a number of 0 or more, got -1"),
            (r#"{"keyword_weight": true}"#, "keyword_weight: expected a number"),
            (r#"{"vector_weight": 0, "keyword_weight": 0}"#, "must not both be 0"),
            (r#"{"relations": "yes"}"#, r#"relations: expected true or false, got "yes""#),
            (r#"{"identifiers": 1}"#, "identifiers: expected true or false, got 1"),
            (r#"{"dates": "on"}"#, r#"dates: expected true or false, got "on""#),
            (
                r#"{"relation_blend": 1.5}"#,
                "relation_blend: expected a number from 0 to 1, got 1.5",
            ),
            (r#"{"relation_half_life_days": -3}"#, "relation_half_life_days: expected"),
            (
                r#"{"recall_limit": 0}"#,
                "recall_limit: expected a whole number from 1 to 100, got 0",
            ),
            (r#"{"recall_limit": 2.5}"#, "recall_limit: expected a whole number"),
            (r#"{"recall_limit": 101}"#, "got 101"),
            (r#"{"chunk_tokens": 0}"#, "chunk_tokens: expected a whole number of 1 or more, got 0"),
            (r#"{"chunk_tokens": -5}"#, "chunk_tokens: expected a whole number"),
            (
                r#"{"chunk_tokens": 100, "chunk_overlap": 51}"#,
                "chunk_overlap: expected a whole number from 0 to half of chunk_tokens (50), got 51",
            ),
            (r#"[1, 2]"#, "settings: expected a JSON object, got [1,2]"),
            (r#"{"rrf_k": 60,"#, "settings: "),
        ];
        for (json, expected) in cases {
            let error = Settings::from_json(json).unwrap_err();
            assert!(error.contains(expected), "{json} gave {error:?}");
        }
    }

    #[test]
    fn the_expansion_follows_the_settings() {
        let json = r#"{"relations": true, "relation_blend": 0.3, "recall_limit": 7}"#;
        let expected = Expansion { blend: 0.3, threshold: FOLLOW_THRESHOLD, limit: 7 };
        assert_eq!(Settings::from_json(json).unwrap().expansion(), Some(expected));
        // Relations are off unless asked for.
        let off = Settings::from_json(r#"{"relation_blend": 0.3}"#).unwrap();
        assert_eq!(off.expansion(), None);
    }
}
