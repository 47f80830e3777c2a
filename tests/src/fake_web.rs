//! Fakes of the web APIs the tools plugin calls, on one poem server on 127.0.0.1, answering
//! in the real services' JSON shapes: DuckDuckGo's Instant Answer API under `/ddg`, the
//! GitHub REST API under `/github`, OpenWeatherMap under `/owm`, random.org's integers under
//! `/integers/`; and pages for `fetch`,
//! including ones that misbehave (too large, too slow, a redirect). Every request is
//! recorded.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Json, Path, Query};
use poem::{
    Body, Endpoint, EndpointExt, IntoResponse, Request, Response, Route, Server, get, handler,
};
use serde_json::{Value, json};

/// The OpenWeatherMap key the fake accepts.
pub const WEATHER_KEY: &str = "fake-owm-key";

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub query: String,
    pub user_agent: Option<String>,
}

#[derive(Default)]
struct State {
    seen: Mutex<Vec<Seen>>,
}

pub struct FakeWeb {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    pub port: u16,
    state: Arc<State>,
}

impl FakeWeb {
    pub async fn start() -> FakeWeb {
        let state = Arc::new(State::default());
        let app = Route::new()
            .at("/ddg/", get(duckduckgo))
            .at("/github/repos/:owner/:name", get(github_repository))
            .at("/github/search/issues", get(github_issues))
            .at("/owm/data/2.5/weather", get(weather))
            .at("/integers/", get(integers))
            .at("/page", get(page))
            .at("/big", get(big))
            .at("/big-chunked", get(big_chunked))
            .at("/slow", get(slow))
            .at("/redirect", get(redirect))
            .around(|endpoint, request| async move {
                let state = request.data::<Arc<State>>().cloned();
                if let Some(state) = state {
                    state.seen.lock().unwrap().push(Seen {
                        path: request.uri().path().to_owned(),
                        query: request.uri().query().unwrap_or_default().to_owned(),
                        user_agent: request.header("user-agent").map(str::to_owned),
                    });
                }
                endpoint.call(request).await
            })
            .data(state.clone());
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
        let address = acceptor.local_addr()[0].as_socket_addr().cloned().unwrap();
        tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
        FakeWeb { base_url: format!("http://{address}"), port: address.port(), state }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }
}

#[derive(serde::Deserialize)]
struct SearchQuery {
    q: String,
    format: String,
}

#[handler]
fn duckduckgo(Query(query): Query<SearchQuery>) -> Response {
    if query.format != "json" {
        return (StatusCode::OK, "<html>not json</html>").into_response();
    }
    let empty = json!({
        "Abstract": "", "AbstractText": "", "AbstractSource": "", "AbstractURL": "",
        "Heading": "", "Answer": "", "AnswerType": "", "Definition": "", "DefinitionURL": "",
        "RelatedTopics": [], "Results": [], "Type": "",
    });
    let mut answer = empty;
    match query.q.to_lowercase().as_str() {
        "rust" => {
            answer["Heading"] = json!("Rust (programming language)");
            answer["AbstractText"] = json!(
                "Rust is a general-purpose programming language emphasizing performance, type safety, and concurrency."
            );
            answer["AbstractSource"] = json!("Wikipedia");
            answer["AbstractURL"] =
                json!("https://en.wikipedia.org/wiki/Rust_(programming_language)");
            answer["Type"] = json!("A");
        }
        "cats" => {
            answer["Type"] = json!("D");
            answer["RelatedTopics"] = json!([
                {"FirstURL": "https://duckduckgo.com/Cat", "Text": "Cat A small domesticated carnivorous mammal.",
                 "Result": "<a href=\"https://duckduckgo.com/Cat\">Cat</a>", "Icon": {"URL": "", "Height": "", "Width": ""}},
                {"Name": "Music", "Topics": [
                    {"FirstURL": "https://duckduckgo.com/Cats_(musical)", "Text": "Cats (musical) A 1981 musical.",
                     "Result": "", "Icon": {"URL": "", "Height": "", "Width": ""}}
                ]}
            ]);
        }
        _ => {}
    }
    Json(answer).into_response()
}

#[handler]
fn github_repository(request: &Request, Path((owner, name)): Path<(String, String)>) -> Response {
    // As GitHub does: no User-Agent, no answer.
    if request.header("user-agent").is_none() {
        let body = json!({"message": "Request forbidden by administrative rules. Please make sure your request has a User-Agent header"});
        return (StatusCode::FORBIDDEN, Json(body)).into_response();
    }
    if (owner.as_str(), name.as_str()) != ("rust-lang", "rust") {
        let body = json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest/repos/repos#get-a-repository", "status": "404"});
        return (StatusCode::NOT_FOUND, Json(body)).into_response();
    }
    Json(json!({
        "id": 724712, "name": "rust", "full_name": "rust-lang/rust", "private": false,
        "owner": {"login": "rust-lang", "id": 5430905, "type": "Organization"},
        "html_url": "https://github.com/rust-lang/rust",
        "description": "Empowering everyone to build reliable and efficient software.",
        "fork": false, "language": "Rust", "stargazers_count": 104000, "watchers_count": 104000,
        "forks_count": 13500, "open_issues_count": 11000, "default_branch": "master",
        "topics": ["compiler", "language", "rust"],
    }))
    .into_response()
}

#[derive(serde::Deserialize)]
struct IssueQuery {
    q: String,
}

#[handler]
fn github_issues(Query(query): Query<IssueQuery>) -> Json<Value> {
    let items: Vec<Value> = if query.q.contains("borrow") {
        vec![
            json!({"number": 1, "title": "Borrow checker rejects valid code", "state": "open",
                   "html_url": "https://github.com/rust-lang/rust/issues/1", "user": {"login": "ann"}}),
            json!({"number": 2, "title": "Two-phase borrows and closures", "state": "closed",
                   "html_url": "https://github.com/rust-lang/rust/issues/2", "user": {"login": "bo"}}),
        ]
    } else {
        Vec::new()
    };
    Json(json!({"total_count": items.len(), "incomplete_results": false, "items": items}))
}

#[derive(serde::Deserialize)]
struct WeatherQuery {
    q: String,
    appid: String,
    units: Option<String>,
}

#[handler]
fn weather(Query(query): Query<WeatherQuery>) -> Response {
    if query.appid != WEATHER_KEY {
        let body = json!({"cod": 401, "message": "Invalid API key. Please see https://openweathermap.org/faq#error401 for more info."});
        return (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    }
    if !query.q.eq_ignore_ascii_case("berlin") {
        let body = json!({"cod": "404", "message": "city not found"});
        return (StatusCode::NOT_FOUND, Json(body)).into_response();
    }
    let metric = query.units.as_deref() == Some("metric");
    Json(json!({
        "coord": {"lon": 13.4105, "lat": 52.5244},
        "weather": [{"id": 500, "main": "Rain", "description": "light rain", "icon": "10d"}],
        "base": "stations",
        "main": {"temp": if metric { 12.3 } else { 285.45 }, "feels_like": if metric { 11.1 } else { 284.25 },
                 "temp_min": 11.0, "temp_max": 13.6, "pressure": 1012, "humidity": 81},
        "visibility": 10000, "wind": {"speed": 4.6, "deg": 240}, "clouds": {"all": 75},
        "dt": 1732450000, "sys": {"type": 2, "id": 2011538, "country": "DE", "sunrise": 1732430000, "sunset": 1732460000},
        "timezone": 3600, "id": 2950159, "name": "Berlin", "cod": 200,
    }))
    .into_response()
}

#[derive(serde::Deserialize)]
struct IntegersQuery {
    num: u32,
    min: u32,
    max: u32,
    format: String,
}

/// random.org's integer generator, `format=plain`: one number a line. The fake's numbers
/// count down from `max`, so a test knows them.
#[handler]
fn integers(Query(query): Query<IntegersQuery>) -> Response {
    if query.format != "plain" || query.min > query.max {
        return (StatusCode::SERVICE_UNAVAILABLE, "Error: bad request\n").into_response();
    }
    let span = query.max - query.min + 1;
    let numbers: Vec<String> = (0..query.num).map(|i| (query.max - i % span).to_string()).collect();
    Response::builder().content_type("text/plain;charset=UTF-8").body(numbers.join("\n") + "\n")
}

#[handler]
fn page() -> Response {
    let html = "<!doctype html><html><head><title>Fake</title><style>p{color:red}</style>\
                <script>var secret = 1;</script></head><body><h1>Hello&nbsp;from the fake</h1>\
                <!-- a comment --><p>Tools &amp; pages.</p></body></html>";
    Response::builder().content_type("text/html; charset=utf-8").body(html)
}

/// Three MiB, with its length declared: refused before the body is read.
#[handler]
fn big() -> Vec<u8> {
    vec![b'x'; 3 << 20]
}

/// Three MiB in chunks, no length declared: cut off while it streams.
#[handler]
fn big_chunked() -> Body {
    let chunk = || Ok::<_, std::io::Error>(vec![b'y'; 64 << 10]);
    Body::from_bytes_stream(futures::stream::iter((0..48).map(move |_| chunk())))
}

/// Headers only after five seconds.
#[handler]
async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(5)).await;
    "finally"
}

#[handler]
fn redirect(request: &Request) -> Response {
    let host = request.header("host").unwrap_or("127.0.0.1");
    Response::builder()
        .status(StatusCode::FOUND)
        .header("location", format!("http://{host}/page"))
        .body(Body::empty())
}
