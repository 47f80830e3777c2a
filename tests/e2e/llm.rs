//! The language model: the persona's turn through a fake OpenAI-compatible API, failures
//! that fall back to the template, retries, and the `llm` capability for plugins.

use std::time::{Duration, Instant};

use dcmaid_host::{Bot, Config};
use dcmaid_tests::Sandbox;
use dcmaid_tests::fake_llm::{FakeLlm, Scripted};

use crate::say;

fn with_model(sandbox: &Sandbox, fake: &FakeLlm) -> Config {
    let mut config = sandbox.config();
    config.limits.call_timeout_ms = 5_000;
    config.llm.base_url = Some(fake.base_url.clone());
    config.llm.model = "fake-chat".into();
    config.llm.embedding_model = Some("fake-embed".into());
    // HOME is set in every test environment: a key the test can predict without setting one.
    config.llm.api_key_env = "HOME".into();
    config.llm.timeout_ms = 300;
    config
}

async fn bot(fake: &FakeLlm) -> (Sandbox, Bot) {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_misbehave();
    let bot = Bot::start(with_model(&sandbox, fake)).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    (sandbox, bot)
}

#[tokio::test]
async fn the_persona_prompt_goes_to_the_model_and_its_draft_comes_back() {
    let fake = FakeLlm::start().await;
    let (_sandbox, bot) = bot(&fake).await;
    let outcome = say(&bot, "alice", "what a day").await;
    assert_eq!(outcome.reply, "(model) what a day");
    assert!(!outcome.model_failed);

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.path, "/v1/chat/completions");
    assert_eq!(request.body["model"], "fake-chat");
    let messages = request.body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "system");
    assert!(messages[0]["content"].as_str().unwrap().contains("talking to alice (message #1)"));
    assert_eq!(messages[1]["role"], "user");
    assert_eq!(messages[1]["content"], "what a day");
    let key = std::env::var("HOME").unwrap();
    assert_eq!(request.authorization.as_deref(), Some(format!("Bearer {key}").as_str()));
}

#[tokio::test]
async fn a_failing_model_is_retried_then_falls_back_to_the_template() {
    let fake = FakeLlm::start().await;
    let (_sandbox, bot) = bot(&fake).await;
    fake.script([Scripted::Fail(500), Scripted::Fail(502), Scripted::Fail(503)]);
    let outcome = say(&bot, "alice", "hello?").await;
    assert!(outcome.model_failed);
    assert!(!outcome.failed);
    assert_eq!(outcome.reply, "Hi, alice! That's message #1 from you.");
    // One try and the two configured retries.
    assert_eq!(fake.requests().len(), 3);
    // The next message is answered by the model again.
    assert_eq!(say(&bot, "alice", "better now?").await.reply, "(model) better now?");
}

#[tokio::test]
async fn rate_limits_are_waited_out() {
    let fake = FakeLlm::start().await;
    let (_sandbox, bot) = bot(&fake).await;
    fake.script([Scripted::RateLimited { retry_after_secs: 1 }]);
    let started = Instant::now();
    let outcome = say(&bot, "alice", "patience").await;
    assert_eq!(outcome.reply, "(model) patience");
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was not honoured");
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn a_bad_request_is_not_retried() {
    let fake = FakeLlm::start().await;
    let (_sandbox, bot) = bot(&fake).await;
    fake.script([Scripted::Fail(400)]);
    let outcome = say(&bot, "alice", "hmm").await;
    assert!(outcome.model_failed);
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn a_slow_model_times_out_into_the_template() {
    let fake = FakeLlm::start().await;
    let (sandbox, _) = bot(&fake).await;
    let mut config = with_model(&sandbox, &fake);
    config.llm.max_retries = 0;
    let bot = Bot::start(config).await.unwrap();
    fake.script([Scripted::Stall(Duration::from_secs(3))]);
    let started = Instant::now();
    let outcome = say(&bot, "alice", "anyone?").await;
    assert!(outcome.model_failed);
    assert!(outcome.reply.starts_with("Hi, alice!"), "{}", outcome.reply);
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_model_that_is_down_falls_back_to_the_template() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let mut config = sandbox.config();
    // Nothing listens on port 9 of loopback.
    config.llm.base_url = Some("http://127.0.0.1:9/v1".into());
    config.llm.max_retries = 1;
    let bot = Bot::start(config).await.unwrap();
    let outcome = say(&bot, "alice", "hi").await;
    assert!(outcome.model_failed);
    assert_eq!(outcome.reply, "Hi, alice! That's message #1 from you.");
}

#[tokio::test]
async fn an_unexpected_tool_call_falls_back_to_the_template() {
    let fake = FakeLlm::start().await;
    let (_sandbox, bot) = bot(&fake).await;
    fake.script([Scripted::ToolCall { name: "launch".into(), arguments: "{}".into() }]);
    let outcome = say(&bot, "alice", "do it").await;
    assert!(outcome.model_failed);
    assert!(outcome.reply.starts_with("Hi, alice!"));
}

#[tokio::test]
async fn plugins_granted_llm_can_infer_and_embed() {
    let fake = FakeLlm::start().await;
    let (_sandbox, bot) = bot(&fake).await;
    assert_eq!(
        say(&bot, "alice", "/ask why is the sky blue").await.reply,
        "(model) why is the sky blue"
    );
    assert_eq!(say(&bot, "alice", "/embed hello").await.reply, "dimensions: 8");
    let embed = fake.requests().into_iter().find(|r| r.path == "/v1/embeddings").unwrap();
    assert_eq!(embed.body["model"], "fake-embed");
    assert_eq!(embed.body["input"], serde_json::json!(["hello"]));
}

#[tokio::test]
async fn tool_calls_round_trip_through_the_model() {
    let fake = FakeLlm::start().await;
    let (_sandbox, bot) = bot(&fake).await;
    fake.script([
        Scripted::ToolCall { name: "roll_dice".into(), arguments: r#"{"sides":6}"#.into() },
        Scripted::Reply("You rolled a 4.".into()),
    ]);
    assert_eq!(say(&bot, "alice", "/dice roll for me").await.reply, "You rolled a 4.");

    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    let offered = &requests[0].body["tools"][0];
    assert_eq!(offered["type"], "function");
    assert_eq!(offered["function"]["name"], "roll_dice");
    assert_eq!(offered["function"]["parameters"]["required"][0], "sides");
    let messages = requests[1].body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert_eq!(messages[1]["role"], "assistant");
    assert_eq!(messages[1]["tool_calls"][0]["id"], "call_1");
    assert_eq!(messages[1]["tool_calls"][0]["function"]["name"], "roll_dice");
    assert_eq!(messages[1]["tool_calls"][0]["function"]["arguments"], r#"{"sides":6}"#);
    assert_eq!(messages[2]["role"], "tool");
    assert_eq!(messages[2]["tool_call_id"], "call_1");
    assert_eq!(messages[2]["content"], "4");
}

#[tokio::test]
async fn llm_needs_a_grant_and_a_model() {
    let fake = FakeLlm::start().await;
    let sandbox = Sandbox::new();
    sandbox.install_misbehave();
    let mut config = with_model(&sandbox, &fake);
    config.default_grants.remove(&dcmaid_host::core::Capability::Llm);
    let bot = Bot::start(config).await.unwrap();
    assert!(say(&bot, "alice", "/ask anything").await.failed);
    assert!(fake.requests().is_empty(), "an ungranted plugin reached the model");
    drop(bot);

    let unconfigured = Bot::start(sandbox.config()).await.unwrap();
    let outcome = say(&unconfigured, "alice", "/ask anything").await;
    assert!(outcome.reply.starts_with("Sorry"), "{}", outcome.reply);
}
