//! The documented admin API through poem's test client: each endpoint, its auth, its
//! refusals of malformed input (a JSON error naming the field, nothing half-written), and
//! the OpenAPI document, checked by a validator of the OpenAPI specification.

use std::sync::Arc;

use dcmaid_host::Bot;
use dcmaid_tests::{Sandbox, component, repository};
use poem::http::StatusCode;
use poem::test::{TestClient, TestForm, TestFormField};
use serde_json::{Value, json};

const BEARER: &str = "Bearer s3cret";

async fn admin(sandbox: &Sandbox) -> (Arc<Bot>, TestClient<impl poem::Endpoint>) {
    let mut config = sandbox.config();
    config.server.admin_token = Some("s3cret".into());
    config.limits.call_timeout_ms = 5_000;
    let bot = Arc::new(Bot::start(config).await.unwrap());
    (bot.clone(), TestClient::new(dcmaid_host::api::routes(bot, None)))
}

async fn body(response: poem::test::TestResponse) -> Value {
    response.json().await.value().deserialize()
}

/// hello's manifest at `version`, greeting with `greeting`.
fn hello_manifest(version: &str, greeting: &str) -> String {
    format!(
        "name = \"hello\"\nversion = \"{version}\"\nrole = \"persona\"\ncomponent = \"hello.wasm\"\n\
         capabilities = [\"kv\"]\n[config]\ngreeting = \"{greeting}\"\n"
    )
}

/// An upload of hello's component with `manifest`, unsigned, which the operator vouches for.
fn upload_form(manifest: &str) -> TestForm {
    unsigned_form(manifest).field(TestFormField::text("true").name("allow_unsigned"))
}

fn unsigned_form(manifest: &str) -> TestForm {
    let component = std::fs::read(component("hello")).unwrap();
    TestForm::new()
        .field(TestFormField::text(manifest.to_owned()).name("manifest").filename("plugin.toml"))
        .field(TestFormField::bytes(component).name("component").filename("hello.wasm"))
}

/// Every admin operation (method, path), each of which must want the token.
const ADMIN_OPERATIONS: &[(&str, &str)] = &[
    ("GET", "/api/v1/plugins"),
    ("GET", "/api/v1/plugins/hello"),
    ("POST", "/api/v1/plugins/review"),
    ("POST", "/api/v1/plugins/install"),
    ("POST", "/api/v1/plugins/upload/review"),
    ("POST", "/api/v1/plugins/upload"),
    ("POST", "/api/v1/plugins/hello/reload"),
    ("POST", "/api/v1/plugins/hello/rollback"),
    ("POST", "/api/v1/plugins/hello/enable"),
    ("POST", "/api/v1/plugins/hello/disable"),
    ("GET", "/api/v1/jobs"),
    ("POST", "/api/v1/jobs"),
    ("GET", "/api/v1/jobs/x"),
    ("DELETE", "/api/v1/jobs/x"),
    ("POST", "/api/v1/jobs/x/run"),
    ("POST", "/api/v1/jobs/x/enable"),
    ("POST", "/api/v1/jobs/x/disable"),
    ("GET", "/api/v1/jobs/x/history"),
    ("GET", "/api/v1/memories?user_id=web:a&query=q"),
    ("DELETE", "/api/v1/memories/m1?user_id=web:a"),
    ("GET", "/api/v1/persona/web:a"),
    ("GET", "/api/v1/metrics/summary"),
    ("GET", "/api/v1/logs"),
    ("GET", "/api/v1/logs/stream"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_endpoint_wants_the_token_and_says_so_in_json() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let (_bot, api) = admin(&sandbox).await;
    for (method, path) in ADMIN_OPERATIONS {
        let method: poem::http::Method = method.parse().unwrap();
        for token in [None, Some("Bearer guess"), Some("s3cret")] {
            let mut request = api.request(method.clone(), *path);
            if let Some(token) = token {
                request = request.header("Authorization", token);
            }
            let response = request.send().await;
            response.assert_status(StatusCode::UNAUTHORIZED);
            let error = body(response).await;
            assert_eq!(error["field"], "Authorization", "{method} {path}: {error}");
            assert!(error["error"].as_str().unwrap().contains("bearer token"), "{error}");
        }
    }

    // Without a token configured, the admin API is off and says how to turn it on.
    let sandbox = Sandbox::new();
    let bot = Arc::new(Bot::start(sandbox.config()).await.unwrap());
    let api = TestClient::new(dcmaid_host::api::routes(bot, None));
    for (method, path) in ADMIN_OPERATIONS {
        let request = api.request(method.parse().unwrap(), *path);
        let response = request.header("Authorization", "Bearer anything").send().await;
        response.assert_status(StatusCode::FORBIDDEN);
        let error = body(response).await;
        assert!(error["error"].as_str().unwrap().contains("DCMAID_ADMIN_TOKEN"), "{path}");
        let response = api.request(method.parse().unwrap(), *path).send().await;
        response.assert_status(StatusCode::FORBIDDEN);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_is_open_on_loopback_and_closed_when_served_to_a_network() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let hello = json!({"text": "hello"});
    let (_bot, api) = admin(&sandbox).await;
    api.post("/api/v1/chat").body_json(&hello).send().await.assert_status_is_ok();

    let mut config = sandbox.config();
    config.server.bind = "0.0.0.0:8080".parse().unwrap();
    config.server.admin_token = Some("s3cret".into());
    config.data_dir = sandbox.data_dir().join("other");
    std::fs::create_dir_all(&config.data_dir).unwrap();
    let bot = Arc::new(Bot::start(config.clone()).await.unwrap());
    let api = TestClient::new(dcmaid_host::api::routes(bot, None));
    let response = api.post("/api/v1/chat").body_json(&hello).send().await;
    response.assert_status(StatusCode::UNAUTHORIZED);
    let response =
        api.post("/api/v1/chat").header("Authorization", BEARER).body_json(&hello).send().await;
    response.assert_status_is_ok();

    // Opened on purpose.
    config.server.public_chat = Some(true);
    config.data_dir = sandbox.data_dir().join("third");
    std::fs::create_dir_all(&config.data_dir).unwrap();
    let bot = Arc::new(Bot::start(config).await.unwrap());
    let api = TestClient::new(dcmaid_host::api::routes(bot, None));
    api.post("/api/v1/chat").body_json(&hello).send().await.assert_status_is_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_are_listed_uploaded_after_review_swapped_disabled_enabled_and_rolled_back() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let (_bot, api) = admin(&sandbox).await;
    let chat = async |text: &str| {
        let message = json!({"user_id": "ann", "text": text});
        let chat = api.post("/api/v1/chat").header("Authorization", BEARER);
        body(chat.body_json(&message).send().await).await
    };
    assert!(chat("hello").await["reply"].as_str().unwrap().starts_with("Hi, ann"));

    let list = body(api.get("/api/v1/plugins").header("Authorization", BEARER).send().await).await;
    assert_eq!(list["loaded"][0]["name"], "hello");
    assert_eq!(list["loaded"][0]["granted"], json!(["kv"]));
    assert_eq!(list["loaded"][0]["can_roll_back"], false);
    assert_eq!(list["disabled"], json!([]));
    let one = api.get("/api/v1/plugins/hello").header("Authorization", BEARER).send().await;
    assert_eq!(body(one).await["version"], "0.1.0");
    let ghost = api.get("/api/v1/plugins/ghost").header("Authorization", BEARER).send().await;
    ghost.assert_status(StatusCode::NOT_FOUND);

    // The review shows what v0.2.0 asks for and installs nothing.
    let v2 = hello_manifest("0.2.0", "Ohayou");
    let review = api
        .post("/api/v1/plugins/upload/review")
        .header("Authorization", BEARER)
        .multipart(upload_form(&v2))
        .send()
        .await;
    review.assert_status_is_ok();
    let review = body(review).await;
    assert_eq!(
        (review["name"].as_str(), review["version"].as_str()),
        (Some("hello"), Some("0.2.0"))
    );
    assert_eq!(review["capabilities"], json!([{"name": "kv", "granted": true}]));
    assert_eq!(review["refused"], Value::Null);
    assert_eq!(review["identity"], "`hello` unsigned");
    // Unless the operator vouches for it, an unsigned upload is one an install refuses.
    let unvouched = api
        .post("/api/v1/plugins/upload/review")
        .header("Authorization", BEARER)
        .multipart(unsigned_form(&v2))
        .send()
        .await;
    let unvouched = body(unvouched).await;
    assert!(unvouched["refused"].as_str().unwrap().contains("not signed"), "{unvouched}");
    assert!(chat("hello").await["reply"].as_str().unwrap().starts_with("Hi, ann"));

    // Malformed uploads are refused naming the part, and leave the plugin as it was.
    let folder = sandbox.plugins_dir().join("hello");
    let before = std::fs::read_to_string(folder.join("plugin.toml")).unwrap();
    let broken = [
        (upload_form("name = 1"), "manifest"),
        (upload_form(&v2.replace("hello.wasm", "../escape.wasm")), "manifest"),
        (
            TestForm::new()
                .field(TestFormField::text(v2.clone()).name("manifest").filename("plugin.toml")),
            "component",
        ),
    ];
    for (form, field) in broken {
        let response = api
            .post("/api/v1/plugins/upload")
            .header("Authorization", BEARER)
            .multipart(form)
            .send()
            .await;
        // A part missing: not the documented form (400); a manifest that does not read: 422.
        response.assert_status(match field {
            "manifest" => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        });
        let error = body(response).await;
        assert_eq!(error["field"], field, "{error}");
    }
    assert_eq!(std::fs::read_to_string(folder.join("plugin.toml")).unwrap(), before);
    assert!(!sandbox.data_dir().join("escape.wasm").exists());
    let garbage = api
        .post("/api/v1/plugins/upload")
        .header("Authorization", BEARER)
        .multipart(
            TestForm::new()
                .field(TestFormField::text(v2.clone()).name("manifest").filename("plugin.toml"))
                .field(
                    TestFormField::bytes(b"not wasm".to_vec())
                        .name("component")
                        .filename("hello.wasm"),
                ),
        )
        .send()
        .await;
    garbage.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(chat("hello").await["reply"].as_str().unwrap().starts_with("Hi, ann"));

    // Installed and swapped in one step.
    let installed = api
        .post("/api/v1/plugins/upload")
        .header("Authorization", BEARER)
        .multipart(upload_form(&v2))
        .send()
        .await;
    installed.assert_status_is_ok();
    let installed = body(installed).await;
    assert_eq!(installed["installed"]["version"], "0.2.0");
    assert_eq!(installed["installed"]["reference"], "upload");
    assert_eq!(
        (installed["swapped"]["from"].as_str(), installed["swapped"]["to"].as_str()),
        (Some("0.1.0"), Some("0.2.0"))
    );
    assert!(chat("hello").await["reply"].as_str().unwrap().starts_with("Ohayou, ann"));

    // Disabled: no persona answers; the plugin is listed as disabled and stays so.
    let post = |path: &'static str| api.post(path).header("Authorization", BEARER).send();
    let disabled = body(post("/api/v1/plugins/hello/disable").await).await;
    assert_eq!((disabled["from"].as_str(), disabled["to"].as_str()), (Some("0.2.0"), None));
    assert_eq!(chat("hello").await["plugin"], Value::Null);
    let list = body(api.get("/api/v1/plugins").header("Authorization", BEARER).send().await).await;
    assert_eq!((list["loaded"].clone(), list["disabled"].clone()), (json!([]), json!(["hello"])));
    let reload = post("/api/v1/plugins/hello/reload").await;
    reload.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(reload).await["error"].as_str().unwrap().contains("disabled"));
    assert!(folder.join(".disabled").exists());

    // Enabled again, then rolled back to what the enable replaced (nothing), and so on.
    let enabled = body(post("/api/v1/plugins/hello/enable").await).await;
    assert_eq!(enabled["to"], "0.2.0");
    assert!(chat("hello").await["reply"].as_str().unwrap().starts_with("Ohayou, ann"));
    assert!(!folder.join(".disabled").exists());
    post("/api/v1/plugins/hello/disable").await.assert_status_is_ok();
    let back = body(post("/api/v1/plugins/hello/rollback").await).await;
    assert_eq!(back["to"], "0.2.0");
    assert!(chat("hello").await["reply"].as_str().unwrap().starts_with("Ohayou, ann"));
    assert!(!folder.join(".disabled").exists(), "a rolled-back disable is undone on disk too");

    for (path, status) in [
        ("/api/v1/plugins/ghost/enable", StatusCode::NOT_FOUND),
        ("/api/v1/plugins/ghost/disable", StatusCode::NOT_FOUND),
        ("/api/v1/plugins/Bad%20Name/disable", StatusCode::BAD_REQUEST),
    ] {
        let response = api.post(path).header("Authorization", BEARER).send().await;
        response.assert_status(status);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_registry_requests_name_the_field() {
    let sandbox = Sandbox::new();
    let (_bot, api) = admin(&sandbox).await;
    let cases = [
        ("/api/v1/plugins/review", json!({}), "reference"),
        ("/api/v1/plugins/review", json!({"reference": "no version here"}), "reference"),
        ("/api/v1/plugins/install", json!({"reference": 5}), "reference"),
        ("/api/v1/plugins/install", json!({"reference": "a/b:1", "yes": true}), "yes"),
    ];
    for (path, request, field) in cases {
        let response =
            api.post(path).header("Authorization", BEARER).body_json(&request).send().await;
        response.assert_status(StatusCode::BAD_REQUEST);
        let error = body(response).await;
        assert_eq!(error["field"], field, "{path} {request}: {error}");
    }
    // A registry that does not answer is the registry's fault, not the request's.
    let unreachable = json!({"reference": "127.0.0.1:9/dcmaid/hello:0.1.0"});
    let response = api
        .post("/api/v1/plugins/review")
        .header("Authorization", BEARER)
        .body_json(&unreachable)
        .send()
        .await;
    response.assert_status(StatusCode::BAD_GATEWAY);
    assert!(std::fs::read_dir(sandbox.plugins_dir()).map_or(0, |d| d.count()) == 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_keep_a_history_and_malformed_jobs_are_refused_whole() {
    let sandbox = Sandbox::new();
    let (bot, api) = admin(&sandbox).await;
    let job = json!({"name": "backup", "cron": "0 3 * * *", "command": "backup_database"});
    let added =
        api.post("/api/v1/jobs").header("Authorization", BEARER).body_json(&job).send().await;
    added.assert_status(StatusCode::CREATED);
    for _ in 0..2 {
        let run = api.post("/api/v1/jobs/backup/run").header("Authorization", BEARER).send().await;
        assert_eq!(body(run).await["status"], "ok");
    }
    let history =
        api.get("/api/v1/jobs/backup/history").header("Authorization", BEARER).send().await;
    let history = body(history).await;
    let runs = history.as_array().unwrap();
    assert_eq!(runs.len(), 2, "{history}");
    assert_eq!(runs[0]["status"], "ok");
    assert!(runs[0]["finished_at"].as_str() >= runs[1]["finished_at"].as_str());
    let ghost = api.get("/api/v1/jobs/ghost/history").header("Authorization", BEARER).send().await;
    ghost.assert_status(StatusCode::NOT_FOUND);

    let cases = [
        (json!({"name": "x", "cron": "0 3 * * *"}), "command"),
        (json!({"name": "x", "cron": "not cron", "command": "backup_database"}), "cron"),
        (json!({"name": "x", "cron": "0 3 * * *", "command": "rm -rf"}), "command"),
        (
            json!({"name": "x", "cron": "0 3 * * *", "command": "backup_database", "timezone": "Mars/Olympus"}),
            "timezone",
        ),
        (
            json!({"name": "x", "cron": "0 3 * * *", "command": "backup_database", "enabled": "yes"}),
            "enabled",
        ),
    ];
    for (job, field) in cases {
        let response =
            api.post("/api/v1/jobs").header("Authorization", BEARER).body_json(&job).send().await;
        // Not what the schema describes: 400; well-formed, but no schedule this host reads:
        // 422.
        let content = matches!(field, "cron" | "timezone");
        response.assert_status(match content {
            true => StatusCode::UNPROCESSABLE_ENTITY,
            false => StatusCode::BAD_REQUEST,
        });
        let error = body(response).await;
        assert_eq!(error["field"], field, "{job}: {error}");
    }
    let names: Vec<String> = bot.cron().list().await.unwrap().into_iter().map(|j| j.name).collect();
    assert_eq!(names, ["backup"], "nothing half-written");
    let not_json = api
        .post("/api/v1/jobs")
        .header("Authorization", BEARER)
        .content_type("text/plain")
        .body("name=x")
        .send()
        .await;
    assert!(not_json.0.status().is_client_error());
    let error = body(not_json).await;
    assert!(error["error"].as_str().is_some(), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persona_state_summary_and_logs_show_what_the_bot_did() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    // The log tail sees what the process logs; another test may have installed it first.
    use tracing_subscriber::Layer;
    let tail = dcmaid_host::telemetry::logtail::layer()
        .with_filter(tracing_subscriber::filter::LevelFilter::INFO);
    let _ = tracing_subscriber::registry().with(tail).try_init();

    let sandbox = Sandbox::new();
    sandbox.install_personality();
    let (_bot, api) = admin(&sandbox).await;
    let get = |path: String| api.get(path).header("Authorization", BEARER).send();

    let stranger = body(get("/api/v1/persona/web:ann".into()).await).await;
    assert_eq!(stranger["plugin"], "personality");
    assert_eq!(stranger["state"], Value::Null);
    assert!(stranger["traits"]["openness"].as_f64().is_some(), "{stranger}");
    for text in ["hello!", "you are wonderful, thank you so much", "/mood"] {
        let message = json!({"user_id": "ann", "text": text});
        let chat = api.post("/api/v1/chat").header("Authorization", BEARER);
        chat.body_json(&message).send().await.assert_status_is_ok();
    }
    let known = body(get("/api/v1/persona/web:ann".into()).await).await;
    assert!(known["state"]["mood"].is_object(), "{known}");
    assert!(known["state"]["messages"].as_u64() >= Some(2), "{known}");
    let empty_user = get("/api/v1/persona/%20".into()).await;
    empty_user.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(body(empty_user).await["field"], "user_id");

    let summary = body(get("/api/v1/metrics/summary".into()).await).await;
    assert_eq!(summary["messages"], 3, "{summary}");
    assert_eq!(summary["active_users"], 1);
    assert_eq!(summary["errors"], 0);
    assert!(summary["p95_latency_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(summary["per_minute"].as_array().unwrap().len(), 30);
    assert_eq!(summary["plugins_loaded"], 1);

    let lines = body(get("/api/v1/logs?limit=1000".into()).await).await;
    let lines = lines.as_array().unwrap();
    let loaded = lines.iter().find(|l| l["message"].as_str().unwrap().contains("personality"));
    let loaded = loaded.unwrap_or_else(|| panic!("no line about the plugin in {lines:?}"));
    let seq = loaded["seq"].as_u64().unwrap();
    let newer = body(get(format!("/api/v1/logs?after={seq}")).await).await;
    assert!(newer.as_array().unwrap().iter().all(|l| l["seq"].as_u64().unwrap() > seq));
    let bad = get("/api/v1/logs?limit=0".into()).await;
    bad.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(body(bad).await["field"], "limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_is_valid_and_documents_every_endpoint() {
    let sandbox = Sandbox::new();
    let (_bot, api) = admin(&sandbox).await;
    let response = api.get("/api/openapi.json").send().await;
    response.assert_status_is_ok();
    let text = response.0.into_body().into_string().await.unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();

    // Every operation is documented, and each but the chat wants the bearer token.
    for (method, path) in ADMIN_OPERATIONS {
        let path = path.split('?').next().unwrap().trim_start_matches("/api/v1");
        let templated = templated(path);
        let operation = &document["paths"][&templated][method.to_lowercase()];
        assert!(operation.is_object(), "{method} {templated} is not documented");
        assert_eq!(operation["security"], json!([{"AdminAuth": []}]), "{method} {templated}");
    }
    assert!(document["paths"]["/chat"]["post"].is_object());
    assert_eq!(document["servers"][0]["url"], "/api/v1");

    // The OpenAPI project's reference validator says the document is valid.
    let file = sandbox.data_dir().join("openapi.json");
    std::fs::write(&file, &text).unwrap();
    let validator = repository().join("scripts/validate-openapi.sh");
    let output = std::process::Command::new(validator).arg(&file).output().unwrap();
    assert!(
        output.status.success(),
        "the OpenAPI document is invalid:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    // Swagger UI is served from the host itself.
    let ui = api.get("/api/docs/").send().await;
    ui.assert_status_is_ok();
    let page = ui.0.into_body().into_string().await.unwrap();
    assert!(page.contains("SwaggerUIBundle"), "{}", &page[..page.len().min(200)]);
    for external in ["<script src=\"http", "<link rel=\"stylesheet\" href=\"http"] {
        assert!(!page.contains(external), "Swagger UI must not load from a CDN");
    }
}

/// `/plugins/hello/reload` as the document writes it: `/plugins/{name}/reload`.
fn templated(path: &str) -> String {
    let names = [
        ("/plugins/hello", "/plugins/{name}"),
        ("/jobs/x", "/jobs/{name}"),
        ("/memories/m1", "/memories/{id}"),
        ("/persona/web:a", "/persona/{user_id}"),
    ];
    names
        .iter()
        .find_map(|(concrete, template)| {
            path.strip_prefix(concrete).map(|rest| format!("{template}{rest}"))
        })
        .unwrap_or_else(|| path.to_owned())
}
