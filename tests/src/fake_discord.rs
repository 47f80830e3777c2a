//! A fake Discord on 127.0.0.1: the REST API under `/api/v10` and a gateway WebSocket that
//! speaks v10 in JSON text frames (HELLO, IDENTIFY, READY, heartbeats and their ACKs,
//! dispatches, RESUME and RESUMED). Tests queue what users do; everything the bot sends,
//! over REST or the gateway, is recorded. serenity is pointed at it, unmodified, through
//! `HttpBuilder::proxy` (the `[discord] api_proxy` setting).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::websocket::{Message as Frame, WebSocket};
use poem::web::{Data, Json};
use poem::{EndpointExt, IntoResponse, Request, Response, Route, Server, get, handler};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// The bot's user and application id.
pub const BOT_ID: u64 = 100;
const HEARTBEAT_MS: u64 = 1_000;

/// One REST call the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub authorization: String,
    pub body: Value,
}

#[derive(Default)]
struct State {
    address: String,
    calls: Mutex<Vec<Call>>,
    /// Every gateway payload the bot sent (IDENTIFY, RESUME, heartbeats...).
    received: Mutex<Vec<Value>>,
    /// The live gateway connection's outbox and its sequence number.
    live: Mutex<Option<Connection>>,
    sessions: Mutex<u32>,
    /// How many of the next message creations get a 429.
    rate_limited: Mutex<u32>,
}

struct Connection {
    outbox: mpsc::UnboundedSender<Outgoing>,
    seq: u64,
}

enum Outgoing {
    Payload(Value),
    /// Drop the TCP connection without a close frame.
    Drop,
}

pub struct FakeDiscord {
    /// The `api_proxy` to configure.
    pub url: String,
    state: Arc<State>,
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
        let address = acceptor.local_addr()[0].as_socket_addr().cloned().unwrap();
        let state = Arc::new(State { address: address.to_string(), ..State::default() });
        let app = Route::new()
            .at("/gateway", get(gateway))
            .at("/api/v10/*path", rest)
            .data(state.clone());
        tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
        FakeDiscord { url: format!("http://{address}"), state }
    }

    /// The REST calls to paths ending in `suffix` (e.g. `/messages`), in order.
    pub fn calls(&self, method: &str, suffix: &str) -> Vec<Call> {
        let calls = self.state.calls.lock().unwrap();
        calls.iter().filter(|c| c.method == method && c.path.ends_with(suffix)).cloned().collect()
    }

    /// The gateway payloads the bot sent with opcode `op`.
    pub fn received(&self, op: u64) -> Vec<Value> {
        let received = self.state.received.lock().unwrap();
        received.iter().filter(|payload| payload["op"] == op).cloned().collect()
    }

    /// Wait (at most `limit`) until `check` holds.
    pub async fn wait(&self, limit: Duration, check: impl Fn(&FakeDiscord) -> bool) -> bool {
        let started = std::time::Instant::now();
        while started.elapsed() < limit {
            if check(self) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        check(self)
    }

    /// Wait until `count` messages were created, and return every one created so far.
    pub async fn wait_for_messages(&self, count: usize, limit: Duration) -> Vec<Call> {
        self.wait(limit, |fake| fake.calls("POST", "/messages").len() >= count).await;
        self.calls("POST", "/messages")
    }

    /// Dispatch `event` with `data` on the live connection.
    pub fn dispatch(&self, event: &str, data: Value) {
        let mut live = self.state.live.lock().unwrap();
        let connection = live.as_mut().expect("the bot is connected to the gateway");
        connection.seq += 1;
        let payload = json!({"op": 0, "s": connection.seq, "t": event, "d": data});
        let _ = connection.outbox.send(Outgoing::Payload(payload));
    }

    /// User `user` writes `text` in channel `channel`, in guild `guild` or a DM.
    pub fn user_says(&self, id: u64, user: u64, channel: u64, guild: Option<u64>, text: &str) {
        let mut message = message_json(id, user, "alice", channel, text);
        if let Some(guild) = guild {
            message["guild_id"] = json!(guild.to_string());
        }
        self.dispatch("MESSAGE_CREATE", message);
    }

    /// User `user` runs slash command `name` with `args` in channel `channel`.
    pub fn slash_command(&self, id: u64, user: u64, channel: u64, name: &str, args: &str) {
        self.dispatch(
            "INTERACTION_CREATE",
            json!({
                "id": id.to_string(), "application_id": BOT_ID.to_string(), "type": 2,
                "token": format!("token-{id}"),
                "data": {"id": "5000", "name": name, "type": 1,
                         "options": [{"name": "args", "type": 3, "value": args}]},
                "channel_id": channel.to_string(),
                "user": {"id": user.to_string(), "username": "alice", "global_name": "Alice"},
                "version": 1, "locale": "en-US", "entitlements": [], "attachment_size_limit": 8_388_608,
            }),
        );
    }

    /// Drop the gateway connection, as a network failure would.
    pub fn drop_connection(&self) {
        if let Some(connection) = self.state.live.lock().unwrap().take() {
            let _ = connection.outbox.send(Outgoing::Drop);
        }
    }

    /// The next `count` message creations are answered with 429.
    pub fn rate_limit_messages(&self, count: u32) {
        *self.state.rate_limited.lock().unwrap() = count;
    }

    /// Whether a connection is live and has been given READY or RESUMED.
    pub fn connected(&self) -> bool {
        self.state.live.lock().unwrap().is_some()
    }
}

/// A message as Discord sends it: every field serenity requires.
pub fn message_json(id: u64, author: u64, name: &str, channel: u64, text: &str) -> Value {
    json!({
        "id": id.to_string(), "channel_id": channel.to_string(),
        "author": {"id": author.to_string(), "username": name, "discriminator": "0",
                   "avatar": null, "bot": author == BOT_ID},
        "content": text, "timestamp": "2026-11-24T12:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false, "type": 0,
    })
}

#[handler]
async fn rest(request: &Request, Data(state): Data<&Arc<State>>, body: poem::Body) -> Response {
    let path = request.uri().path().trim_start_matches("/api/v10").to_owned();
    let method = request.method().to_string();
    let authorization = request.header("authorization").unwrap_or_default().to_owned();
    let bytes = body.into_vec().await.unwrap_or_default();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let call =
        Call { method: method.clone(), path: path.clone(), authorization, body: body.clone() };
    state.calls.lock().unwrap().push(call);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["gateway"]) => {
            Json(json!({"url": format!("ws://{}/gateway", state.address)})).into_response()
        }
        ("POST", ["channels", channel, "messages"]) => {
            let mut limited = state.rate_limited.lock().unwrap();
            if *limited > 0 {
                *limited -= 1;
                let body = json!({"code": 0, "message": "You are being rate limited.", "retry_after": 0.5, "global": false});
                return (StatusCode::TOO_MANY_REQUESTS, Json(body))
                    .with_header("retry-after", "0.5")
                    .into_response();
            }
            let channel: u64 = channel.parse().unwrap_or(1);
            let text = body["content"].as_str().unwrap_or_default();
            Json(message_json(9_000, BOT_ID, "fakebot", channel, text)).into_response()
        }
        ("POST", ["channels", _, "typing"]) => StatusCode::NO_CONTENT.into_response(),
        ("PUT", ["applications", _, "commands"]) => {
            let commands: Vec<Value> = body
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(n, command)| {
                    json!({"id": (5_000 + n).to_string(), "type": 1, "application_id": BOT_ID.to_string(),
                           "name": command["name"], "description": command["description"], "version": "1"})
                })
                .collect();
            Json(commands).into_response()
        }
        ("POST", ["interactions", _, _, "callback"]) => StatusCode::NO_CONTENT.into_response(),
        ("POST", ["webhooks", _, _]) => {
            let text = body["content"].as_str().unwrap_or_default();
            Json(message_json(9_001, BOT_ID, "fakebot", 1, text)).into_response()
        }
        _ => {
            let body = json!({"code": 0, "message": format!("the fake has no {method} {path}")});
            (StatusCode::NOT_FOUND, Json(body)).into_response()
        }
    }
}

#[handler]
fn gateway(socket: WebSocket, Data(state): Data<&Arc<State>>) -> impl IntoResponse {
    let state = state.clone();
    socket.on_upgrade(move |socket| async move {
        let (mut sink, mut stream) = socket.split();
        let (outbox, mut queued) = mpsc::unbounded_channel::<Outgoing>();
        let hello =
            json!({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_MS}, "s": null, "t": null});
        if sink.send(Frame::Text(hello.to_string())).await.is_err() {
            return;
        }
        loop {
            tokio::select! {
                frame = stream.next() => {
                    let Some(Ok(frame)) = frame else { break };
                    let Frame::Text(text) = frame else { continue };
                    let Ok(payload) = serde_json::from_str::<Value>(&text) else { continue };
                    state.received.lock().unwrap().push(payload.clone());
                    answer(&state, &payload, &outbox);
                }
                outgoing = queued.recv() => match outgoing {
                    Some(Outgoing::Payload(payload)) => {
                        if sink.send(Frame::Text(payload.to_string())).await.is_err() {
                            break;
                        }
                    }
                    // Returning drops the socket: the TCP connection ends without a close.
                    Some(Outgoing::Drop) | None => return,
                },
            }
        }
    })
}

/// The gateway's answer to one payload from the bot.
fn answer(state: &State, payload: &Value, outbox: &mpsc::UnboundedSender<Outgoing>) {
    let send = |payload: Value| {
        let _ = outbox.send(Outgoing::Payload(payload));
    };
    match payload["op"].as_u64() {
        // Heartbeat: acknowledge.
        Some(1) => send(json!({"op": 11})),
        // IDENTIFY: a new session, READY.
        Some(2) => {
            let session = {
                let mut sessions = state.sessions.lock().unwrap();
                *sessions += 1;
                format!("session-{sessions}")
            };
            *state.live.lock().unwrap() = Some(Connection { outbox: outbox.clone(), seq: 1 });
            send(json!({"op": 0, "s": 1, "t": "READY", "d": {
                "v": 10,
                "user": {"id": BOT_ID.to_string(), "username": "fakebot", "bot": true},
                "guilds": [], "session_id": session,
                "resume_gateway_url": format!("ws://{}/gateway", state.address),
                "application": {"id": BOT_ID.to_string(), "flags": 0},
            }}));
        }
        // RESUME: the same session goes on, RESUMED.
        Some(6) => {
            let seq = payload["d"]["seq"].as_u64().unwrap_or(0) + 1;
            *state.live.lock().unwrap() = Some(Connection { outbox: outbox.clone(), seq });
            send(json!({"op": 0, "s": seq, "t": "RESUMED", "d": {}}));
        }
        _ => {}
    }
}
