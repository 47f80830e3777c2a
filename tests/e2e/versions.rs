//! WIT versions side by side: a plugin built against `dcmaid:bot@0.1.0` a year ago (the
//! committed fixture `tests/fixtures/wit-0.1.0.wasm`, every import and export of that
//! version) loads and works on this host next to 0.2.0 plugins; a component built for a
//! version this host does not speak is refused, naming the versions it does.

use std::path::{Path, PathBuf};

use dcmaid_host::Bot;
use dcmaid_host::config::Config;
use dcmaid_host::core::Capability;
use dcmaid_host::wit::WitVersion;
use dcmaid_tests::fake_llm::FakeLlm;
use dcmaid_tests::fake_web::FakeWeb;
use dcmaid_tests::{Sandbox, plugin_name, repository};

use super::say;

fn fixture() -> PathBuf {
    repository().join("tests/fixtures/wit-0.1.0.wasm")
}

/// The 0.1.0 fixture installed as `name`, playing `role`, built against `wit`.
fn install_old(sandbox: &Sandbox, name: &str, role: &str) {
    let manifest = format!(
        "version = \"1.0.0\"\nwit = \"0.1.0\"\nrole = \"{role}\"\n\
         capabilities = [\"kv\", \"llm\", \"metrics\", \"scheduler\", \"store\"]\n\
         http_hosts = [\"127.0.0.1\"]\n[config]\nmode = \"fine\"\n"
    );
    sandbox.install(name, &fixture(), &manifest);
}

fn config(sandbox: &Sandbox, llm: &FakeLlm, web: &FakeWeb) -> Config {
    let mut config = sandbox.config();
    config.limits.call_timeout_ms = 5_000;
    config.llm.base_url = Some(llm.base_url.clone());
    config.llm.embedding_model = Some("fake-embed".into());
    config.llm.api_key_env = "HOME".into();
    let allowlist = sandbox.data_dir().join("allowed_domains.txt");
    std::fs::write(&allowlist, format!("http://127.0.0.1:{}\n", web.port)).unwrap();
    config.http.allowlist_file = Some(allowlist);
    config
}

#[tokio::test]
async fn a_plugin_built_against_0_1_0_runs_every_import_and_export_unchanged() {
    let (llm, web) = (FakeLlm::start().await, FakeWeb::start().await);
    let sandbox = Sandbox::new();
    for (name, role) in [
        ("old-persona", "persona"),
        ("old-memory", "memory"),
        ("old-tool", "tool"),
        ("old-observer", "observer"),
    ] {
        install_old(&sandbox, name, role);
    }
    sandbox.install_hello();
    let mut config = config(&sandbox, &llm, &web);
    config.persona = Some(plugin_name("old-persona"));
    let bot = Bot::start(config).await.unwrap();
    let plugins = bot.plugins();
    assert!(plugins.failed().is_empty(), "{:?}", plugins.failed());
    let old = plugins.get(&plugin_name("old-persona")).unwrap().clone();
    assert_eq!(old.wit_version(), WitVersion::V0_1);
    assert_eq!(plugins.get(&plugin_name("hello")).unwrap().wit_version(), WitVersion::V0_2);

    // persona.shape, with kv, as a direct reply; then with the model: recall from the 0.1.0
    // memory plugin, the model's draft, persona.finish.
    assert_eq!(say(&bot, "ann", "hello").await.reply, "v0.1 persona heard \"hello\" (visit 1)");
    assert_eq!(say(&bot, "ann", "again").await.reply, "v0.1 persona heard \"again\" (visit 2)");
    let drafted = say(&bot, "ann", "?what now").await;
    assert_eq!(drafted.reply, "v0.1 finished: (model) ?what now", "{drafted:?}");
    let traits = old.traits().await.unwrap().unwrap();
    assert_eq!((traits.openness, traits.neuroticism), (0.1, 0.5));
    let state = old.user_state("console:ann").await.unwrap().unwrap();
    assert_eq!(state, r#"{"visits":"3"}"#);

    // memory.remember ran after each answered turn (once its reply was out: the plugin is
    // called here directly, so wait for it); recall, relate and forget.
    bot.flush_remembering().await;
    let memory = plugins.get(&plugin_name("old-memory")).unwrap().clone();
    let recalled = memory.recall("console:ann", "again", 5).await.unwrap();
    assert!(recalled[0].text.contains("again"), "{recalled:?}");
    let first = memory.recall("console:ann", "hello", 5).await.unwrap()[0].id.clone();
    memory.forget("console:ann", &first).await.unwrap();
    assert!(memory.recall("console:ann", "hello", 5).await.unwrap().iter().all(|m| m.id != first));

    // tool.list-tools and tool.call-tool.
    let tool = plugins.tool_owner("echo_v01").unwrap().clone();
    let answer = tool.call_tool("echo_v01", r#"{"text":"hi"}"#, "console:ann").await.unwrap();
    assert_eq!(answer, r#"v0.1 tool echo_v01 for console:ann: {"text":"hi"}"#);

    // commands.run, calling each capability (the commands are old-memory's: the first by
    // name of the four that claim them).
    let kv = say(&bot, "ann", "/v01-kv colour blue").await.reply;
    assert!(kv.starts_with("colour = blue; keys ") && kv.ends_with("deleted false"), "{kv}");
    assert_eq!(say(&bot, "ann", "/v01-config mode").await.reply, r#"fine / {"mode":"fine"}"#);
    let stored = say(&bot, "ann", "/v01-store violet words").await.reply;
    assert!(stored.starts_with("got true, found 1, nearest "), "{stored}");
    assert!(stored.ends_with("related 1, removed true"), "{stored}");
    assert_eq!(say(&bot, "ann", "/v01-ask hi there").await.reply, "(model) hi there");
    assert!(say(&bot, "ann", "/v01-embed some text").await.reply.starts_with("dimensions "));
    assert_eq!(say(&bot, "ann", "/v01-metric").await.reply, "recorded");
    let exposition = bot.metrics().encode();
    assert!(exposition.contains("dcmaid_plugin_old_memory_calls_total{kind=\"fixture\"} 1"));
    assert_eq!(say(&bot, "ann", "/v01-log hello").await.reply, "logged");
    let url = format!("{}/page", web.base_url);
    let fetched = say(&bot, "ann", &format!("/v01-fetch {url}")).await.reply;
    assert!(fetched.starts_with("200 "), "{fetched}");

    // scheduler and scheduled.fire.
    let jobs = say(&bot, "ann", "/v01-every tick 0 0 1 1 *").await.reply;
    assert_eq!(jobs, "jobs tick");
    let ran = bot.cron().run_now("old-memory/tick", &bot.job_runner()).await.unwrap();
    assert_eq!(ran, Ok(()));
    assert_eq!(say(&bot, "ann", "/v01-read fired/tick").await.reply, "1");
    assert_eq!(say(&bot, "ann", "/v01-read payload/tick").await.reply, "from 0.1");
    assert_eq!(say(&bot, "ann", "/v01-unschedule tick").await.reply, "Ok(true)");

    // observer.on-event and observer.report.
    bot.flush_observers().await;
    let observer = plugins.get(&plugin_name("old-observer")).unwrap().clone();
    let report = observer.report("weekly").await.unwrap();
    assert!(report.starts_with("# weekly\nmessages: ") && !report.contains("(none)"), "{report}");
}

#[tokio::test]
async fn a_0_1_0_plugin_sees_0_1_0_errors_and_settings_are_checked_at_load() {
    let (llm, web) = (FakeLlm::start().await, FakeWeb::start().await);
    let sandbox = Sandbox::new();
    install_old(&sandbox, "old-tool", "tool");
    let mut config = config(&sandbox, &llm, &web);
    config.default_grants.remove(&Capability::Kv);
    let bot = Bot::start(config.clone()).await.unwrap();
    // 0.1.0's kv has no `not-granted`: the missing grant is named in `unavailable`.
    let missing = say(&bot, "ann", "/v01-missing").await.reply;
    assert_eq!(
        missing,
        "Err(KvError::Unavailable(\"this plugin has no `kv` grant: request it in plugin.toml and \
         grant it in dcmaid.toml\"))"
    );
    drop(bot);

    // settings.validate runs at load.
    let entry = config.plugins.entry(plugin_name("old-tool")).or_default();
    entry.config = toml::from_str("mode = \"bad\"").unwrap();
    let bot = Bot::start(config).await.unwrap();
    let failed = bot.plugins().failed().to_vec();
    assert!(failed[0].error.contains("mode: `bad` is not a mode"), "{failed:?}");
}

/// `component` with every `@0.2.0` in its interface names made `@0.3.0` (the same length),
/// as a plugin built for a WIT this host does not speak would name them.
fn from_the_future(component: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(component).unwrap();
    let (from, to) = (b"dcmaid:bot/", b"@0.2.0");
    let mut at = 0;
    while let Some(found) = bytes[at..].windows(from.len()).position(|w| w == from) {
        let start = at + found;
        if let Some(end) = bytes[start..].windows(to.len()).position(|w| w == to) {
            bytes[start + end + 3] = b'3';
        }
        at = start + 1;
    }
    bytes
}

#[tokio::test]
async fn a_component_for_an_unknown_version_is_refused_and_nothing_installed_is_touched() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let future = sandbox.data_dir().join("future.wasm");
    std::fs::write(&future, from_the_future(&dcmaid_tests::component("hello"))).unwrap();
    sandbox.install("future", &future, "version = \"1.0.0\"\nrole = \"persona\"\n");
    let bot = Bot::start(sandbox.config()).await.unwrap();
    let plugins = bot.plugins();
    let failed = plugins.failed();
    assert_eq!(failed.len(), 1, "{failed:?}");
    let error = &failed[0].error;
    assert!(error.contains("dcmaid:bot@0.3.0") && error.contains("0.1.0 and 0.2.0"), "{error}");
    assert!(say(&bot, "ann", "hi").await.reply.starts_with("Hi, ann!"));
}

#[tokio::test]
async fn a_0_2_0_plugin_sees_new_cases_as_their_own_and_the_web_chat_is_direct() {
    let sandbox = Sandbox::new();
    sandbox.install_misbehave();
    let mut config = sandbox.config();
    config.default_grants.remove(&Capability::Kv);
    let bot = std::sync::Arc::new(Bot::start(config).await.unwrap());
    assert_eq!(say(&bot, "ann", "/case anything").await.reply, "not-granted");

    let app = poem::test::TestClient::new(dcmaid_host::api::routes(bot.clone(), None));
    let response =
        app.post("/api/v1/chat").body_json(&serde_json::json!({"text": "/context"})).send().await;
    response.assert_status_is_ok();
    let reply = response.json().await;
    let reply = reply.value().object().get("reply").string().to_owned();
    assert_eq!(reply, "direct true server - thread - reply-to - mentions [] id -");
}
