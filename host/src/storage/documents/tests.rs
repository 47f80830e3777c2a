use serde_json::json;

use super::*;
use crate::clock::ManualClock;
use crate::plugin::PluginName;
use crate::storage::Storage;

async fn documents(storage: &Storage, plugin: &str, clock: Clock) -> PluginDocuments {
    storage.plugin_documents(&PluginName::new(plugin).unwrap(), clock).await.unwrap()
}

fn spec(name: &str) -> CollectionSpec {
    CollectionSpec {
        name: name.to_owned(),
        dimensions: Some(3),
        text_field: Some("text".to_owned()),
        keys: ["user".to_owned()].into(),
    }
}

fn fields(value: serde_json::Value) -> Map<String, Json> {
    match value {
        Json::Object(fields) => fields,
        _ => unreachable!("test fields are objects"),
    }
}

fn memory(user: &str, text: &str) -> Map<String, Json> {
    fields(json!({"user": user, "text": text}))
}

fn ids(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|hit| hit.id.as_str()).collect()
}

#[tokio::test]
async fn documents_round_trip_and_search_by_vector_and_by_keyword() {
    let storage = Storage::open("mem://").await.unwrap();
    let store = documents(&storage, "memory", Clock::system()).await;
    store.define(spec("notes")).await.unwrap();
    store.define(spec("notes")).await.unwrap();
    let dog = store
        .insert("notes", memory("ann", "My dog is called Biscuit"), Some(vec![1.0, 0.0, 0.0]))
        .await
        .unwrap();
    let city = store
        .insert("notes", memory("ann", "I grew up in Tromsø, far north"), Some(vec![0.0, 1.0, 0.0]))
        .await
        .unwrap();
    store
        .put("notes", "bob-1", memory("bob", "Bob's dog is Rex"), Some(vec![1.0, 0.1, 0.0]))
        .await
        .unwrap();

    let got = store.get("notes", &dog).await.unwrap().unwrap();
    assert_eq!(got.fields["text"], "My dog is called Biscuit");
    assert!(got.updated_at_ms > 0);
    assert_eq!(store.get("notes", "nope").await.unwrap(), None);

    let ann: Filter = vec![("user".to_owned(), json!("ann"))];
    let near = store.nearest("notes", vec![0.9, 0.2, 0.0], &ann, 5).await.unwrap();
    assert_eq!(ids(&near), [dog.as_str(), city.as_str()], "Bob's note is filtered out");
    assert!(near[0].score > near[1].score && near[0].score <= 1.0);

    let found = store.search("notes", "where did I grow up? dogs", &ann, 5).await.unwrap();
    assert_eq!(found.len(), 2, "any word matches, stemmed: {found:?}");
    let found = store.search("notes", "Tromsø", &ann, 5).await.unwrap();
    assert_eq!(ids(&found), [city.as_str()]);
    assert!(store.search("notes", "  ", &ann, 5).await.unwrap().is_empty());

    let listed = store.find("notes", &ann, 10).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(store.find("notes", &Vec::new(), 10).await.unwrap().len(), 3);

    assert!(store.remove("notes", &dog).await.unwrap());
    assert!(!store.remove("notes", &dog).await.unwrap());
    let near = store.nearest("notes", vec![1.0, 0.0, 0.0], &ann, 5).await.unwrap();
    assert_eq!(ids(&near), [city.as_str()]);
}

#[tokio::test]
async fn relations_carry_fields_are_replaced_and_go_with_their_documents() {
    let storage = Storage::open("mem://").await.unwrap();
    let clock = ManualClock::at_ms(1_000);
    let store = documents(&storage, "memory", Clock::from(clock.clone())).await;
    store.define(spec("notes")).await.unwrap();
    for id in ["a", "b", "c"] {
        store.put("notes", id, memory("ann", id), Some(vec![1.0, 0.0, 0.0])).await.unwrap();
    }
    store.relate("notes", "near", "a", "b", fields(json!({"strength": 0.5}))).await.unwrap();
    clock.advance(std::time::Duration::from_millis(10));
    store.relate("notes", "near", "c", "a", fields(json!({"strength": 0.2}))).await.unwrap();
    store.relate("notes", "near", "a", "b", fields(json!({"strength": 0.9}))).await.unwrap();

    let edges = store.related("notes", "near", "a", 10).await.unwrap();
    assert_eq!(edges.len(), 2, "{edges:?}");
    let ab = edges.iter().find(|e| e.target == "b").unwrap();
    assert_eq!((ab.source.as_str(), ab.fields["strength"].as_f64()), ("a", Some(0.9)));
    assert_eq!(ab.updated_at_ms, 1_010);
    assert!(store.related("notes", "other", "a", 10).await.unwrap().is_empty());

    let error = store.relate("notes", "near", "a", "ghost", Map::new()).await.unwrap_err();
    assert!(error.to_string().contains("both must be documents"), "{error}");

    store.remove("notes", "a").await.unwrap();
    assert!(store.related("notes", "near", "b", 10).await.unwrap().is_empty());
    assert!(store.related("notes", "near", "c", 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn bad_requests_are_refused_naming_what_is_wrong() {
    let storage = Storage::open("mem://").await.unwrap();
    let store = documents(&storage, "memory", Clock::system()).await;
    let refused = |result: Result<(), StoreError>| match result {
        Err(StoreError::Invalid(reason)) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let error = store.insert("notes", Map::new(), None).await.unwrap_err();
    assert!(error.to_string().contains("not defined"), "{error}");
    let bad_name = CollectionSpec { name: "kv; DELETE".to_owned(), ..spec("x") };
    assert!(refused(store.define(bad_name).await).contains("collection name"));
    store.define(spec("notes")).await.unwrap();
    let changed = CollectionSpec { dimensions: Some(4), ..spec("notes") };
    assert!(refused(store.define(changed).await).contains("cannot change"));
    let more_keys = CollectionSpec { keys: ["user".into(), "kind".into()].into(), ..spec("notes") };
    store.define(more_keys).await.unwrap();

    let wrong = store.insert("notes", Map::new(), Some(vec![1.0, 2.0])).await.unwrap_err();
    assert!(wrong.to_string().contains("vectors of 3 numbers"), "{wrong}");
    let nan = store.insert("notes", Map::new(), Some(vec![f32::NAN, 0.0, 0.0])).await.unwrap_err();
    assert!(nan.to_string().contains("finite"), "{nan}");
    let filter = vec![("user = 1 OR true".to_owned(), json!(1))];
    let injected = store.find("notes", &filter, 10).await.unwrap_err();
    assert!(injected.to_string().contains("filter field name"), "{injected}");
    assert!(fields_from_json("[1]").unwrap_err().to_string().contains("JSON object"));
    assert!(fields_from_json("{").unwrap_err().to_string().contains("not JSON"));
}

#[tokio::test]
async fn plugins_cannot_see_each_others_collections() {
    let storage = Storage::open("mem://").await.unwrap();
    let memory = documents(&storage, "memory", Clock::system()).await;
    let other = documents(&storage, "other", Clock::system()).await;
    memory.define(spec("notes")).await.unwrap();
    memory.put("notes", "secret", memory_fields(), Some(vec![1.0, 0.0, 0.0])).await.unwrap();
    // The other plugin defines a collection of the same name: its own, empty.
    assert!(other.get("notes", "secret").await.is_err(), "undefined for the other plugin");
    other.define(spec("notes")).await.unwrap();
    assert_eq!(other.get("notes", "secret").await.unwrap(), None);
    assert!(other.find("notes", &Vec::new(), 100).await.unwrap().is_empty());
    assert!(other.nearest("notes", vec![1.0, 0.0, 0.0], &Vec::new(), 5).await.unwrap().is_empty());
    assert!(other.search("notes", "secret words", &Vec::new(), 5).await.unwrap().is_empty());
    assert!(!other.remove("notes", "secret").await.unwrap());
    assert!(memory.get("notes", "secret").await.unwrap().is_some());
}

fn memory_fields() -> Map<String, Json> {
    memory("ann", "secret words")
}

#[tokio::test]
async fn definitions_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("surrealkv://{}", dir.path().join("db").display());
    {
        let storage = Storage::open(&url).await.unwrap();
        let store = documents(&storage, "memory", Clock::system()).await;
        store.define(spec("notes")).await.unwrap();
        store.put("notes", "kept", memory_fields(), Some(vec![0.0, 0.0, 1.0])).await.unwrap();
    }
    let storage = Storage::open(&url).await.unwrap();
    let store = documents(&storage, "memory", Clock::system()).await;
    let found = store.search("notes", "secret", &Vec::new(), 5).await.unwrap();
    assert_eq!(ids(&found), ["kept"]);
}

#[tokio::test]
async fn keyword_search_filters_on_indexed_keys_and_scores_by_bm25() {
    let storage = Storage::open("mem://").await.unwrap();
    let store = documents(&storage, "memory", Clock::system()).await;
    let keys = ["user_id".to_owned(), "kind".to_owned()].into();
    store.define(CollectionSpec { keys, ..spec("memories") }).await.unwrap();
    for text in [
        "My beagle is called Biscuit",
        "I grew up in Tromsø, far up north",
        "I work as a nurse at the children's hospital",
    ] {
        let fields = fields(json!({"user_id": "console:ann", "kind": "note", "text": text}));
        store.insert("memories", fields, Some(vec![1.0, 0.0, 0.0])).await.unwrap();
    }
    let ann: Filter = vec![("user_id".to_owned(), json!("console:ann"))];
    let found = store.search("memories", "tromsø", &ann, 5).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].fields["text"].as_str().unwrap().contains("Tromsø"));
}

/// Until `store`'s collection `name` is served from the in-memory index.
async fn until_indexed(store: &PluginDocuments, name: &str) {
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
    // Written before any index exists: the index is built from the database.
    let unindexed = storage.plugin_documents_unindexed(&plugin, Clock::system()).await.unwrap();
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
    let store = documents(&storage, "memory", Clock::system()).await;
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
    let again = documents(&storage, "memory", Clock::system()).await;
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
    let plugin = PluginName::new("memory").unwrap();
    let unindexed = storage.plugin_documents_unindexed(&plugin, Clock::system()).await.unwrap();
    unindexed.define(spec("notes")).await.unwrap();
    // More than two pages of the builder's reads.
    for n in 0..2500 {
        let vector = vec![(n % 7) as f32 + 1.0, (n % 11) as f32, (n % 13) as f32];
        let text = format!("note {}", word(n));
        unindexed.put("notes", &format!("n{n}"), memory("ann", &text), Some(vector)).await.unwrap();
    }
    let store = documents(&storage, "memory", Clock::system()).await;
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
    let unindexed =
        storage.plugin_documents_unindexed(&plugin, Clock::from(clock.clone())).await.unwrap();
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

    let store = documents(&storage, "memory", Clock::from(clock.clone())).await;
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

/// The plan SurrealDB makes for `query` on `store`'s database, as text.
async fn plan(store: &PluginDocuments, query: &str) -> String {
    let mut response = store.db.query(format!("{query} EXPLAIN")).bind(("id", "a")).await.unwrap();
    let plan: Option<Json> = response.take(0).unwrap();
    plan.unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_documents_relations_are_found_by_index_and_old_databases_get_the_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("surrealkv://{}", dir.path().join("db").display());
    {
        let storage = Storage::open(&url).await.unwrap();
        let store = documents(&storage, "memory", Clock::system()).await;
        store.define(spec("notes")).await.unwrap();
        // As an earlier version left it: indexes led by the kind.
        let old = "REMOVE INDEX by_source ON r__notes; REMOVE INDEX by_target ON r__notes; \
                   DEFINE INDEX source ON r__notes FIELDS kind, source; \
                   DEFINE INDEX target ON r__notes FIELDS kind, target;";
        store.db.query(old).await.unwrap().check().unwrap();
    }
    let storage = Storage::open(&url).await.unwrap();
    let store = documents(&storage, "memory", Clock::system()).await;
    for id in ["a", "b"] {
        store.put("notes", id, memory("ann", id), Some(vec![1.0, 0.0, 0.0])).await.unwrap();
    }
    store.relate("notes", "near", "a", "b", Map::new()).await.unwrap();

    let mut response = store.db.query("INFO FOR TABLE r__notes").await.unwrap();
    let info: Json = response.take::<Option<Json>>(0).unwrap().unwrap();
    let mut indexes: Vec<&String> = info["indexes"].as_object().unwrap().keys().collect();
    indexes.sort();
    assert_eq!(indexes, ["by_source", "by_target"], "{info}");

    // `remove` and `related` (when no in-memory index answers) read both indexes, not the
    // table.
    for query in [
        "SELECT * FROM r__notes WHERE source = $id OR target = $id",
        "SELECT * FROM r__notes WHERE (source = $id AND kind = 'near') \
         OR (target = $id AND kind = 'near')",
    ] {
        let plan = plan(&store, query).await;
        assert!(plan.contains("by_source") && plan.contains("by_target"), "{query}: {plan}");
        assert!(!plan.contains("TableScan"), "{query}: {plan}");
    }
    assert!(store.remove("notes", "a").await.unwrap());
    assert!(store.related("notes", "near", "b", 10).await.unwrap().is_empty());
}
