//! Discord: the real `dcmaid serve` with its token in the environment and serenity,
//! unmodified, pointed at a fake Discord (REST and gateway) on 127.0.0.1; and both adapters
//! at once, talking to the same bot.

use std::time::Duration;

use dcmaid_tests::Sandbox;
use dcmaid_tests::fake_discord::{BOT_ID, FakeDiscord};
use dcmaid_tests::fake_telegram::FakeTelegram;

use crate::telegram::{Server, serve_with};

const TOKEN: &str = "discord-test-token";
const WAIT: Duration = Duration::from_secs(30);

fn serve(sandbox: &Sandbox, fake: &FakeDiscord) -> Server {
    let discord = format!("[discord]\napi_proxy = \"{}\"\n", fake.url);
    // Debug logs from serenity too: the token must not show even there.
    let env = [("DISCORD_BOT_TOKEN", TOKEN), ("RUST_LOG", "info,serenity=debug")];
    serve_with(sandbox, &discord, &env)
}

/// Wait until the bot is connected and has registered its slash commands.
async fn connected(fake: &FakeDiscord) {
    let ready =
        fake.wait(WAIT, |fake| fake.connected() && !fake.calls("PUT", "/commands").is_empty());
    assert!(ready.await, "the bot never connected and registered its commands");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_reach_the_bot_in_dms_and_when_addressed_and_it_resumes_after_a_drop() {
    let fake = FakeDiscord::start().await;
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let _server = serve(&sandbox, &fake);
    connected(&fake).await;

    let identify = &fake.received(2)[0]["d"];
    assert_eq!(identify["token"], format!("Bot {TOKEN}"));
    let intents = identify["intents"].as_u64().unwrap();
    assert_eq!(intents & (1 << 15), 1 << 15, "MESSAGE_CONTENT is needed to read messages");
    let commands = &fake.calls("PUT", "/commands")[0];
    assert_eq!(commands.path, format!("/applications/{BOT_ID}/commands"));
    assert_eq!(commands.authorization, format!("Bot {TOKEN}"));
    let names: Vec<&str> =
        commands.body.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["help", "hello"]);

    // A DM is always for the bot; the reply is created through REST, with typing first.
    fake.user_says(1, 300, 200, None, "hello there");
    let sent = fake.wait_for_messages(1, WAIT).await;
    assert_eq!(sent[0].path, "/channels/200/messages");
    assert_eq!(sent[0].body["content"], "Hi, alice! That's message #1 from you.");
    assert!(!fake.calls("POST", "/typing").is_empty(), "no typing indicator");

    // In a guild: chatter is ignored, a mention or the prefix is answered, bots are not.
    fake.user_says(2, 300, 201, Some(900), "just talking among ourselves");
    fake.user_says(3, BOT_ID, 201, Some(900), "!hello myself");
    fake.user_says(4, 300, 201, Some(900), &format!("<@{BOT_ID}> hi bot"));
    fake.user_says(5, 300, 201, Some(900), "!hello Ann");
    let sent = fake.wait_for_messages(3, WAIT).await;
    let texts: Vec<&str> = sent.iter().map(|c| c.body["content"].as_str().unwrap()).collect();
    assert!(texts.contains(&"Hi, alice! That's message #2 from you."), "{texts:?}");
    assert!(texts.contains(&"Hello, Ann! 👋"), "{texts:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fake.calls("POST", "/messages").len(), 3, "only the addressed were answered");

    // The connection drops; serenity resumes the same session and goes on.
    fake.drop_connection();
    let resumed = fake.wait(WAIT, |fake| !fake.received(6).is_empty() && fake.connected()).await;
    assert!(resumed, "the bot did not resume");
    let resume = &fake.received(6)[0]["d"];
    assert_eq!(resume["session_id"], "session-1");
    assert_eq!(fake.received(2).len(), 1, "resumed, not identified again");
    fake.user_says(6, 300, 200, None, "still there?");
    let sent = fake.wait_for_messages(4, WAIT).await;
    assert_eq!(sent[3].body["content"], "Hi, alice! That's message #3 from you.");

    let log = std::fs::read_to_string(sandbox.data_dir().join("serve.log")).unwrap();
    assert!(log.contains("discord: connected"), "{log}");
    assert!(!log.contains(TOKEN), "the token was logged: {log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_commands_long_replies_and_rate_limits() {
    let fake = FakeDiscord::start().await;
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let _server = serve(&sandbox, &fake);
    connected(&fake).await;

    // A slash command: acknowledged at once (deferred), answered as a follow-up.
    fake.slash_command(7001, 300, 200, "hello", "Ann");
    fake.wait(WAIT, |fake| !fake.calls("POST", "/token-7001").is_empty()).await;
    let callback = &fake.calls("POST", "/callback")[0];
    assert_eq!(callback.path, "/interactions/7001/token-7001/callback");
    assert_eq!(callback.body["type"], 5, "deferred");
    let followup = &fake.calls("POST", "/token-7001")[0];
    assert_eq!(followup.path, format!("/webhooks/{BOT_ID}/token-7001"));
    assert_eq!(followup.body["content"], "Hello, Ann! 👋");

    // A reply over 2,000 characters goes out in pieces that fit, cut between words.
    let name = "word ".repeat(500);
    fake.user_says(8, 300, 200, None, &format!("!hello {}", name.trim()));
    let sent = fake.wait_for_messages(2, WAIT).await;
    let pieces: Vec<&str> = sent.iter().map(|c| c.body["content"].as_str().unwrap()).collect();
    assert_eq!(pieces.len(), 2, "{pieces:?}");
    assert!(pieces.iter().all(|piece| piece.chars().count() <= 2000));
    assert!(pieces[0].ends_with("word "), "cut between words");
    assert_eq!(pieces.concat(), format!("Hello, {}! 👋", name.trim()));

    // A 429 is waited out and the message sent again.
    fake.rate_limit_messages(1);
    fake.user_says(9, 300, 200, None, "!hello Bo");
    let sent = fake.wait_for_messages(4, WAIT).await;
    assert_eq!(sent.len(), 4, "the reply was not retried after the 429");
    assert_eq!(sent[2].body, sent[3].body);
    assert_eq!(sent[3].body["content"], "Hello, Bo! 👋");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_and_telegram_talk_to_the_same_bot_at_once() {
    let discord = FakeDiscord::start().await;
    let telegram = FakeTelegram::start(crate::telegram::TOKEN).await;
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let tables = format!(
        "[discord]\napi_proxy = \"{}\"\n[telegram]\napi_url = \"{}\"\npoll_timeout_secs = 1\n",
        discord.url, telegram.api_url
    );
    let env = [("DISCORD_BOT_TOKEN", TOKEN), ("TELEGRAM_BOT_TOKEN", crate::telegram::TOKEN)];
    let _server = serve_with(&sandbox, &tables, &env);
    connected(&discord).await;

    telegram.user_says(1, 42, 4200, "hello from telegram");
    discord.user_says(1, 300, 200, None, "hello from discord");
    telegram.user_says(2, 42, 4200, "and again");
    let from_telegram = telegram.wait_for("sendMessage", 2, WAIT).await;
    let from_discord = discord.wait_for_messages(1, WAIT).await;
    // One bot, one store: each platform's user is their own (telegram:42, discord:300).
    assert_eq!(from_telegram[1].body["text"], "Hi, tanya\\! That's message \\#2 from you\\.");
    assert_eq!(from_discord[0].body["content"], "Hi, alice! That's message #1 from you.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_sees_where_a_discord_message_arrived() {
    let fake = FakeDiscord::start().await;
    let sandbox = Sandbox::new();
    sandbox.install_misbehave();
    let _server = serve(&sandbox, &fake);
    connected(&fake).await;

    // In guild 900, answering message 41, mentioning the bot and user 301.
    let mut message = dcmaid_tests::fake_discord::message_json(
        42,
        300,
        "alice",
        201,
        &format!("<@{BOT_ID}> /context"),
    );
    message["guild_id"] = serde_json::json!("900");
    message["message_reference"] = serde_json::json!({"message_id": "41", "channel_id": "201"});
    message["mentions"] = serde_json::json!([
        {"id": BOT_ID.to_string(), "username": "dcmaid", "discriminator": "0", "avatar": null, "bot": true},
        {"id": "301", "username": "bob", "discriminator": "0", "avatar": null},
    ]);
    fake.dispatch("MESSAGE_CREATE", message);
    let sent = fake.wait_for_messages(1, WAIT).await;
    assert_eq!(
        sent[0].body["content"],
        "direct false server 900 thread - reply-to 41 mentions [discord:301] id 42"
    );

    // A DM.
    fake.user_says(43, 300, 200, None, "/context");
    let sent = fake.wait_for_messages(2, WAIT).await;
    assert_eq!(
        sent[1].body["content"],
        "direct true server - thread - reply-to - mentions [] id 43"
    );
}
