//! Telegram: the real `dcmaid serve` with its token in the environment, against a fake Bot
//! API on 127.0.0.1, in polling and in webhook mode.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dcmaid_tests::fake_telegram::{FakeTelegram, update};
use dcmaid_tests::{Sandbox, dcmaid_binary};

pub(crate) const TOKEN: &str = "123456:TEST-token";
const WAIT: Duration = Duration::from_secs(30);

pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `dcmaid serve` with `tables` appended to its config and `env` in its environment; its log
/// goes to `serve.log` in the data dir.
pub(crate) fn serve_with(sandbox: &Sandbox, tables: &str, env: &[(&str, &str)]) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = format!(
        "data_dir = \"{}\"\n[server]\nbind = \"127.0.0.1:{port}\"\n{tables}\n",
        sandbox.data_dir().display()
    );
    let path = sandbox.data_dir().join("dcmaid.toml");
    std::fs::write(&path, config).unwrap();
    let child = Command::new(dcmaid_binary())
        .arg("--config")
        .arg(&path)
        .arg("serve")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(sandbox.data_dir().join("serve.log")).unwrap())
        .spawn()
        .unwrap();
    Server { child, port }
}

/// `dcmaid serve` with `telegram` as its `[telegram]` table and the token (and secret) set.
fn serve(sandbox: &Sandbox, telegram: &str) -> Server {
    let env = [("TELEGRAM_BOT_TOKEN", TOKEN), ("TELEGRAM_WEBHOOK_SECRET", "s3cret")];
    serve_with(sandbox, &format!("[telegram]\n{telegram}"), &env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_answers_users_and_publishes_commands() {
    let fake = FakeTelegram::start(TOKEN).await;
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    fake.user_says(1, 42, 4200, "hello there");
    let _server =
        serve(&sandbox, &format!("api_url = \"{}\"\npoll_timeout_secs = 1", fake.api_url));

    let sent = fake.wait_for("sendMessage", 1, WAIT).await;
    assert_eq!(sent.len(), 1, "no reply was sent");
    assert_eq!(sent[0].body["chat_id"], 4200);
    assert_eq!(sent[0].body["parse_mode"], "MarkdownV2");
    // The user is telegram:42 called by their username; `!` and `.` are escaped.
    assert_eq!(sent[0].body["text"], "Hi, tanya\\! That's message \\#1 from you\\.");

    let commands = fake.calls("setMyCommands");
    let names: Vec<&str> = commands[0].body["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["help", "hello"]);
    assert!(!fake.calls("sendChatAction").is_empty(), "no typing indicator");

    // The next poll confirms update 1; a second message is answered too.
    fake.user_says(2, 42, 4200, "/hello Ann");
    let sent = fake.wait_for("sendMessage", 2, WAIT).await;
    assert_eq!(sent[1].body["text"], "Hello, Ann\\! 👋");
    let offsets: Vec<i64> =
        fake.calls("getUpdates").iter().map(|c| c.body["offset"].as_i64().unwrap()).collect();
    assert!(offsets.contains(&2), "update 1 was never confirmed: {offsets:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_waited_out_and_the_reply_still_arrives() {
    let fake = FakeTelegram::start(TOKEN).await;
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    fake.rate_limit_sends(1);
    fake.user_says(7, 1, 100, "hi");
    let _server =
        serve(&sandbox, &format!("api_url = \"{}\"\npoll_timeout_secs = 1", fake.api_url));
    let sent = fake.wait_for("sendMessage", 2, WAIT).await;
    assert_eq!(sent.len(), 2, "the reply was not retried after the 429");
    assert_eq!(sent[0].body, sent[1].body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_checks_the_secret() {
    let fake = FakeTelegram::start(TOKEN).await;
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let server = serve(
        &sandbox,
        &format!(
            "api_url = \"{}\"\nmode = \"webhook\"\nwebhook_url = \"https://bot.example/telegram/webhook\"",
            fake.api_url
        ),
    );
    let webhook = fake.wait_for("setWebhook", 1, WAIT).await;
    assert_eq!(webhook[0].body["url"], "https://bot.example/telegram/webhook");
    assert_eq!(webhook[0].body["secret_token"], "s3cret");

    let url = format!("http://127.0.0.1:{}/telegram/webhook", server.port);
    let post = |secret: &'static str| {
        let url = url.clone();
        async move {
            let started = Instant::now();
            loop {
                let response = reqwest::Client::new()
                    .post(&url)
                    .header("X-Telegram-Bot-Api-Secret-Token", secret)
                    .json(&update(9, 5, 500, "hey"))
                    .send()
                    .await;
                match response {
                    Ok(response) => return response.status().as_u16(),
                    Err(_) if started.elapsed() < WAIT => {
                        tokio::time::sleep(Duration::from_millis(100)).await
                    }
                    Err(error) => panic!("the webhook never answered: {error}"),
                }
            }
        }
    };
    assert_eq!(post("wrong").await, 401);
    assert!(fake.calls("sendMessage").is_empty());
    assert_eq!(post("s3cret").await, 200);
    let sent = fake.wait_for("sendMessage", 1, WAIT).await;
    assert_eq!(sent[0].body["chat_id"], 500);
    assert!(fake.calls("getUpdates").is_empty(), "webhook mode must not poll");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_sees_where_a_telegram_message_arrived() {
    let fake = FakeTelegram::start(TOKEN).await;
    let sandbox = Sandbox::new();
    sandbox.install_misbehave();
    // In a forum topic of a group, replying to message 70, mentioning @bob and a user by id.
    let text = "/context @bob and Zed";
    let mut group = update(8, 42, -100, text);
    group["message"]["chat"]["type"] = serde_json::json!("supergroup");
    group["message"]["message_thread_id"] = serde_json::json!(5);
    group["message"]["reply_to_message"] = serde_json::json!({"message_id": 70, "date": 0,
        "chat": {"id": -100, "type": "supergroup"}});
    group["message"]["entities"] = serde_json::json!([
        {"type": "bot_command", "offset": 0, "length": 8},
        {"type": "mention", "offset": 9, "length": 4},
        {"type": "text_mention", "offset": 18, "length": 3,
         "user": {"id": 77, "is_bot": false, "first_name": "Zed"}},
    ]);
    fake.push(group);
    fake.user_says(9, 42, 4200, "/context");
    let _server =
        serve(&sandbox, &format!("api_url = \"{}\"\npoll_timeout_secs = 1", fake.api_url));
    let sent = fake.wait_for("sendMessage", 2, WAIT).await;
    let texts: Vec<String> =
        sent.iter().map(|call| call.body["text"].as_str().unwrap().replace('\\', "")).collect();
    assert_eq!(
        texts,
        [
            "direct false server - thread 5 reply-to 70 mentions [telegram:@bob,telegram:77] id 80",
            "direct true server - thread - reply-to - mentions [] id 90",
        ]
    );
}
