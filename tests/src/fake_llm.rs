//! A fake OpenAI-compatible API on 127.0.0.1, speaking the real chat-completions and
//! embeddings JSON. It answers from a script, then with a default, and records every request.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Json};
use poem::{EndpointExt, IntoResponse, Request, Response, Route, Server, handler, post};
use serde_json::{Value, json};

/// What the fake does with the next chat request.
pub enum Scripted {
    /// Answer with this text.
    Reply(String),
    /// Ask for a call of `name` with `arguments`.
    ToolCall { name: String, arguments: String },
    /// Fail with this HTTP status and an OpenAI-style error body.
    Fail(u16),
    /// 429 with `Retry-After`.
    RateLimited { retry_after_secs: u32 },
    /// Wait this long before answering (to trip the client's timeout).
    Stall(Duration),
}

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
}

#[derive(Default)]
struct State {
    script: Mutex<VecDeque<Scripted>>,
    requests: Mutex<Vec<Recorded>>,
}

pub struct FakeLlm {
    /// The base URL to configure, ending in `/v1`.
    pub base_url: String,
    state: Arc<State>,
}

impl FakeLlm {
    /// Start on a free port; the server lives as long as the test's runtime.
    pub async fn start() -> FakeLlm {
        let state = Arc::new(State::default());
        let app = Route::new()
            .at("/v1/chat/completions", post(chat))
            .at("/v1/embeddings", post(embeddings))
            .data(state.clone());
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
        let address = acceptor.local_addr()[0].as_socket_addr().cloned().unwrap();
        tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
        FakeLlm { base_url: format!("http://{address}/v1"), state }
    }

    /// Queue what the next chat requests get, in order.
    pub fn script(&self, steps: impl IntoIterator<Item = Scripted>) {
        self.state.script.lock().unwrap().extend(steps);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }
}

fn record(state: &State, request: &Request, body: &Value) {
    let authorization = request.header("authorization").map(str::to_owned);
    let path = request.uri().path().to_owned();
    state.requests.lock().unwrap().push(Recorded { path, authorization, body: body.clone() });
}

fn completion(message: Value) -> Response {
    Json(json!({
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": "fake",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
    }))
    .into_response()
}

#[handler]
async fn chat(
    Data(state): Data<&Arc<State>>,
    request: &Request,
    Json(body): Json<Value>,
) -> Response {
    record(state, request, &body);
    let next = state.script.lock().unwrap().pop_front();
    match next {
        Some(Scripted::Reply(text)) => completion(json!({"role": "assistant", "content": text})),
        Some(Scripted::ToolCall { name, arguments }) => completion(json!({
            "role": "assistant",
            "content": null,
            "tool_calls": [{"id": "call_1", "type": "function",
                            "function": {"name": name, "arguments": arguments}}],
        })),
        Some(Scripted::Fail(status)) => {
            let status = StatusCode::from_u16(status).unwrap();
            let body =
                json!({"error": {"message": "the fake failed on purpose", "type": "server_error"}});
            (status, Json(body)).into_response()
        }
        Some(Scripted::RateLimited { retry_after_secs }) => {
            let body = json!({"error": {"message": "slow down", "type": "rate_limit"}});
            (StatusCode::TOO_MANY_REQUESTS, Json(body))
                .with_header("retry-after", retry_after_secs.to_string())
                .into_response()
        }
        Some(Scripted::Stall(wait)) => {
            tokio::time::sleep(wait).await;
            completion(json!({"role": "assistant", "content": "too late"}))
        }
        None => {
            let last_user = body["messages"]
                .as_array()
                .and_then(|messages| messages.iter().rev().find(|m| m["role"] == "user"))
                .and_then(|m| m["content"].as_str())
                .unwrap_or_default()
                .to_owned();
            completion(json!({"role": "assistant", "content": format!("(model) {last_user}")}))
        }
    }
}

#[handler]
async fn embeddings(
    Data(state): Data<&Arc<State>>,
    request: &Request,
    Json(body): Json<Value>,
) -> Response {
    record(state, request, &body);
    let inputs = body["input"].as_array().cloned().unwrap_or_default();
    // A deterministic 8-dimensional vector per input, returned out of order as real APIs may.
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .rev()
        .map(|(index, input)| {
            let length = input.as_str().map(str::len).unwrap_or_default() as f32;
            json!({"object": "embedding", "index": index, "embedding": [length, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5]})
        })
        .collect();
    Json(json!({"object": "list", "data": data, "model": body["model"]})).into_response()
}
