//! The public behaviour of `Index`: both query kinds kept right through upserts, replacements
//! and removals, with filters, limits and ties.

use dcmaid_index::Index;

fn keys(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn ids(results: &[(String, f32)]) -> Vec<&str> {
    results.iter().map(|(id, _)| id.as_str()).collect()
}

const ALICE: &[(&str, &str)] = &[("user", "alice")];
const BOB: &[(&str, &str)] = &[("user", "bob")];

/// Three of Alice's documents and one of Bob's, with 2-dimensional vectors and text.
fn sample() -> Index {
    let mut index = Index::new(Some(2));
    index.upsert("a1", &keys(ALICE), Some(&[1.0, 0.0]), Some("The dogs are running home"));
    index.upsert("a2", &keys(ALICE), Some(&[0.0, 1.0]), Some("A cat sleeps"));
    index.upsert("a3", &keys(ALICE), Some(&[1.0, 1.0]), Some("Dogs and cats"));
    index.upsert("b1", &keys(BOB), Some(&[2.0, 0.1]), Some("dog"));
    index
}

#[test]
fn nearest_is_exact_on_small_cases() {
    let index = sample();
    let found = index.nearest(&[1.0, 0.0], &[], 10);
    assert_eq!(ids(&found), ["a1", "b1", "a3", "a2"]);
    assert!((found[0].1 - 1.0).abs() < 1e-6);
    let b1 = 2.0 / (4.0f32 + 0.01).sqrt();
    assert!((found[1].1 - b1).abs() < 1e-6);
    assert!((found[2].1 - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
    assert!(found[3].1.abs() < 1e-6);
    // The query's length does not matter: scores are cosines.
    assert_eq!(index.nearest(&[7.0, 0.0], &[], 10), found);
    assert_eq!(index.nearest_exact(&[1.0, 0.0], &[], 10), found);
}

#[test]
fn nearest_respects_filters_and_limits() {
    let index = sample();
    assert_eq!(ids(&index.nearest(&[1.0, 0.0], &keys(ALICE), 2)), ["a1", "a3"]);
    assert_eq!(ids(&index.nearest(&[1.0, 0.0], &keys(BOB), 10)), ["b1"]);
    assert!(index.nearest(&[1.0, 0.0], &keys(&[("user", "carol")]), 10).is_empty());
    assert!(index.nearest(&[1.0, 0.0], &keys(&[("colour", "red")]), 10).is_empty());
    assert!(index.nearest(&[1.0, 0.0], &[], 0).is_empty());
    assert!(
        index.nearest(&[1.0, 0.0], &keys(&[("user", "alice"), ("user", "bob")]), 10).is_empty()
    );
}

#[test]
fn filters_are_conjunctions() {
    let mut index = Index::new(Some(2));
    index.upsert("x", &keys(&[("user", "a"), ("topic", "t")]), Some(&[1.0, 0.0]), Some("word"));
    index.upsert("y", &keys(&[("user", "a"), ("topic", "u")]), Some(&[1.0, 0.0]), Some("word"));
    index.upsert("z", &keys(&[("user", "b"), ("topic", "t")]), Some(&[1.0, 0.0]), Some("word"));
    let both = keys(&[("user", "a"), ("topic", "t")]);
    assert_eq!(ids(&index.nearest(&[1.0, 0.0], &both, 10)), ["x"]);
    assert_eq!(ids(&index.search("word", &both, 10)), ["x"]);
    assert_eq!(ids(&index.search("word", &keys(&[("topic", "t")]), 10)), ["x", "z"]);
}

#[test]
fn search_ranks_and_filters() {
    let index = sample();
    // "dogs" and "running" both stem; "the" matches only a1; b1 is Bob's.
    let found = index.search("running dogs", &keys(ALICE), 10);
    assert_eq!(ids(&found), ["a1", "a3"]);
    assert!(found[0].1 > found[1].1);
    assert_eq!(ids(&index.search("DOG", &keys(BOB), 10)), ["b1"]);
    assert!(index.search("sleeping", &keys(BOB), 10).is_empty());
    assert!(index.search("dog", &keys(&[("user", "carol")]), 10).is_empty());
}

#[test]
fn search_edge_cases() {
    let index = sample();
    assert!(index.search("", &[], 10).is_empty());
    assert!(index.search("?! ...", &[], 10).is_empty());
    assert!(index.search("zebra", &[], 10).is_empty());
    assert!(index.search("dog", &[], 0).is_empty());
    // A repeated query term counts once.
    assert_eq!(index.search("dog dog dog", &[], 10), index.search("dog", &[], 10));
}

#[test]
fn rarer_terms_rank_higher() {
    let mut index = Index::new(None);
    index.upsert("common", &[], None, Some("apple filler"));
    index.upsert("rare", &[], None, Some("zucchini filler"));
    for n in 0..10 {
        index.upsert(&format!("other{n}"), &[], None, Some("apple other"));
    }
    assert_eq!(ids(&index.search("apple zucchini", &[], 2)), ["rare", "common"]);
}

#[test]
fn term_frequency_saturates() {
    let mut index = Index::new(None);
    let repeated = |n: usize| vec!["apple"; n].join(" ");
    // Equal lengths, so only the term frequency differs.
    for n in [1, 2, 4, 8] {
        let text = format!("{} {}", repeated(n), vec!["pad"; 8 - n].join(" "));
        index.upsert(&format!("tf{n}"), &[], None, Some(&text));
    }
    let found = index.search("apple", &[], 10);
    assert_eq!(ids(&found), ["tf8", "tf4", "tf2", "tf1"]);
    let score = |id: &str| found.iter().find(|(i, _)| i == id).map(|(_, s)| *s).expect("found");
    let (one, two, four, eight) = (score("tf1"), score("tf2"), score("tf4"), score("tf8"));
    assert!(two - one > four - two && four - two > eight - four, "{found:?}");
    // Bounded by idf × (k1 + 1), however often the term repeats.
    assert!(eight < one * 2.2);
}

#[test]
fn shorter_documents_rank_higher() {
    let mut index = Index::new(None);
    index.upsert("short", &[], None, Some("apple pie"));
    index.upsert("long", &[], None, Some("apple and a long tail of many other words here"));
    assert_eq!(ids(&index.search("apple", &[], 10)), ["short", "long"]);
}

#[test]
fn ties_break_by_id() {
    let mut index = Index::new(Some(2));
    for id in ["d", "b", "c", "a"] {
        index.upsert(id, &[], Some(&[1.0, 1.0]), Some("same text"));
    }
    assert_eq!(ids(&index.nearest(&[1.0, 1.0], &[], 3)), ["a", "b", "c"]);
    assert_eq!(ids(&index.search("same", &[], 3)), ["a", "b", "c"]);
}

#[test]
fn replacing_forgets_the_old_version() {
    let mut index = sample();
    index.upsert("a1", &keys(BOB), Some(&[0.0, -1.0]), Some("entirely new words"));
    assert_eq!(index.len(), 4);
    // Old text and keys gone, new ones found.
    assert!(index.search("running", &[], 10).is_empty());
    assert_eq!(ids(&index.search("dogs", &[], 10)), ["b1", "a3"]);
    assert_eq!(ids(&index.search("entirely", &keys(BOB), 10)), ["a1"]);
    assert!(index.search("entirely", &keys(ALICE), 10).is_empty());
    // Old vector gone: a1 is now the farthest from (1, 0), and nearest to (0, -1).
    assert_eq!(ids(&index.nearest(&[1.0, 0.1], &[], 10)).last(), Some(&"a1"));
    assert_eq!(ids(&index.nearest(&[0.0, -1.0], &keys(BOB), 1)), ["a1"]);
    assert_eq!(ids(&index.nearest(&[1.0, 0.0], &keys(ALICE), 10)), ["a3", "a2"]);
    // Dropping the vector and the text.
    index.upsert("a1", &keys(BOB), None, None);
    assert_eq!(ids(&index.nearest(&[0.0, -1.0], &[], 10)), ["b1", "a3", "a2"]);
    assert!(index.search("entirely", &[], 10).is_empty());
}

#[test]
fn removed_documents_never_come_back() {
    let mut index = sample();
    assert!(index.remove("a1"));
    assert!(!index.remove("a1"));
    assert!(!index.remove("nobody"));
    assert_eq!(index.len(), 3);
    assert!(!index.contains("a1"));
    assert!(index.search("running", &[], 10).is_empty());
    assert!(!ids(&index.nearest(&[1.0, 0.0], &[], 10)).contains(&"a1"));
    // A new document may reuse the removed one's internal number without inheriting anything.
    index.upsert("n1", &[], None, None);
    assert!(index.search("running", &[], 10).is_empty());
    assert!(index.nearest(&[1.0, 0.0], &[], 10).iter().all(|(id, _)| id != "n1"));
    assert!(index.nearest(&[1.0, 0.0], &keys(ALICE), 10).iter().all(|(id, _)| id != "n1"));
    for id in ["a2", "a3", "b1", "n1"] {
        assert!(index.remove(id));
    }
    assert!(index.is_empty());
    assert!(index.nearest(&[1.0, 0.0], &[], 10).is_empty());
    assert!(index.search("dog cat", &[], 10).is_empty());
}

/// Many writes in a shuffled order, checked against a brute-force model after each phase.
#[test]
fn churn_matches_a_brute_force_model() {
    let mut index = Index::new(Some(3));
    let mut model: std::collections::BTreeMap<String, ([f32; 3], String, String)> =
        Default::default();
    let words = ["red", "green", "blue", "cyan", "magenta", "yellow"];
    let mut state = 12345u64;
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) as u32
    };
    for round in 0..2_000 {
        let id = format!("d{}", next() % 300);
        if next() % 4 == 0 {
            assert_eq!(index.remove(&id), model.remove(&id).is_some());
            continue;
        }
        let vector = [next() as f32 % 7.0 - 3.0, next() as f32 % 5.0 - 2.0, 1.0];
        let text = format!("{} {}", words[next() as usize % 6], words[next() as usize % 6]);
        let user = format!("u{}", next() % 3);
        index.upsert(&id, &keys(&[("user", &user)]), Some(&vector), Some(&text));
        model.insert(id, (vector, text, user));
        if round % 250 == 0 || round == 1_999 {
            assert_eq!(index.len(), model.len());
            let filter = keys(&[("user", "u1")]);
            let query = [1.0, 0.5, 0.25];
            let found = index.nearest(&query, &filter, 1_000);
            let norm = |v: &[f32; 3]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
            let mut expected: Vec<(String, f32)> = model
                .iter()
                .filter(|(_, (_, _, user))| user == "u1")
                .map(|(id, (v, _, _))| {
                    let dot: f32 = v.iter().zip(&query).map(|(a, b)| a * b).sum();
                    (id.clone(), dot / norm(v) / norm(&query))
                })
                .collect();
            expected.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            assert_eq!(found.len(), expected.len());
            for ((got_id, got), (want_id, want)) in found.iter().zip(&expected) {
                assert!((got - want).abs() < 1e-5, "{got_id} {got} vs {want_id} {want}");
            }
            let with_cyan: Vec<&str> = model
                .iter()
                .filter(|(_, (_, text, user))| user == "u1" && text.contains("cyan"))
                .map(|(id, _)| id.as_str())
                .collect();
            let mut found: Vec<String> =
                index.search("cyan", &filter, 1_000).into_iter().map(|(id, _)| id).collect();
            found.sort();
            assert_eq!(found, with_cyan);
        }
    }
}

#[test]
fn collections_without_vectors_or_text() {
    let mut index = Index::new(None);
    index.upsert("a", &keys(ALICE), None, None);
    assert_eq!(index.dimensions(), None);
    assert!(index.nearest(&[1.0], &[], 10).is_empty());
    assert!(index.search("a", &[], 10).is_empty());
    assert_eq!(index.len(), 1);
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "dimensions")]
fn a_wrong_dimension_is_a_bug_in_debug() {
    let mut index = Index::new(Some(3));
    index.upsert("a", &[], Some(&[1.0, 2.0]), None);
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "NaN")]
fn nan_is_a_bug_in_debug() {
    let mut index = Index::new(Some(2));
    index.upsert("a", &[], Some(&[1.0, f32::NAN]), None);
}

/// Enough documents for the two-pass (int8, then exact) search to engage, after removals have
/// moved vectors between slots: it must agree with the exact scan.
#[test]
fn two_pass_search_agrees_with_exact() {
    let mut index = Index::new(Some(16));
    let mut state = 99u64;
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    };
    for n in 0..4_000 {
        let vector: Vec<f32> = (0..16).map(|_| next()).collect();
        let user = if n % 3 == 0 { "bob" } else { "alice" };
        index.upsert(&format!("d{n}"), &keys(&[("user", user)]), Some(&vector), None);
    }
    for n in (0..4_000).step_by(7) {
        assert!(index.remove(&format!("d{n}")));
    }
    for _ in 0..20 {
        let query: Vec<f32> = (0..16).map(|_| next()).collect();
        for filter in [vec![], keys(ALICE)] {
            let fast = index.nearest(&query, &filter, 10);
            let exact = index.nearest_exact(&query, &filter, 10);
            assert_eq!(ids(&fast), ids(&exact));
            assert_eq!(fast.len(), 10);
        }
    }
}
