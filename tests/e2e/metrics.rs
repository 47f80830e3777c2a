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
    let mut config = sandbox.config();
    config.server.admin_token = Some("s3cret".into());
    let bot = Arc::new(Bot::start(config).await.unwrap());
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
            .header("Authorization", "Bearer s3cret")
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
    // Each plugin's load check, settings check and command listing count too.
    assert_eq!(calls("misbehave", "commands.list-commands", "ok"), 1.0);
    assert_eq!(calls("misbehave", "settings.validate", "ok"), 1.0);
    let hello_calls =
        value(&exposition, "dcmaid_plugin_call_duration_seconds", &[("plugin", "hello")]);
    assert_eq!(hello_calls, 3.0 + 2.0 + 3.0);
    assert!(!text.contains("no-such-command"), "a user minted a label value");

    dashboard_names_only_exposed_metrics(&exposition);
}

/// The series names a family exposes: `x_total` for a counter, `x_bucket`, `x_sum` and
/// `x_count` for a histogram, the name itself otherwise.
fn exposed_names(exposition: &Exposition) -> Vec<String> {
    let mut names = Vec::new();
    for (name, family) in &exposition.families {
        match family.family_type {
            OpenMetricsType::Counter => names.push(format!("{name}_total")),
            OpenMetricsType::Histogram => {
                names.extend(["_bucket", "_sum", "_count"].map(|suffix| format!("{name}{suffix}")));
            }
            _ => names.push(name.clone()),
        }
    }
    names
}

/// Every PromQL expression of the shipped Grafana dashboard names metrics `/metrics` has, so
/// renaming a metric without the dashboard fails here.
fn dashboard_names_only_exposed_metrics(exposition: &Exposition) {
    let path =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../static/grafana/dashboards/bot_metrics.json");
    let dashboard: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let exposed = exposed_names(exposition);
    let mut checked = 0;
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            let metrics: Vec<&str> = expr
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .filter(|word| word.starts_with("bot_") || word.starts_with("dcmaid_"))
                .collect();
            assert!(!metrics.is_empty(), "{expr} names no dcmaid metric");
            for metric in metrics {
                assert!(
                    exposed.iter().any(|name| name == metric),
                    "{metric} (in {expr}) is not exposed"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 7, "only {checked} metric references checked");
}
