//! Long-term memory: the `memory` plugin on the `store` capability and the local embedding
//! model (bge-small-en-v1.5, which `scripts/test.sh` installs), through the real bot.

use std::process::Command;

use dcmaid_host::budget::{Budgets, PluginBudget};
use dcmaid_host::capabilities::store::StoreShared;
use dcmaid_host::plugin::PluginEntry;
use dcmaid_host::storage::Storage;
use dcmaid_host::{Bot, Config};
use dcmaid_tests::fake_llm::{FakeLlm, Scripted};
use dcmaid_tests::{Sandbox, plugin_name};

use crate::cli::{as_operator, free_port, serve, with_operator};
use crate::say;

/// Memory tests embed on the CPU: the first call may load the model.
pub(crate) fn config(sandbox: &Sandbox) -> Config {
    let mut config = sandbox.config();
    config.limits.call_timeout_ms = 30_000;
    config.limits.memory_mib = 64;
    config
}

/// `config` with the fake model server as the language model.
fn with_fake_llm(mut config: Config, fake: &FakeLlm) -> Config {
    config.llm.base_url = Some(fake.base_url.clone());
    config.llm.api_key_env = "HOME".into();
    config
}

async fn bot_with(config: Config) -> Bot {
    let bot = Bot::start(config).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    bot
}

/// The day `/memories` lists a memory of `kind` starting with `text` as told on
/// ("ID [turn, 2026-12-06]: TEXT").
fn told_on<'a>(listed: &'a str, kind: &str, text: &str) -> Option<&'a str> {
    let line = listed.lines().find(|line| line.contains(&format!("]: {text}")))?;
    let (_, rest) = line.split_once(&format!(" [{kind}, "))?;
    Some(rest.split_once("]: ")?.0)
}

/// The id in "I'll remember that. (memory ID)".
fn memory_id(reply: &str) -> String {
    let start = reply.find("(memory ").expect(reply) + "(memory ".len();
    reply[start..].trim_end_matches(')').to_owned()
}

#[tokio::test]
async fn users_remember_recall_list_and_forget_their_own_memories() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_memory();
    let bot = bot_with(config(&sandbox)).await;

    let dog = say(&bot, "ann", "/remember My beagle is called Biscuit").await.reply;
    let dog = memory_id(&dog);
    say(&bot, "ann", "/remember I grew up in Tromsø, far up north").await;
    say(&bot, "ann", "/remember I work as a nurse at the children's hospital").await;
    say(&bot, "bob", "/remember My dog is a poodle named Rex").await;

    // Meaning, not words: "pup" and "name" are in no memory.
    let recalled = say(&bot, "ann", "/recall what's my pup's name?").await.reply;
    assert!(recalled.lines().next().unwrap().contains("Biscuit"), "{recalled}");
    assert!(!recalled.contains("Rex"), "Bob's memories are his: {recalled}");
    // A rare word, found by the keyword search.
    let recalled = say(&bot, "ann", "/recall Tromsø").await.reply;
    assert!(recalled.lines().next().unwrap().contains("Tromsø"), "{recalled}");

    let listed = say(&bot, "ann", "/memories").await.reply;
    assert_eq!(listed.lines().count(), 3, "{listed}");
    assert!(listed.lines().next().unwrap().contains("nurse"), "newest first: {listed}");

    let forgotten = say(&bot, "bob", &format!("/forget {dog}")).await.reply;
    assert_eq!(forgotten, format!("You have no memory {dog}."), "not Bob's to forget");
    let forgotten = say(&bot, "ann", &format!("/forget {dog}")).await.reply;
    assert_eq!(forgotten, format!("Forgotten: {dog}."));
    let recalled = say(&bot, "ann", "/recall what's my pup's name?").await.reply;
    assert!(!recalled.contains("Biscuit"), "{recalled}");
    assert_eq!(say(&bot, "ann", "/memories").await.reply.lines().count(), 2);
    assert_eq!(say(&bot, "ann", "/remember").await.reply, "Usage: /remember TEXT");
}

/// A question naming an order number or a version finds the memories that name it, not those
/// of its neighbours, which the keyword index and the embedding can hardly tell apart.
#[tokio::test]
async fn a_recall_naming_an_identifier_puts_the_memories_naming_it_first() {
    let memories = [
        "Release v4.30.12 brought a new login page and new icons.",
        "In v4.30.1 the Android app stopped crashing at start.",
        "Release v4.29 moved the pricing page.",
    ];
    // "1" is too short a word for the keyword search: to it, both v4.30 releases match.
    let question = "/recall What's new in v4.30.1?";
    let mut first_lines = Vec::new();
    for identifiers in [true, false] {
        let sandbox = Sandbox::new();
        sandbox.install_hello();
        sandbox.install_memory();
        let mut config = config(&sandbox);
        let settings = &mut config.plugins.entry(plugin_name("memory")).or_default().config;
        settings.insert("identifiers".into(), identifiers.into());
        let bot = bot_with(config).await;
        for memory in memories {
            say(&bot, "ann", &format!("/remember {memory}")).await;
        }
        let recalled = say(&bot, "ann", question).await.reply;
        first_lines.push(recalled.lines().next().unwrap_or_default().to_owned());
    }
    assert!(first_lines[0].contains("v4.30.1 the Android app"), "{first_lines:?}");
    // Without the setting, "new" puts the other release first: the test tells the two apart.
    assert!(first_lines[1].contains("v4.30.12"), "{first_lines:?}");
}

#[tokio::test]
async fn turns_are_remembered_recalled_into_the_prompt_and_facts_extracted() {
    let fake = FakeLlm::start().await;
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_memory();
    let bot = bot_with(with_fake_llm(config(&sandbox), &fake)).await;

    // The turn's reply, then the facts the memory plugin asks for.
    let facts = r#"Sure: {"facts": [{"fact": "The user's sister Ingrid lives in Bergen.", "reason": "the user said so"}]}"#;
    fake.script([Scripted::Reply("How nice!".into()), Scripted::Reply(facts.into())]);
    say(&bot, "ann", "My sister Ingrid just moved to Bergen with her two cats").await;
    let listed = say(&bot, "ann", "/memories").await.reply;
    assert_eq!(listed.lines().count(), 2, "{listed}");
    let fact = told_on(&listed, "fact", "The user's sister Ingrid lives in Bergen.");
    let turn = told_on(&listed, "turn", "My sister Ingrid just moved to Bergen");
    assert!(fact.is_some() && fact == turn, "a fact is told when its turn was: {listed}");

    // The next turn's prompt carries what was remembered.
    say(&bot, "ann", "Where does my sibling live these days?").await;
    let chats: Vec<_> =
        fake.requests().into_iter().filter(|r| r.path == "/v1/chat/completions").collect();
    let prompt = chats[2].body["messages"][0]["content"].as_str().unwrap().to_owned();
    assert!(prompt.contains("What you remember about this user"), "{prompt}");
    assert!(prompt.contains("Ingrid lives in Bergen"), "{prompt}");
    // Bob's prompt does not.
    say(&bot, "bob", "Where does my sibling live these days?").await;
    let prompts: Vec<String> = fake
        .requests()
        .into_iter()
        .filter_map(|r| r.body["messages"][0]["content"].as_str().map(str::to_owned))
        .filter(|prompt| prompt.contains("talking to bob"))
        .collect();
    assert_eq!(prompts.len(), 1, "{prompts:?}");
    assert!(!prompts[0].contains("Bergen"), "{}", prompts[0]);
}

/// A turn's message is embedded once: `recall` searches with it before the reply, and
/// `remember` stores it after with the vector the host kept.
#[tokio::test]
async fn a_turn_embeds_its_message_once_for_recall_and_remember() {
    let fake = FakeLlm::start().await;
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_memory();
    let mut config = with_fake_llm(config(&sandbox), &fake);
    config.llm.embedding_model = Some("fake-embed".into());
    let bot = bot_with(config).await;

    let message = "My sister Ingrid just moved to Bergen with her two cats";
    say(&bot, "ann", message).await;
    let embedded: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/embeddings")
        .filter(|r| r.body["input"].to_string().contains("Ingrid"))
        .collect();
    assert_eq!(embedded.len(), 1, "{embedded:?}");
    let listed = say(&bot, "ann", "/memories").await.reply;
    assert!(
        told_on(&listed, "turn", "My sister Ingrid just moved to Bergen").is_some(),
        "{listed}"
    );
}

#[tokio::test]
async fn another_plugin_cannot_see_the_memory_plugins_records() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_memory();
    sandbox.install_misbehave();
    let bot = bot_with(config(&sandbox)).await;
    let id = memory_id(&say(&bot, "ann", "/remember My locker code is 4471 Biscuit").await.reply);
    assert!(say(&bot, "ann", "/recall locker code").await.reply.contains("4471"));

    let peeked = say(&bot, "mallory", &format!("/peek {id} Biscuit")).await.reply;
    assert_eq!(peeked, "find=0 search=0 nearest=0 get=false");
    // And the memory is still there for its owner.
    assert!(say(&bot, "ann", "/recall locker code").await.reply.contains("4471"));
}

#[tokio::test]
async fn without_a_model_the_memory_plugin_refuses_to_start_saying_how_to_get_one() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_memory();
    let mut config = config(&sandbox);
    config.embed.model_dir = Some(sandbox.data_dir().join("no-model-here"));
    let bot = Bot::start(config).await.unwrap();
    let plugins = bot.plugins();
    let failed = plugins.failed();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].error.contains("scripts/fetch-model.sh"), "{}", failed[0].error);
    // The bot runs on without it.
    assert!(say(&bot, "ann", "hi").await.reply.contains("Hi, ann"));
}

/// The memories the memory plugin keeps in `data_dir`'s database.
async fn stored_ids(data_dir: &std::path::Path) -> Vec<String> {
    let url = format!("surrealkv://{}", data_dir.join("db").display());
    let storage = Storage::open(&url).await.unwrap();
    let store = StoreShared::new(storage, dcmaid_host::core::Clock::system());
    let name = plugin_name("memory");
    let budget = PluginBudget::standalone(name.clone(), Budgets::default());
    let documents = store.documents(name.as_str(), budget).await.unwrap();
    let found = documents.find("memories", &Vec::new(), 1000).await.unwrap();
    found.into_iter().map(|entry| entry.id).collect()
}

/// A server that is killed when the test ends, however it ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn every_acknowledged_memory_survives_a_sigkill_mid_write() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_memory();
    let port = free_port();
    let toml = format!(
        "{}[limits]\ncall_timeout_ms = 30000\n[rate_limit]\nburst = 10000\nper_minute = 1000000\n",
        with_operator(port)
    );
    let mut server = Running(serve(&sandbox, &toml, port));

    // Four writers remember as fast as they can; the server is killed while they write.
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                for n in 0.. {
                    let body = format!(
                        r#"{{"user_id":"w{writer}","user_name":"W","text":"/remember note w{writer}x{n} of writer {writer}"}}"#
                    );
                    match as_operator(port, "POST", "/api/v1/chat", &body) {
                        Ok((200, reply)) if reply.contains("(memory ") => {
                            let reply: serde_json::Value = serde_json::from_str(&reply).unwrap();
                            acknowledged.push(memory_id(reply["reply"].as_str().unwrap()));
                        }
                        _ => return acknowledged,
                    }
                }
                acknowledged
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_secs(3));
    let killed = Command::new("kill").arg("-KILL").arg(server.0.id().to_string()).status().unwrap();
    assert!(killed.success());
    server.0.wait().unwrap();
    let acknowledged: Vec<String> =
        writers.into_iter().flat_map(|writer| writer.join().unwrap()).collect();
    assert!(acknowledged.len() >= 4, "the writers got some memories in: {}", acknowledged.len());

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let stored = runtime.block_on(stored_ids(sandbox.data_dir()));
    let lost: Vec<_> = acknowledged.iter().filter(|id| !stored.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged memories lost: {lost:?}",
        lost.len(),
        acknowledged.len()
    );

    // And the bot comes back up on the same database and recalls them.
    let _server = Running(serve(&sandbox, &toml, port));
    let (status, reply) = as_operator(
        port,
        "POST",
        "/api/v1/chat",
        r#"{"user_id":"w0","user_name":"W","text":"/recall w0x0"}"#,
    )
    .unwrap();
    assert_eq!(status, 200, "{reply}");
    let first = reply.split("\\n").next().unwrap();
    assert!(first.contains("note w0x0 of writer 0"), "{reply}");
}

/// `dcmaid_remember_turns_total` for `fate`.
fn turns(bot: &Bot, fate: &str) -> f64 {
    let wanted = format!("dcmaid_remember_turns_total{{fate=\"{fate}\"}} ");
    let exposition = bot.metrics().encode();
    let line = exposition.lines().find(|line| line.starts_with(&wanted));
    line.and_then(|line| line[wanted.len()..].parse().ok()).unwrap_or(0.0)
}

/// A memory plugin that fails on every turn (here: its store quota is spent) costs the
/// conversation nothing: replies go out as before, each failing turn is tried a bounded
/// number of times and then given up, counted, and the queue empties.
#[tokio::test]
async fn a_memory_plugin_that_keeps_failing_neither_holds_replies_nor_the_queue() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_memory();
    let mut config = config(&sandbox);
    let budgets = toml::from_str("[store]\nmax_documents = 2\n").unwrap();
    config.plugins.insert(plugin_name("memory"), PluginEntry { budgets, ..Default::default() });
    let bot = bot_with(config).await;

    for n in 0..6 {
        let reply = say(&bot, "ann", &format!("note {n} of six")).await;
        assert!(reply.reply.contains("Hi, ann"), "{reply:?}");
        assert!(!reply.failed, "{reply:?}");
    }
    let started = std::time::Instant::now();
    while turns(&bot, "given_up") < 4.0 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "remembered {}, retried {}, given up {}",
            turns(&bot, "remembered"),
            turns(&bot, "retried"),
            turns(&bot, "given_up")
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Two fit the quota; each of the other four was tried five times, then given up.
    assert_eq!(turns(&bot, "remembered"), 2.0);
    assert_eq!(turns(&bot, "retried"), 16.0);
    assert_eq!(turns(&bot, "given_up"), 4.0);
    // The bot answers on, and what was remembered is there.
    assert!(say(&bot, "ann", "/memories").await.reply.lines().count() == 2);
}

/// The texts of `user`'s memories that the admin API finds for `query` (at most 100).
fn found_texts(port: u16, user: &str, query: &str) -> Vec<String> {
    let path = format!("/api/v1/memories?user_id={user}&query={query}&limit=100");
    let Ok((200, body)) = as_operator(port, "GET", &path, "") else { return Vec::new() };
    let hits: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap_or_default();
    hits.iter().filter_map(|hit| Some(hit["text"].as_str()?.to_owned())).collect()
}

/// A turn is remembered after its reply, from a queue in the store: a crash between the
/// two loses nothing, and the next start remembers what was left.
#[test]
fn every_answered_turn_is_remembered_after_a_sigkill_mid_conversation() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_memory();
    let port = free_port();
    let toml = format!(
        "{}[limits]\ncall_timeout_ms = 30000\n[rate_limit]\nchat_burst = 10000\nchat_per_minute = 1000000\n",
        with_operator(port)
    );
    let mut server = Running(serve(&sandbox, &toml, port));
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            std::thread::spawn(move || {
                let mut answered = Vec::new();
                for n in 0..80 {
                    let text = format!("note w{writer}x{n} of writer {writer}");
                    let body =
                        format!(r#"{{"user_id":"w{writer}","user_name":"W","text":"{text}"}}"#);
                    match as_operator(port, "POST", "/api/v1/chat", &body) {
                        Ok((200, _)) => answered.push(text),
                        _ => return answered,
                    }
                }
                answered
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed = Command::new("kill").arg("-KILL").arg(server.0.id().to_string()).status().unwrap();
    assert!(killed.success());
    server.0.wait().unwrap();
    let answered: Vec<Vec<String>> =
        writers.into_iter().map(|writer| writer.join().unwrap()).collect();
    assert!(answered.iter().all(|texts| !texts.is_empty()), "every writer got answers in");

    let _server = Running(serve(&sandbox, &toml, port));
    let started = std::time::Instant::now();
    loop {
        let missing: Vec<&String> = answered
            .iter()
            .enumerate()
            .flat_map(|(writer, texts)| {
                let found = found_texts(port, &format!("web:w{writer}"), "note");
                texts.iter().filter(move |text| !found.contains(text)).collect::<Vec<_>>()
            })
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "{} of {} answered turns not remembered: {missing:?}",
            missing.len(),
            answered.iter().map(Vec::len).sum::<usize>()
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}

#[tokio::test]
async fn the_admin_api_searches_and_forgets_a_users_memories() {
    use poem::http::StatusCode;
    use poem::test::TestClient;
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_memory();
    let mut config = config(&sandbox);
    config.server.admin_token = Some("s3cret".into());
    let bot = std::sync::Arc::new(bot_with(config).await);
    say(&bot, "ann", "/remember My beagle is called Biscuit").await;
    say(&bot, "bob", "/remember My dog is a poodle named Rex").await;
    let api = TestClient::new(dcmaid_host::api::routes(bot.clone(), None));
    let get = |path: &str| api.get(path).header("Authorization", "Bearer s3cret").send();

    // Console users are `console:ann`; the API takes the bot's user ids as they are.
    let found = get("/api/v1/memories?user_id=console:ann&query=pup%27s%20name").await;
    found.assert_status_is_ok();
    let hits: serde_json::Value = found.json().await.value().deserialize();
    assert!(hits[0]["text"].as_str().unwrap().contains("Biscuit"), "{hits}");
    assert!(!hits.to_string().contains("Rex"), "{hits}");
    let id = hits[0]["id"].as_str().unwrap().to_owned();

    let forget = |user: &str| {
        let path = format!("/api/v1/memories/{id}?user_id={user}");
        api.delete(path).header("Authorization", "Bearer s3cret").send()
    };
    forget("console:bob").await.assert_status(StatusCode::NOT_FOUND);
    forget("console:ann").await.assert_status(StatusCode::NO_CONTENT);
    forget("console:ann").await.assert_status(StatusCode::NOT_FOUND);
    let after = get("/api/v1/memories?user_id=console:ann&query=pup%27s%20name").await;
    let hits: serde_json::Value = after.json().await.value().deserialize();
    assert!(!hits.to_string().contains("Biscuit"), "{hits}");

    for (path, field) in [
        ("/api/v1/memories?user_id=console:ann&query=%20", "query"),
        ("/api/v1/memories?user_id=console:ann", "query"),
        ("/api/v1/memories?user_id=console:ann&query=x&limit=1000", "limit"),
        ("/api/v1/memories?query=x", "user_id"),
    ] {
        let response = get(path).await;
        response.assert_status(StatusCode::BAD_REQUEST);
        let error: serde_json::Value = response.json().await.value().deserialize();
        assert_eq!(error["field"], field, "{path}: {error}");
    }
}

/// `/recall` lists what is close to the question, not everything it ranked: a memory no
/// keyword matched and whose meaning is far (under `recall_floor`) is left out, and a
/// question nothing is close to says so.
#[tokio::test]
async fn recall_lists_only_what_is_close_enough_and_says_when_nothing_is() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_memory();
    let bot = bot_with(config(&sandbox)).await;
    say(&bot, "ann", "/remember My beagle is called Biscuit").await;
    say(&bot, "ann", "/remember hello").await;
    say(&bot, "ann", "/remember I grew up in Tromsø, far up north").await;

    let recalled = say(&bot, "ann", "/recall what's my pup's name?").await.reply;
    assert!(recalled.lines().next().unwrap().contains("Biscuit"), "{recalled}");
    assert!(!recalled.lines().any(|line| line.ends_with(": hello")), "{recalled}");

    let far = say(&bot, "ann", "/recall quantum chromodynamics lecture schedule").await.reply;
    assert_eq!(far, "Nothing I remember is close enough to that.");
    // A keyword match is close enough, however far the meaning.
    assert!(say(&bot, "ann", "/recall Tromsø").await.reply.contains("Tromsø"));
}
