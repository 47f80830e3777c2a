//! `GET /metrics` after a scripted conversation, read back with a real OpenMetrics parser.

use std::sync::Arc;

use dcmaid_host::Bot;
use dcmaid_tests::Sandbox;
use openmetrics_parser::{MetricsExposition, OpenMetricsType, OpenMetricsValue};
use poem::test::TestClient;
use serde_json::json;

type Exposition = MetricsExposition<OpenMetricsType, OpenMetricsValue>;

/// The value of `family`'s sample with exactly `labels` (a counter's total, a gauge's value,
/// a histogram's count).
fn value(exposition: &Exposition, family: &str, labels: &[(&str, &str)]) -> f64 {
    let family = exposition.families.get(family).unwrap_or_else(|| panic!("no family {family}"));
    let names = family.get_label_names();
    assert_eq!(names.len(), labels.len(), "{} has labels {names:?}", family.family_name);
    let values: Vec<String> = names
        .iter()
        .map(|name| labels.iter().find(|(n, _)| n == name).map(|(_, v)| v.to_string()).unwrap())
        .collect();
    let Some(sample) = family.get_sample_by_label_values(&values) else {
        return 0.0;
    };
    match &sample.value {
        OpenMetricsValue::Counter(counter) => counter.value.as_f64(),
        OpenMetricsValue::Gauge(gauge) => gauge.as_f64(),
        OpenMetricsValue::Histogram(histogram) => histogram.count.unwrap_or_default() as f64,
        other => panic!("unexpected sample {other:?}"),
    }
}

#[tokio::test]
async fn metrics_count_what_was_said_and_parse_as_openmetrics() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_misbehave();
    let bot = Arc::new(Bot::start(sandbox.config()).await.unwrap());
    let client = TestClient::new(dcmaid_host::api::routes(bot, None));
    let script = [
        ("1", "hello"),
        ("1", "how are you"),
        ("2", "hi"),
        ("1", "/hello"),
        ("2", "/hello Bo"),
        ("2", "/no-such-command"),
        ("1", "/help"),
        ("1", "/trap"),
    ];
    for (user, text) in script {
        let response = client
            .post("/api/v1/chat")
            .body_json(&json!({"user_id": user, "text": text}))
            .send()
            .await;
        response.assert_status_is_ok();
    }

    let response = client.get("/metrics").send().await;
    response.assert_status_is_ok();
    response.assert_content_type("application/openmetrics-text; version=1.0.0; charset=utf-8");
    let text = response.0.into_body().into_string().await.unwrap();
    let exposition = openmetrics_parser::openmetrics::parse_openmetrics(&text)
        .unwrap_or_else(|e| panic!("not valid OpenMetrics: {e:?}\n{text}"));

    let messages = |command, status| {
        value(&exposition, "bot_messages", &[("command", command), ("status", status)])
    };
    assert_eq!(messages("none", "ok"), 3.0);
    assert_eq!(messages("hello", "ok"), 2.0);
    assert_eq!(messages("unknown", "ok"), 1.0);
    assert_eq!(messages("help", "ok"), 1.0);
    assert_eq!(messages("trap", "error"), 1.0);
    assert_eq!(value(&exposition, "bot_response_time_seconds", &[]), 8.0);
    assert_eq!(value(&exposition, "bot_active_users", &[]), 2.0);

    let calls = |plugin, call, outcome| {
        value(
            &exposition,
            "dcmaid_plugin_calls",
            &[("plugin", plugin), ("call", call), ("outcome", outcome)],
        )
    };
    assert_eq!(calls("hello", "persona.shape", "ok"), 3.0);
    assert_eq!(calls("hello", "commands.run", "ok"), 2.0);
    assert_eq!(calls("misbehave", "commands.run", "trap"), 1.0);
    // Each plugin's load check and command listing count too.
    assert_eq!(calls("misbehave", "commands.list-commands", "ok"), 1.0);
    let hello_calls =
        value(&exposition, "dcmaid_plugin_call_duration_seconds", &[("plugin", "hello")]);
    assert_eq!(hello_calls, 3.0 + 2.0 + 2.0);
    assert!(!text.contains("no-such-command"), "a user minted a label value");
}
