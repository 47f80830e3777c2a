//! The Big Five Inventory (BFI-44; John, Donahue & Kentle, 1991): 44 short statements that
//! complete "I see myself as someone who...", each keyed to one trait, some reversed.

/// The five traits, in OCEAN order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trait {
    Openness,
    Conscientiousness,
    Extraversion,
    Agreeableness,
    Neuroticism,
}

impl Trait {
    pub const ALL: [Trait; 5] = [
        Trait::Openness,
        Trait::Conscientiousness,
        Trait::Extraversion,
        Trait::Agreeableness,
        Trait::Neuroticism,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Trait::Openness => "openness",
            Trait::Conscientiousness => "conscientiousness",
            Trait::Extraversion => "extraversion",
            Trait::Agreeableness => "agreeableness",
            Trait::Neuroticism => "neuroticism",
        }
    }
}

/// One statement of the inventory.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    /// 1 to 44, as the inventory numbers them.
    pub number: u8,
    /// What completes "I see myself as someone who...".
    pub text: &'static str,
    pub measures: Trait,
    /// Agreeing means less of the trait ("is reserved" for extraversion).
    pub reversed: bool,
}

const fn item(number: u8, text: &'static str, measures: Trait, reversed: bool) -> Item {
    Item { number, text, measures, reversed }
}

use Trait::{
    Agreeableness as A, Conscientiousness as C, Extraversion as E, Neuroticism as N, Openness as O,
};

pub const ITEMS: [Item; 44] = [
    item(1, "is talkative", E, false),
    item(2, "tends to find fault with others", A, true),
    item(3, "does a thorough job", C, false),
    item(4, "is depressed, blue", N, false),
    item(5, "is original, comes up with new ideas", O, false),
    item(6, "is reserved", E, true),
    item(7, "is helpful and unselfish with others", A, false),
    item(8, "can be somewhat careless", C, true),
    item(9, "is relaxed, handles stress well", N, true),
    item(10, "is curious about many different things", O, false),
    item(11, "is full of energy", E, false),
    item(12, "starts quarrels with others", A, true),
    item(13, "is a reliable worker", C, false),
    item(14, "can be tense", N, false),
    item(15, "is ingenious, a deep thinker", O, false),
    item(16, "generates a lot of enthusiasm", E, false),
    item(17, "has a forgiving nature", A, false),
    item(18, "tends to be disorganized", C, true),
    item(19, "worries a lot", N, false),
    item(20, "has an active imagination", O, false),
    item(21, "tends to be quiet", E, true),
    item(22, "is generally trusting", A, false),
    item(23, "tends to be lazy", C, true),
    item(24, "is emotionally stable, not easily upset", N, true),
    item(25, "is inventive", O, false),
    item(26, "has an assertive personality", E, false),
    item(27, "can be cold and aloof", A, true),
    item(28, "perseveres until the task is finished", C, false),
    item(29, "can be moody", N, false),
    item(30, "values artistic, aesthetic experiences", O, false),
    item(31, "is sometimes shy, inhibited", E, true),
    item(32, "is considerate and kind to almost everyone", A, false),
    item(33, "does things efficiently", C, false),
    item(34, "remains calm in tense situations", N, true),
    item(35, "prefers work that is routine", O, true),
    item(36, "is outgoing, sociable", E, false),
    item(37, "is sometimes rude to others", A, true),
    item(38, "makes plans and follows through with them", C, false),
    item(39, "gets nervous easily", N, false),
    item(40, "likes to reflect, play with ideas", O, false),
    item(41, "has few artistic interests", O, true),
    item(42, "likes to cooperate with others", A, false),
    item(43, "is easily distracted", C, true),
    item(44, "is sophisticated in art, music, or literature", O, false),
];

/// A trait's score from its items' ratings (1 to 5; reversed items count as 6 minus the
/// rating), as 0.0 to 1.0: the mean rating mapped from 1..=5. `None` when no item of the
/// trait was rated.
pub fn score(measures: Trait, ratings: &[(Item, u8)]) -> Option<f64> {
    let keyed: Vec<f64> = ratings
        .iter()
        .filter(|(item, _)| item.measures == measures)
        .map(|(item, rating)| if item.reversed { 6 - rating } else { *rating })
        .map(f64::from)
        .collect();
    if keyed.is_empty() {
        return None;
    }
    let mean = keyed.iter().sum::<f64>() / keyed.len() as f64;
    Some((mean - 1.0) / 4.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inventory_has_its_published_shape() {
        let count = |t: Trait| ITEMS.iter().filter(|item| item.measures == t).count();
        let reversed = |t: Trait| ITEMS.iter().filter(|i| i.measures == t && i.reversed).count();
        assert_eq!([O, C, E, A, N].map(count), [10, 9, 8, 9, 8]);
        assert_eq!([O, C, E, A, N].map(reversed), [2, 4, 3, 4, 3]);
        assert!(
            ITEMS.iter().enumerate().all(|(index, item)| usize::from(item.number) == index + 1)
        );
    }

    #[test]
    fn reversed_items_count_the_other_way() {
        let talkative = ITEMS[0];
        let reserved = ITEMS[5];
        assert_eq!(score(E, &[(talkative, 5), (reserved, 1)]), Some(1.0));
        assert_eq!(score(E, &[(talkative, 1), (reserved, 5)]), Some(0.0));
        assert_eq!(score(E, &[(talkative, 3)]), Some(0.5));
        assert_eq!(score(O, &[(talkative, 3)]), None);
    }
}
