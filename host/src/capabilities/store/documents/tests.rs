use serde_json::json;
use serde_json::{Map, Value as Json};

use super::super::shared::StoreShared;
use super::*;
use crate::core::{Clock, ManualClock, PluginName};
use crate::storage::Storage;

pub(super) async fn documents(shared: &StoreShared, plugin: &str) -> Documents {
    let name = PluginName::new(plugin).unwrap();
    shared.documents(name.as_str(), budget(&name)).await.unwrap()
}

/// A budget of the defaults for `plugin`, of its own.
pub(super) fn budget(plugin: &PluginName) -> std::sync::Arc<crate::budget::PluginBudget> {
    crate::budget::PluginBudget::standalone(plugin.clone(), crate::budget::Budgets::default())
}

/// The memory plugin's documents in the database at `url`, opened anew.
async fn on_disk(url: &str) -> Documents {
    let storage = Storage::open(url).await.unwrap();
    documents(&StoreShared::new(storage, Clock::system()), "memory").await
}

pub(super) fn spec(name: &str) -> CollectionSpec {
    CollectionSpec {
        name: name.to_owned(),
        dimensions: Some(3),
        text_field: Some("text".to_owned()),
        keys: ["user".to_owned()].into(),
    }
}

pub(super) fn fields(value: serde_json::Value) -> Map<String, Json> {
    match value {
        Json::Object(fields) => fields,
        _ => unreachable!("test fields are objects"),
    }
}

pub(super) fn memory(user: &str, text: &str) -> Map<String, Json> {
    fields(json!({"user": user, "text": text}))
}

pub(super) fn ids(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|hit| hit.id.as_str()).collect()
}

#[tokio::test]
async fn documents_round_trip_and_search_by_vector_and_by_keyword() {
    let storage = Storage::open("mem://").await.unwrap();
    let shared = StoreShared::new(storage.clone(), Clock::system());
    let store = documents(&shared, "memory").await;
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
    let shared = StoreShared::new(storage.clone(), Clock::from(clock.clone()));
    let store = documents(&shared, "memory").await;
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
    let shared = StoreShared::new(storage.clone(), Clock::system());
    let store = documents(&shared, "memory").await;
    let refused = |result: Result<(), DocumentError>| match result {
        Err(DocumentError::Invalid(reason)) => reason,
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
    let shared = StoreShared::new(storage.clone(), Clock::system());
    let memory = documents(&shared, "memory").await;
    let other = documents(&shared, "other").await;
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
        let store = on_disk(&url).await;
        store.define(spec("notes")).await.unwrap();
        store.put("notes", "kept", memory_fields(), Some(vec![0.0, 0.0, 1.0])).await.unwrap();
    }
    let store = on_disk(&url).await;
    let found = store.search("notes", "secret", &Vec::new(), 5).await.unwrap();
    assert_eq!(ids(&found), ["kept"]);
}

#[tokio::test]
async fn keyword_search_filters_on_indexed_keys_and_scores_by_bm25() {
    let storage = Storage::open("mem://").await.unwrap();
    let shared = StoreShared::new(storage.clone(), Clock::system());
    let store = documents(&shared, "memory").await;
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
/// The plan SurrealDB makes for `query` on `store`'s database, as text.
async fn plan(store: &Documents, query: &str) -> String {
    let mut response = store.db.query(format!("{query} EXPLAIN")).bind(("id", "a")).await.unwrap();
    let plan: Option<Json> = response.take(0).unwrap();
    plan.unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_documents_relations_are_found_by_index_and_old_databases_get_the_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("surrealkv://{}", dir.path().join("db").display());
    {
        let store = on_disk(&url).await;
        store.define(spec("notes")).await.unwrap();
        // As an earlier version left it: indexes led by the kind.
        let old = "REMOVE INDEX by_source ON r__notes; REMOVE INDEX by_target ON r__notes; \
                   DEFINE INDEX source ON r__notes FIELDS kind, source; \
                   DEFINE INDEX target ON r__notes FIELDS kind, target;";
        store.db.query(old).await.unwrap().check().unwrap();
    }
    let store = on_disk(&url).await;
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

#[tokio::test]
async fn writes_keep_to_the_quota_and_removing_gives_it_back() {
    use crate::budget::{Budgets, PluginBudget, StoreBudget};
    let storage = Storage::open("mem://").await.unwrap();
    let shared = StoreShared::new(storage, Clock::system());
    let name = PluginName::new("memory").unwrap();
    let quota =
        Budgets { store: StoreBudget { max_documents: 2, max_bytes: 200 }, ..Budgets::default() };
    let store =
        shared.documents(name.as_str(), PluginBudget::standalone(name.clone(), quota.clone()));
    let store = store.await.unwrap();
    store.define(spec("notes")).await.unwrap();
    let note = |text: &str| fields(json!({ "text": text }));
    let first = store.insert("notes", note("one"), None).await.unwrap();
    store.put("notes", "two", note("two"), None).await.unwrap();
    let refused = store.insert("notes", note("three"), None).await.unwrap_err();
    assert!(
        matches!(&refused, DocumentError::Limited(r) if r.limit.as_str() == "store.max_documents"),
        "{refused:?}"
    );
    store.put("notes", "two", note("two, again"), None).await.unwrap();
    let big = note(&"x".repeat(300));
    let refused = store.put("notes", "two", big, None).await.unwrap_err();
    assert!(
        matches!(&refused, DocumentError::Limited(r) if r.limit.as_str() == "store.max_bytes"),
        "{refused:?}"
    );
    assert!(store.get("notes", "two").await.unwrap().is_some(), "what is stored stays");
    assert!(store.remove("notes", &first).await.unwrap());
    store.insert("notes", note("three"), None).await.unwrap();

    // A budget that starts afresh (the bot restarted) measures what is stored.
    let again = shared.documents(name.as_str(), PluginBudget::standalone(name.clone(), quota));
    let again = again.await.unwrap();
    let refused = again.insert("notes", note("four"), None).await.unwrap_err();
    assert!(matches!(refused, DocumentError::Limited(_)), "{refused:?}");
}
