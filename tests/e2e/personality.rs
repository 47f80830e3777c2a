//! The `personality` persona in the real host: moods that persist and decay on a moved
//! clock, the prompt the model sees, the voice it finishes in, templates that never repeat,
//! the seed's YAML and a Character Card V2, a bad config refused at load, and
//! `dcmaid eval persona` against a judge whose answers are known.

use std::process::Stdio;
use std::time::Duration;

use dcmaid_host::Bot;
use dcmaid_host::config::Config;
use dcmaid_host::core::ManualClock;
use dcmaid_tests::fake_llm::{FakeLlm, Scripted};
use dcmaid_tests::{Sandbox, dcmaid_binary, repository};

use crate::{say, start_on};

/// 2023-11-14, a Tuesday: any fixed start will do.
const START_MS: u64 = 1_700_000_000_000;
const HOUR: Duration = Duration::from_secs(3600);

fn sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.install_personality();
    sandbox
}

/// The number on the `/mood` line of `mood` (happiness, energy, affection, trust).
fn mood_value(report: &str, mood: &str) -> f64 {
    let line = report.lines().find(|line| line.starts_with(mood)).expect(report);
    line.split_whitespace().last().unwrap().parse().unwrap()
}

#[tokio::test]
async fn moods_move_survive_a_restart_and_decay_on_a_moved_clock() {
    let sandbox = sandbox();
    let clock = ManualClock::at_ms(START_MS);
    let bot = start_on(sandbox.config(), &clock).await;

    let first = say(&bot, "alice", "/mood").await.reply;
    assert!(first.contains("we've only just met"), "{first}");
    assert_eq!(mood_value(&first, "affection"), 30.0);
    for _ in 0..5 {
        say(&bot, "alice", "you're so cute and clever").await;
    }
    let praised = say(&bot, "alice", "/mood").await.reply;
    let affection = mood_value(&praised, "affection");
    assert!(affection > 40.0, "{praised}");
    assert!(mood_value(&praised, "happiness") > 60.0, "{praised}");
    assert!(praised.contains("openness 0.60") && praised.contains("tsundere 0.70"), "{praised}");
    // Someone else's mood is their own.
    let bob = say(&bot, "bob", "/mood").await.reply;
    assert_eq!(mood_value(&bob, "affection"), 30.0, "{bob}");
    drop(bot);

    let bot = start_on(sandbox.config(), &clock).await;
    let restarted = say(&bot, "alice", "/mood").await.reply;
    assert_eq!(restarted, praised, "the mood survives a restart");

    // `affection_decay: 0.01 per hour`: 69 hours later, half-way back to the baseline of 30.
    clock.advance(HOUR * 69);
    let later = say(&bot, "alice", "/mood").await.reply;
    let expected = 30.0 + (affection - 30.0) * 0.99f64.powi(69);
    assert!((mood_value(&later, "affection") - expected).abs() <= 1.0, "{later}");
    clock.advance(HOUR * 24 * 365);
    let a_year_on = say(&bot, "alice", "/mood").await.reply;
    assert_eq!(mood_value(&a_year_on, "affection"), 30.0, "{a_year_on}");
}

#[tokio::test]
async fn twenty_hellos_get_ten_greetings_and_never_the_same_twice_in_a_row() {
    let sandbox = sandbox();
    let clock = ManualClock::at_ms(START_MS);
    let bot = start_on(sandbox.config(), &clock).await;
    let mut replies: Vec<String> = Vec::new();
    for _ in 0..40 {
        clock.advance(Duration::from_secs(60));
        let outcome = say(&bot, "alice", "hello").await;
        assert!(!outcome.failed && outcome.plugin.as_deref() == Some("personality"));
        assert!(outcome.reply.len() > 3, "{outcome:?}");
        replies.push(outcome.reply);
    }
    for pair in replies.windows(2) {
        assert_ne!(pair[0], pair[1]);
    }
    // The first twenty already go round at least ten greetings.
    let first: std::collections::BTreeSet<&String> = replies[..20].iter().collect();
    assert!(first.len() >= 10, "{} distinct greetings in 20: {first:?}", first.len());
}

#[tokio::test]
async fn the_prompt_carries_traits_and_mood_and_the_draft_is_finished_in_voice() {
    let fake = FakeLlm::start().await;
    let sandbox = sandbox();
    let mut config = sandbox.config();
    config.limits.call_timeout_ms = 5_000;
    config.llm.base_url = Some(fake.base_url.clone());
    config.llm.timeout_ms = 300;
    config.llm.max_retries = 1;
    let clock = ManualClock::at_ms(START_MS);
    let bot = start_on(config, &clock).await;

    fake.script([Scripted::Reply("Sure thing.".into())]);
    let outcome = say(&bot, "alice", "you're amazing").await;
    assert!(!outcome.model_failed, "{outcome:?}");
    assert!(outcome.reply.starts_with("S-sure thing."), "a flustered tsundere: {outcome:?}");
    let requests = fake.requests();
    let system = requests[0].body["messages"][0]["content"].as_str().unwrap().to_owned();
    for expected in [
        "You are Aiko",
        "openness 0.60, conscientiousness 0.70, extraversion 0.50, agreeableness 0.35",
        "Tsundere level 0.70, dere level 0.30",
        "Your mood toward alice right now (0 to 100): happiness ",
        "alice complimented you.",
    ] {
        assert!(system.contains(expected), "missing {expected:?} in {system}");
    }

    // A model that fails, or is too slow, leaves the template.
    fake.script([Scripted::Fail(500), Scripted::Fail(500)]);
    let failed = say(&bot, "alice", "what do you think of rain?").await;
    assert!(failed.model_failed && !failed.failed, "{failed:?}");
    assert!(failed.reply.len() > 3 && !failed.reply.contains("Sorry"), "{failed:?}");
    fake.script([Scripted::Stall(Duration::from_secs(2)), Scripted::Stall(Duration::from_secs(2))]);
    let slow = say(&bot, "alice", "and snow?").await;
    assert!(slow.model_failed && slow.reply.len() > 3, "{slow:?}");
}

/// A dcmaid.toml in the sandbox whose persona settings are files.
fn config_with_files(sandbox: &Sandbox, personality: &str, card: Option<&str>) -> Config {
    let dir = sandbox.data_dir();
    std::fs::write(dir.join("personality.yaml"), personality).unwrap();
    let mut toml = format!(
        "data_dir = \"{}\"\n[plugins.personality.config]\npersonality = {{ file = \"personality.yaml\" }}\n",
        dir.display()
    );
    if let Some(card) = card {
        std::fs::write(dir.join("card.json"), card).unwrap();
        toml.push_str("character_card = { file = \"card.json\" }\n");
    }
    std::fs::write(dir.join("dcmaid.toml"), toml).unwrap();
    let mut config = Config::load(&dir.join("dcmaid.toml")).unwrap();
    config.limits = sandbox.config().limits;
    config
}

#[tokio::test]
async fn the_seeds_yaml_and_a_character_card_shape_the_persona() {
    let sandbox = sandbox();
    let seed =
        std::fs::read_to_string(repository().join("config/personality_config.yaml")).unwrap();
    let card = r#"{"spec": "chara_card_v2", "spec_version": "2.0", "data": {
        "name": "Rin", "description": "{{char}} keeps a mountain shrine.",
        "personality": "proud, secretly kind", "scenario": "", "first_mes": "Hmph. A visitor. I'm Rin; what do you want, {{user}}?",
        "alternate_greetings": ["{{user}}. You again."], "mes_example": "", "system_prompt": "",
        "creator_notes": "ignored", "tags": ["shrine"], "extensions": {}}}"#;
    let clock = ManualClock::at_ms(START_MS);
    let bot = start_on(config_with_files(&sandbox, &seed, Some(card)), &clock).await;

    let first = say(&bot, "alice", "hello").await.reply;
    assert_eq!(first, "Hmph. A visitor. I'm Rin; what do you want, alice?");
    assert!(say(&bot, "alice", "/mood").await.reply.starts_with("Rin's mood toward alice"));
    let mut greetings = Vec::new();
    for _ in 0..60 {
        clock.advance(Duration::from_secs(60));
        greetings.push(say(&bot, "alice", "hi").await.reply);
    }
    let seen = |line: &str| greetings.iter().any(|g| g == line);
    assert!(seen("M-myaw! H-hello alice..."), "the seed's templates join in: {greetings:?}");
    assert!(seen("alice. You again."), "the card's greetings join in: {greetings:?}");
}

#[tokio::test]
async fn a_bad_personality_config_refuses_the_plugin_with_the_key_and_the_value() {
    let sandbox = sandbox();
    let bad = "personality:\n  base_traits:\n    tsundere_level: 1.7\n";
    let config = config_with_files(&sandbox, bad, None);
    let bot = Bot::start(config).await.unwrap();
    let plugins = bot.plugins();
    let failed = plugins.failed();
    assert_eq!(failed.len(), 1);
    let error = &failed[0].error;
    assert!(error.contains("plugin `personality`: refused its settings"), "{error}");
    assert!(error.contains("base_traits.tsundere_level: expected 0.0 to 1.0, got 1.7"), "{error}");
    // The host runs on without it.
    assert!(say(&bot, "alice", "/help").await.reply.starts_with("Commands:"));

    let sandbox = Sandbox::new();
    sandbox.install_personality();
    let typo = "personality:\n  mood_modifiers:\n    affection_decay: 0.01 per fortnight\n";
    let bot = Bot::start(config_with_files(&sandbox, typo, None)).await.unwrap();
    let error = bot.plugins().failed()[0].error.clone();
    assert!(error.contains("affection_decay") || error.contains("fortnight"), "{error}");
}

#[tokio::test]
async fn eval_persona_scores_the_judges_ratings_against_the_configured_traits() {
    let judge = FakeLlm::start().await;
    // The first statement gets no usable rating; every other one "agree strongly".
    judge.script(
        std::iter::once(Scripted::Reply("I can't rate that".into()))
            .chain((0..43).map(|_| Scripted::Reply("5".into()))),
    );
    let sandbox = sandbox();
    let config_path = sandbox.data_dir().join("dcmaid.toml");
    std::fs::write(&config_path, format!("data_dir = \"{}\"\n", sandbox.data_dir().display()))
        .unwrap();
    let output = tokio::process::Command::new(dcmaid_binary())
        .arg("--config")
        .arg(&config_path)
        .args(["eval", "persona", "--judge", &judge.base_url, "--judge-model", "judge", "--json"])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 44);
    assert!(items[0]["rating"].is_null());
    assert!(items[1..].iter().all(|item| item["rating"] == 5));
    // All fives: a trait scores (forward items * 5 + reversed items * 1) / items, from 1..=5
    // to 0..=1. Extraversion lost its first (forward) item to the unusable rating.
    let expected = [
        ("openness", 0.6, (8.0 * 5.0 + 2.0) / 10.0),
        ("conscientiousness", 0.7, (5.0 * 5.0 + 4.0) / 9.0),
        ("extraversion", 0.5, (4.0 * 5.0 + 3.0) / 7.0),
        ("agreeableness", 0.35, (5.0 * 5.0 + 4.0) / 9.0),
        ("neuroticism", 0.65, (5.0 * 5.0 + 3.0) / 8.0),
    ];
    let traits = report["traits"].as_array().unwrap();
    let mut total_error = 0.0;
    for ((name, configured, mean), score) in expected.iter().zip(traits) {
        let measured = (mean - 1.0) / 4.0;
        assert_eq!(score["trait"], *name);
        assert!((score["configured"].as_f64().unwrap() - configured).abs() < 1e-6, "{score}");
        assert!((score["measured"].as_f64().unwrap() - measured).abs() < 1e-9, "{score}");
        total_error += (measured - configured).abs();
    }
    let mae = report["mean_absolute_error"].as_f64().unwrap();
    assert!((mae - total_error / 5.0).abs() < 1e-6, "{mae}");

    // The judge saw each statement with the persona's own answer.
    let requests = judge.requests();
    assert_eq!(requests.len(), 44);
    let asked = requests[5].body["messages"][1]["content"].as_str().unwrap();
    assert!(asked.starts_with("Statement: I see myself as someone who is reserved."), "{asked}");
    let answer = items[5]["answer"].as_str().unwrap();
    assert!(!answer.is_empty() && asked.ends_with(answer), "{asked}");
}
