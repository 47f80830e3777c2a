//! The in-memory index against the database: it answers as SurrealDB does, follows every
//! write, misses nothing when built from many documents, and holds the relations too.

use serde_json::json;

use super::super::shared::StoreShared;
use super::tests::{documents, fields, ids, memory, spec};
use super::*;
use crate::core::{Clock, ManualClock, PluginName};
use crate::storage::Storage;

async fn until_indexed(store: &Documents, name: &str) {
    for _ in 0..200 {
        if store.is_indexed(name).await.unwrap() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("collection `{name}` was never indexed");
}

#[tokio::test]
async fn the_in_memory_index_answers_as_the_database_does_and_follows_every_write() {
    let storage = Storage::open("mem://").await.unwrap();
    let plugin = PluginName::new("memory").unwrap();
    let shared = StoreShared::new(storage.clone(), Clock::system());
    // Written before any index exists: the index is built from the database.
    let unindexed =
        shared.documents_unindexed(plugin.as_str(), super::tests::budget(&plugin)).await.unwrap();
    unindexed.define(spec("notes")).await.unwrap();
    let texts = [
        ("ann", "My dog is called Biscuit", [1.0, 0.0, 0.0]),
        ("ann", "I grew up in Tromsø, far north", [0.0, 1.0, 0.0]),
        ("ann", "Dogs and cats are both fine pets", [0.7, 0.1, 0.7]),
        ("bob", "Bob's dog is Rex", [1.0, 0.1, 0.0]),
    ];
    let mut written = Vec::new();
    for (user, text, vector) in texts {
        let id =
            unindexed.insert("notes", memory(user, text), Some(vector.to_vec())).await.unwrap();
        written.push(id);
    }
    let store = documents(&shared, "memory").await;
    store.get("notes", &written[0]).await.unwrap();
    until_indexed(&store, "notes").await;

    let ann: Filter = vec![("user".to_owned(), json!("ann"))];
    for (vector, query) in
        [([0.9, 0.0, 0.1], "dog"), ([0.0, 1.0, 0.0], "tromso north"), ([0.5, 0.5, 0.5], "pets")]
    {
        let from_index = store.nearest("notes", vector.to_vec(), &ann, 3).await.unwrap();
        let from_db = unindexed.nearest("notes", vector.to_vec(), &ann, 3).await.unwrap();
        assert_eq!(ids(&from_index), ids(&from_db), "nearest {vector:?}");
        for (a, b) in from_index.iter().zip(&from_db) {
            assert!((a.score - b.score).abs() < 1e-4, "{a:?} {b:?}");
            assert_eq!(a.fields, b.fields);
        }
        let from_index = store.search("notes", query, &ann, 3).await.unwrap();
        let from_db = unindexed.search("notes", query, &ann, 3).await.unwrap();
        let mut a = ids(&from_index);
        let mut b = ids(&from_db);
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b, "search {query}");
    }

    // Writes through the indexed store reach the index at once.
    let cat = store
        .insert("notes", memory("ann", "My cat is called Tofu"), Some(vec![0.0, 0.0, 1.0]))
        .await
        .unwrap();
    let found = store.search("notes", "Tofu", &ann, 5).await.unwrap();
    assert_eq!(ids(&found), [cat.as_str()]);
    store
        .put("notes", &cat, memory("ann", "My cat is called Miso"), Some(vec![0.0, 0.0, 1.0]))
        .await
        .unwrap();
    assert!(store.search("notes", "Tofu", &ann, 5).await.unwrap().is_empty());
    assert_eq!(
        store.search("notes", "Miso", &ann, 5).await.unwrap()[0].fields["text"],
        "My cat is called Miso"
    );
    // `get` from the index: fields and time as the database has them.
    for id in written.iter().chain([&cat]) {
        let from_index = store.get("notes", id).await.unwrap();
        assert_eq!(from_index, unindexed.get("notes", id).await.unwrap(), "{id}");
        assert!(from_index.is_some());
    }
    assert!(store.remove("notes", &cat).await.unwrap());
    assert_eq!(store.get("notes", &cat).await.unwrap(), None);
    assert!(store.search("notes", "Miso", &ann, 5).await.unwrap().is_empty());
    let nearest = store.nearest("notes", vec![0.0, 0.0, 1.0], &ann, 5).await.unwrap();
    assert!(!ids(&nearest).contains(&cat.as_str()));

    // A second load of the plugin (a hot swap) shares the built index.
    let again = documents(&shared, "memory").await;
    assert!(again.is_indexed("notes").await.unwrap());

    // A filter on a field that is not a key is the database's to answer, and still right.
    let by_text: Filter = vec![("text".to_owned(), json!("Bob's dog is Rex"))];
    let found = store.nearest("notes", vec![1.0, 0.0, 0.0], &by_text, 5).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].fields["user"], "bob");
}

/// A word of its own for `n`: its digits as consonants, which no stemmer shortens.
fn word(n: usize) -> String {
    format!("z{n:04}")
        .chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => b"bcdfghjkmn"[d as usize] as char,
            None => c,
        })
        .collect()
}

#[tokio::test]
async fn an_index_built_from_thousands_of_documents_misses_none() {
    let storage = Storage::open("mem://").await.unwrap();
    let shared = StoreShared::new(storage.clone(), Clock::system());
    let plugin = PluginName::new("memory").unwrap();
    let unindexed =
        shared.documents_unindexed(plugin.as_str(), super::tests::budget(&plugin)).await.unwrap();
    unindexed.define(spec("notes")).await.unwrap();
    // More than two pages of the builder's reads.
    for n in 0..2500 {
        let vector = vec![(n % 7) as f32 + 1.0, (n % 11) as f32, (n % 13) as f32];
        let text = format!("note {}", word(n));
        unindexed.put("notes", &format!("n{n}"), memory("ann", &text), Some(vector)).await.unwrap();
    }
    let store = documents(&shared, "memory").await;
    store.get("notes", "n0").await.unwrap();
    until_indexed(&store, "notes").await;
    let ann: Filter = vec![("user".to_owned(), json!("ann"))];
    for n in [0, 999, 1000, 1001, 2499] {
        let found = store.search("notes", &word(n), &ann, 3).await.unwrap();
        assert_eq!(ids(&found), [format!("n{n}").as_str()], "n{n}");
    }
}

#[tokio::test]
async fn relations_in_the_index_answer_as_the_database_does() {
    let storage = Storage::open("mem://").await.unwrap();
    let plugin = PluginName::new("memory").unwrap();
    let clock = ManualClock::at_ms(1_000);
    let shared = StoreShared::new(storage.clone(), Clock::from(clock.clone()));
    let unindexed =
        shared.documents_unindexed(plugin.as_str(), super::tests::budget(&plugin)).await.unwrap();
    unindexed.define(spec("notes")).await.unwrap();
    for id in ["a", "b", "c", "d"] {
        unindexed.put("notes", id, memory("ann", id), Some(vec![1.0, 0.0, 0.0])).await.unwrap();
    }
    // Written before the index exists: read by its builder.
    unindexed.relate("notes", "near", "a", "b", fields(json!({"s": 1}))).await.unwrap();
    clock.advance(std::time::Duration::from_millis(5));
    unindexed.relate("notes", "near", "c", "a", fields(json!({"s": 2}))).await.unwrap();
    unindexed.relate("notes", "fact", "a", "d", fields(json!({"s": 3}))).await.unwrap();
    // And a crowd: each of 30 documents related to the next four, as `remember` relates a
    // memory to the ones it is near.
    for n in 0..30 {
        let id = format!("m{n}");
        unindexed.put("notes", &id, memory("ann", &id), Some(vec![1.0, 0.0, 0.0])).await.unwrap();
    }
    for n in 0..30 {
        for next in 1..=4 {
            clock.advance(std::time::Duration::from_millis(1));
            let (source, target) = (format!("m{n}"), format!("m{}", (n + next) % 30));
            let strength = fields(json!({"s": n * 10 + next}));
            unindexed.relate("notes", "near", &source, &target, strength).await.unwrap();
        }
    }

    let store = documents(&shared, "memory").await;
    store.get("notes", "a").await.unwrap();
    until_indexed(&store, "notes").await;
    let agree = |id: &'static str| {
        let (store, unindexed) = (&store, &unindexed);
        async move {
            for kind in ["near", "fact"] {
                let from_index = store.related("notes", kind, id, 10).await.unwrap();
                let from_db = unindexed.related("notes", kind, id, 10).await.unwrap();
                assert_eq!(from_index, from_db, "{kind} of {id}");
            }
        }
    };
    for id in ["a", "b", "c", "d"] {
        agree(id).await;
    }
    for n in 0..30 {
        let id = format!("m{n}");
        let from_index = store.related("notes", "near", &id, 6).await.unwrap();
        let from_db = unindexed.related("notes", "near", &id, 6).await.unwrap();
        assert_eq!(from_index.len(), 6, "{id}: {from_index:?}");
        assert_eq!(from_index, from_db, "{id}");
    }
    assert_eq!(store.related("notes", "near", "a", 10).await.unwrap().len(), 2);

    // Written through the indexed store: replaced, added, and gone with a removed document.
    clock.advance(std::time::Duration::from_millis(5));
    store.relate("notes", "near", "a", "b", fields(json!({"s": 4}))).await.unwrap();
    clock.advance(std::time::Duration::from_millis(5));
    store.relate("notes", "near", "b", "d", fields(json!({"s": 5}))).await.unwrap();
    let near_b = store.related("notes", "near", "b", 10).await.unwrap();
    assert_eq!(near_b.len(), 2);
    assert_eq!(near_b.iter().find(|e| e.source == "a").unwrap().fields["s"], 4);
    for id in ["a", "b", "c", "d"] {
        agree(id).await;
    }
    store.remove("notes", "a").await.unwrap();
    assert!(store.related("notes", "near", "c", 10).await.unwrap().is_empty());
    for id in ["a", "b", "c", "d"] {
        agree(id).await;
    }
}
