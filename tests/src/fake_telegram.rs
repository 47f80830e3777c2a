//! A fake Telegram Bot API on 127.0.0.1: `POST /bot<token>/<method>` with the real JSON
//! envelopes. Updates are queued by the test; everything the bot sends is recorded.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Json, Path};
use poem::{EndpointExt, Route, Server, handler, post};
use serde_json::{Value, json};

/// One call the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
}

#[derive(Default)]
struct State {
    token: String,
    updates: Mutex<VecDeque<Value>>,
    calls: Mutex<Vec<Call>>,
    /// How many of the next sendMessage calls get a 429.
    rate_limited_sends: Mutex<u32>,
}

pub struct FakeTelegram {
    /// The `api_url` to configure.
    pub api_url: String,
    state: Arc<State>,
}

impl FakeTelegram {
    /// Start on a free port, accepting only `token`.
    pub async fn start(token: &str) -> FakeTelegram {
        let state = Arc::new(State { token: token.to_owned(), ..State::default() });
        let app = Route::new().at("/:bot/:method", post(bot_api)).data(state.clone());
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
        let address = acceptor.local_addr()[0].as_socket_addr().cloned().unwrap();
        tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
        FakeTelegram { api_url: format!("http://{address}"), state }
    }

    /// A text message from user `user_id` in chat `chat_id`, as the next update.
    pub fn user_says(&self, update_id: i64, user_id: i64, chat_id: i64, text: &str) {
        self.state.updates.lock().unwrap().push_back(update(update_id, user_id, chat_id, text));
    }

    /// `update` (as the Bot API sends one), as the next update.
    pub fn push(&self, update: Value) {
        self.state.updates.lock().unwrap().push_back(update);
    }

    /// The next `count` sendMessage calls are answered with 429, retry after 1 s.
    pub fn rate_limit_sends(&self, count: u32) {
        *self.state.rate_limited_sends.lock().unwrap() = count;
    }

    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.state.calls.lock().unwrap().iter().filter(|c| c.method == method).cloned().collect()
    }

    /// Wait (at most `limit`) until the bot has called `method` `count` times.
    pub async fn wait_for(&self, method: &str, count: usize, limit: Duration) -> Vec<Call> {
        let started = std::time::Instant::now();
        loop {
            let calls = self.calls(method);
            if calls.len() >= count || started.elapsed() > limit {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// An update as the Bot API sends it.
pub fn update(update_id: i64, user_id: i64, chat_id: i64, text: &str) -> Value {
    json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id * 10,
            "date": 1_700_000_000,
            "from": {"id": user_id, "is_bot": false, "first_name": "Tanya", "username": "tanya"},
            "chat": {"id": chat_id, "type": "private"},
            "text": text,
        }
    })
}

fn ok(result: Value) -> Json<Value> {
    Json(json!({"ok": true, "result": result}))
}

#[handler]
async fn bot_api(
    Path((bot, method)): Path<(String, String)>,
    Data(state): Data<&Arc<State>>,
    body: Option<Json<Value>>,
) -> Json<Value> {
    if bot != format!("bot{}", state.token) {
        return Json(json!({"ok": false, "error_code": 401, "description": "Unauthorized"}));
    }
    let body = body.map(|Json(body)| body).unwrap_or(Value::Null);
    state.calls.lock().unwrap().push(Call { method: method.clone(), body: body.clone() });
    match method.as_str() {
        "getUpdates" => {
            let offset = body["offset"].as_i64().unwrap_or(0);
            // Long poll, shortened for tests: wait up to 200 ms for news.
            for _ in 0..10 {
                let ready: Vec<Value> = state
                    .updates
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|u| u["update_id"].as_i64().unwrap_or(0) >= offset)
                    .cloned()
                    .collect();
                if !ready.is_empty() {
                    // Confirmed updates (below the offset) are forgotten, as Telegram does.
                    state
                        .updates
                        .lock()
                        .unwrap()
                        .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
                    return ok(Value::Array(ready));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            ok(json!([]))
        }
        "sendMessage" => {
            let mut limited = state.rate_limited_sends.lock().unwrap();
            if *limited > 0 {
                *limited -= 1;
                return Json(json!({
                    "ok": false,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                }));
            }
            ok(
                json!({"message_id": 1, "date": 1_700_000_001, "chat": {"id": body["chat_id"], "type": "private"}}),
            )
        }
        _ => ok(json!(true)),
    }
}
