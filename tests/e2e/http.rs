//! The HTTP API through poem's test client.

use std::sync::Arc;

use dcmaid_host::Bot;
use dcmaid_tests::Sandbox;
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::{Value, json};

async fn client() -> (Sandbox, TestClient<impl poem::Endpoint>) {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let mut config = sandbox.config();
    config.server.admin_token = Some("s3cret".into());
    let bot = Arc::new(Bot::start(config).await.unwrap());
    (sandbox, TestClient::new(dcmaid_host::api::routes(bot, None)))
}

#[tokio::test]
async fn chat_answers_as_the_persona_and_runs_commands() {
    let (_sandbox, client) = client().await;
    let response = client
        .post("/api/v1/chat")
        .header("Authorization", "Bearer s3cret")
        .body_json(&json!({"user_id": "42", "user_name": "Alice", "text": "hello"}))
        .send()
        .await;
    response.assert_status_is_ok();
    let body: Value = response.json().await.value().deserialize();
    assert_eq!(body["reply"], "Hi, Alice! That's message #1 from you.");
    assert_eq!(body["plugin"], "hello");

    let response = client
        .post("/api/v1/chat")
        .header("Authorization", "Bearer s3cret")
        .body_json(&json!({"user_id": "42", "text": "/hello"}))
        .send()
        .await;
    let body: Value = response.json().await.value().deserialize();
    assert_eq!(body["reply"], "Hello, 42! 👋");
    assert_eq!(body["command"], "hello");
}

/// A public caller speaks as the session the server gave them: never as a user they name,
/// never as another session's user, and as the same user each time they send it back.
#[tokio::test]
async fn a_public_caller_speaks_as_their_own_session_and_no_one_else() {
    let (_sandbox, client) = client().await;
    let hello = json!({"user_name": "Alice", "text": "hello"});
    let reply = async |response: poem::test::TestResponse| -> (Option<String>, String) {
        response.assert_status_is_ok();
        let session = response.0.headers().get("x-dcmaid-session");
        let session = session.map(|value| value.to_str().unwrap().to_owned());
        let body: Value = response.json().await.value().deserialize();
        (session, body["reply"].as_str().unwrap().to_owned())
    };

    // Naming a user is the operator's.
    let named = json!({"user_id": "42", "text": "hello"});
    let response = client.post("/api/v1/chat").body_json(&named).send().await;
    response.assert_status(StatusCode::FORBIDDEN);
    let error: Value = response.json().await.value().deserialize();
    assert_eq!(error["field"], "user_id");

    // No session: a user of one's own, and the token, in the header and a cookie.
    let response = client.post("/api/v1/chat").body_json(&hello).send().await;
    let cookie = response.0.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with("dcmaid_session=") && cookie.contains("HttpOnly"), "{cookie}");
    let (session, said) = reply(response).await;
    let session = session.expect("a new caller is given a session");
    assert_eq!(said, "Hi, Alice! That's message #1 from you.");
    // Sent back, by header or cookie: the same user.
    let again = client.post("/api/v1/chat").header("X-Dcmaid-Session", &session);
    let (none, said) = reply(again.body_json(&hello).send().await).await;
    assert_eq!((none, said.as_str()), (None, "Hi, Alice! That's message #2 from you."));
    let cookie = format!("other=1; dcmaid_session={session}");
    let again = client.post("/api/v1/chat").header("Cookie", cookie);
    assert!(reply(again.body_json(&hello).send().await).await.1.contains("#3"));
    // Another caller is another user.
    let (other, said) = reply(client.post("/api/v1/chat").body_json(&hello).send().await).await;
    assert!(said.contains("#1") && other.is_some() && other.unwrap() != session);

    // A session altered to speak as someone else is refused.
    let (user, rest) = session.split_once('.').unwrap();
    let forged = format!("s-{}.{rest}", "0".repeat(user.len() - 2));
    let response = client
        .post("/api/v1/chat")
        .header("X-Dcmaid-Session", forged)
        .body_json(&hello)
        .send()
        .await;
    response.assert_status(StatusCode::UNAUTHORIZED);
    let error: Value = response.json().await.value().deserialize();
    assert_eq!(error["field"], "X-Dcmaid-Session");

    // The operator names whom they like; a wrong token is refused, public chat or not.
    let as_42 = client.post("/api/v1/chat").header("Authorization", "Bearer s3cret");
    assert!(reply(as_42.body_json(&named).send().await).await.1.contains("#1"));
    let wrong = client.post("/api/v1/chat").header("Authorization", "Bearer guess");
    wrong.body_json(&hello).send().await.assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn malformed_bodies_get_a_json_400_naming_the_field() {
    let (_sandbox, client) = client().await;
    let cases = [
        ("{not json", None, "JSON"),
        (r#"{"user_id": "1"}"#, Some("text"), "text"),
        (r#"{"user_id": "1", "text": "  "}"#, Some("text"), "text"),
        (r#"{"user_id": "", "text": "hi"}"#, Some("user_id"), "user_id"),
        (r#"{"user_id": "1", "text": "hi", "colour": 1}"#, Some("colour"), "colour"),
        (r#"{"user_id": 7, "text": "hi"}"#, Some("user_id"), "expected a string"),
    ];
    for (body, field, mentions) in cases {
        let response =
            client.post("/api/v1/chat").content_type("application/json").body(body).send().await;
        response.assert_status(StatusCode::BAD_REQUEST);
        let error: Value = response.json().await.value().deserialize();
        assert_eq!(error["field"].as_str(), field, "{body}: {error}");
        assert!(error["error"].as_str().unwrap().contains(mentions), "{body}: {error}");
    }
    let long = json!({"user_id": "1", "text": "x".repeat(5000)});
    let response = client.post("/api/v1/chat").body_json(&long).send().await;
    response.assert_status(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn plugins_and_health_are_listed() {
    let (_sandbox, client) = client().await;
    let response =
        client.get("/api/v1/plugins").header("Authorization", "Bearer s3cret").send().await;
    response.assert_status_is_ok();
    let body: Value = response.json().await.value().deserialize();
    let hello = &body["loaded"][0];
    assert_eq!(hello["name"], "hello");
    assert_eq!(hello["role"], "persona");
    assert_eq!(hello["commands"], json!(["hello"]));
    assert_eq!(hello["granted"], json!(["kv"]));
    // Its budgets beside what it uses: its kv measured for the listing, nothing hit yet.
    let budget = &hello["budget"];
    assert_eq!(budget["cpu_seconds_per_minute"], 30.0);
    assert_eq!(budget["kv"]["max_items"], 100_000);
    assert_eq!(budget["memory_max_bytes"], 512 << 20);
    assert_eq!(budget["limit_hits"], json!({}));
    assert_eq!(body["failed"], json!([]));

    let response = client.get("/healthz").send().await;
    response.assert_status_is_ok();
    let body: Value = response.json().await.value().deserialize();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["plugins_loaded"], 1);
}

/// DNS rebinding: a page on the attacker's name, resolving to 127.0.0.1, makes the browser
/// call the bot with that name in `Host`. A loopback server answers only to loopback names.
#[tokio::test]
async fn a_loopback_server_refuses_requests_for_another_host_name() {
    let (_sandbox, client) = client().await;
    let chat = json!({"text": "hello"});
    for host in ["evil.example", "evil.example:8080", "localhost.evil.example"] {
        let response =
            client.post("/api/v1/chat").header("Host", host).body_json(&chat).send().await;
        response.assert_status(StatusCode::MISDIRECTED_REQUEST);
        let body: Value = response.json().await.value().deserialize();
        assert_eq!(body["field"], "Host", "{host}");
    }
    for host in ["localhost:8080", "127.0.0.1:8080", "[::1]:8080"] {
        let response =
            client.post("/api/v1/chat").header("Host", host).body_json(&chat).send().await;
        response.assert_status_is_ok();
    }
}

#[tokio::test]
async fn the_metrics_can_want_a_bearer_token() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let mut config = sandbox.config();
    config.server.metrics_token = Some("m3trics".into());
    let bot = Arc::new(Bot::start(config).await.unwrap());
    let client = TestClient::new(dcmaid_host::api::routes(bot, None));
    let response = client.get("/metrics").send().await;
    response.assert_status(StatusCode::UNAUTHORIZED);
    response.assert_header("WWW-Authenticate", "Bearer");
    let wrong = client.get("/metrics").header("Authorization", "Bearer guess").send().await;
    wrong.assert_status(StatusCode::UNAUTHORIZED);
    let right = client.get("/metrics").header("Authorization", "Bearer m3trics").send().await;
    right.assert_status_is_ok();
    assert!(right.0.into_body().into_string().await.unwrap().contains("# EOF"));
}
