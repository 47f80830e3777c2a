//! The tools plugin end to end: its commands and its tools (through the fake model's
//! function calls) against fakes of DuckDuckGo, GitHub and OpenWeatherMap on 127.0.0.1, with
//! every request passing the host's allowlist at the `wasi:http` boundary.

use dcmaid_host::Bot;
use dcmaid_host::config::Config;
use dcmaid_tests::fake_llm::{FakeLlm, Scripted};
use dcmaid_tests::fake_web::{FakeWeb, WEATHER_KEY};
use dcmaid_tests::{Sandbox, plugin_name};

use super::say;

/// A bot with the tools plugin pointed at `web`, whose exact host and port the operator's
/// allowlist grants (plain http, as only an exact grant allows).
fn config(sandbox: &Sandbox, web: &FakeWeb, allowlist: &str) -> Config {
    sandbox.install_tools();
    let mut config = sandbox.config();
    config.limits.call_timeout_ms = 5_000;
    config.http.timeout_ms = 1_000;
    config.http.max_response_bytes = 1 << 20;
    let file = sandbox.data_dir().join("allowed_domains.txt");
    std::fs::write(&file, allowlist).unwrap();
    config.http.allowlist_file = Some(file);
    let settings: toml::Table = toml::from_str(&format!(
        "duckduckgo_url = \"{0}/ddg\"\ngithub_url = \"{0}/github\"\n\
         openweathermap_url = \"{0}/owm\"\nopenweathermap_api_key = \"{WEATHER_KEY}\"\n",
        web.base_url
    ))
    .unwrap();
    config.plugins.entry(plugin_name("tools")).or_default().config = settings;
    config
}

async fn start(config: Config) -> Bot {
    let bot = Bot::start(config).await.unwrap();
    assert!(bot.plugins().failed().is_empty(), "{:?}", bot.plugins().failed());
    bot
}

fn grant(web: &FakeWeb) -> String {
    format!("# the fake web APIs\nhttp://127.0.0.1:{}\n", web.port)
}

#[tokio::test]
async fn every_command_answers_from_the_real_json_shapes() {
    let web = FakeWeb::start().await;
    let sandbox = Sandbox::new();
    let bot = start(config(&sandbox, &web, &grant(&web))).await;

    let search = say(&bot, "alice", "/search rust").await.reply;
    assert!(
        search.starts_with("Rust (programming language): Rust is a general-purpose"),
        "{search}"
    );
    assert!(
        search.contains("(Wikipedia: https://en.wikipedia.org/wiki/Rust_(programming_language))")
    );
    let related = say(&bot, "alice", "/search cats").await.reply;
    assert!(related.contains("- Cat A small domesticated"), "{related}");
    assert!(related.contains("- Cats (musical) A 1981 musical."), "topic groups: {related}");
    let nothing = say(&bot, "alice", "/search zzzz").await.reply;
    assert_eq!(nothing, "I found nothing for \"zzzz\".");

    let repo = say(&bot, "alice", "/github rust-lang/rust").await.reply;
    assert!(
        repo.starts_with("rust-lang/rust ★ 104000 · forks 13500 · open issues 11000"),
        "{repo}"
    );
    assert!(repo.contains("Empowering everyone") && repo.contains("Language: Rust"), "{repo}");
    let missing = say(&bot, "alice", "/github rust-lang/nope").await.reply;
    assert_eq!(missing, "GitHub found nothing: Not Found");
    let issues = say(&bot, "alice", "/github issues borrow checker").await.reply;
    assert!(issues.starts_with("2 issues match \"borrow checker\":"), "{issues}");
    assert!(issues.contains("- #1 [open] Borrow checker rejects valid code"), "{issues}");
    let bad = say(&bot, "alice", "/github not a repo").await.reply;
    assert_eq!(bad, "`not a repo` is not OWNER/NAME");

    let weather = say(&bot, "alice", "/weather Berlin").await.reply;
    assert_eq!(
        weather,
        "Berlin, DE: light rain, 12.3 °C (feels like 11.1 °C), humidity 81%, wind 4.6 m/s"
    );

    let page = say(&bot, "alice", &format!("/fetch {}/page", web.base_url)).await.reply;
    assert_eq!(
        page, "Fake Hello from the fake Tools & pages.",
        "title and text, no style or script"
    );
    let usage = say(&bot, "alice", "/fetch").await.reply;
    assert_eq!(usage, "Usage: /fetch URL");

    let seen = web.seen();
    let repo_request = seen.iter().find(|s| s.path == "/github/repos/rust-lang/rust").unwrap();
    assert_eq!(repo_request.user_agent.as_deref(), Some("dcmaid-tools"));
    let weather_request = seen.iter().find(|s| s.path == "/owm/data/2.5/weather").unwrap();
    assert!(weather_request.query.contains(&format!("appid={WEATHER_KEY}")));
    assert!(weather_request.query.contains("units=metric"));
    let search_request = seen.iter().find(|s| s.query.contains("q=borrow+checker")).unwrap();
    assert_eq!(search_request.path, "/github/search/issues");
}

#[tokio::test]
async fn the_model_calls_the_tools_and_reads_their_answers() {
    let web = FakeWeb::start().await;
    let model = FakeLlm::start().await;
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    let mut config = config(&sandbox, &web, &grant(&web));
    config.llm.base_url = Some(model.base_url.clone());
    config.llm.api_key_env = "HOME".into();
    let bot = start(config).await;
    model.script([
        Scripted::ToolCall { name: "weather".into(), arguments: r#"{"city":"Berlin"}"#.into() },
        Scripted::Reply("It is raining in Berlin.".into()),
    ]);
    let outcome = say(&bot, "alice", "what's the weather in Berlin?").await;
    assert_eq!(outcome.reply, "It is raining in Berlin.");

    let requests = model.requests();
    let offered: Vec<&str> = requests[0].body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(offered, ["fetch", "github", "weather", "web_search"]);
    let answer = &requests[1].body["messages"].as_array().unwrap()[3];
    assert_eq!(answer["role"], "tool");
    assert!(answer["content"].as_str().unwrap().starts_with("Berlin, DE: light rain"));

    // A tool the model made up, and one with bad arguments: each answered with an error the
    // model can read, and the conversation goes on.
    model.script([
        Scripted::ToolCall { name: "teleport".into(), arguments: "{}".into() },
        Scripted::ToolCall { name: "weather".into(), arguments: "not json".into() },
        Scripted::Reply("Sorry, I could not check.".into()),
    ]);
    assert_eq!(say(&bot, "alice", "teleport me").await.reply, "Sorry, I could not check.");
    let requests = model.requests();
    let messages = requests.last().unwrap().body["messages"].as_array().unwrap().clone();
    assert_eq!(messages[3]["content"], "error: there is no tool called `teleport`");
    let bad = messages[5]["content"].as_str().unwrap();
    assert!(bad.starts_with("error: weather: arguments are not a JSON object"), "{bad}");
}

#[tokio::test]
async fn requests_the_allowlist_does_not_grant_are_denied_and_counted() {
    let web = FakeWeb::start().await;
    let sandbox = Sandbox::new();
    // The fake on its real port is granted; `localhost` on that port is granted too, but it
    // resolves to loopback, which only an IP the operator names itself may be.
    let allowlist = format!("{}http://localhost:{}\nbücher.example\n", grant(&web), web.port);
    let bot = start(config(&sandbox, &web, &allowlist)).await;
    // Each refusal says its reason in words the user understands.
    let not_granted = |url: &str| {
        format!("I'm not allowed to reach {url}: the operator's allowlist does not grant it.")
    };
    let private =
        |url: &str| format!("I may not reach {url}: it points at a private or local address.");
    let bad_url =
        |url: &str| format!("I can't fetch {url}: only plain http and https links can be fetched.");
    let denied = [
        ("https://evil.test/".to_owned(), not_granted as fn(&str) -> String),
        (format!("http://localhost:{}/page", web.port), private),
        (format!("http://127.0.0.1:{}/page", web.port + 1), not_granted),
        (format!("https://127.0.0.1:{}/page", web.port), not_granted),
        (format!("http://user@127.0.0.1:{}/page", web.port), bad_url),
        ("http://169.254.169.254/latest/meta-data/".to_owned(), not_granted),
        ("http://[::1]/".to_owned(), not_granted),
    ];
    for (url, reason) in &denied {
        let reply = say(&bot, "alice", &format!("/fetch {url}")).await.reply;
        assert_eq!(reply, reason(url));
    }
    // Not even sent: the plugin's SDK knows these are no web pages.
    for url in ["file:///etc/passwd", "ftp://ftp.example.org/file", "gopher://x.test/"] {
        let reply = say(&bot, "alice", &format!("/fetch {url}")).await.reply;
        assert_eq!(reply, bad_url(url));
    }
    assert!(web.seen().is_empty(), "a denied request reached the server: {:?}", web.seen());
    let exposition = bot.metrics().encode();
    let line = format!(
        "dcmaid_http_requests_total{{plugin=\"tools\",outcome=\"denied\"}} {}",
        denied.len()
    );
    assert!(exposition.contains(&line), "{exposition}");

    // An internationalised name is read in its ASCII form (xn--bcher-kva.example), as the
    // allowlist writes it: granted, it passes and fails only where the name does not resolve
    // here; another is refused by the allowlist, not as a bad link.
    let granted = say(&bot, "bob", "/fetch https://bücher.example/Köln").await.reply;
    assert!(
        granted.contains("that name does not exist") || granted.contains("took too long"),
        "{granted}"
    );
    let other = "https://müller.example/";
    assert_eq!(say(&bot, "bob", &format!("/fetch {other}")).await.reply, not_granted(other));
    assert!(web.seen().is_empty(), "a denied request reached the server: {:?}", web.seen());
}

#[tokio::test]
async fn oversized_slow_and_redirecting_responses_are_bounded() {
    let web = FakeWeb::start().await;
    let sandbox = Sandbox::new();
    let bot = start(config(&sandbox, &web, &grant(&web))).await;
    let fetch =
        async |path: &str| say(&bot, "alice", &format!("/fetch {}{path}", web.base_url)).await;

    let big = fetch("/big").await;
    assert!(big.reply.ends_with("/big sent more than I may read"), "{}", big.reply);
    let chunked = fetch("/big-chunked").await;
    assert!(chunked.reply.ends_with("/big-chunked sent more than I may read"), "{}", chunked.reply);
    let started = std::time::Instant::now();
    let slow = fetch("/slow").await;
    assert!(slow.reply.contains("Please try again"), "{}", slow.reply);
    assert!(started.elapsed() < std::time::Duration::from_secs(4), "the timeout did not cut it");
    let redirect = fetch("/redirect").await;
    assert_eq!(
        redirect.reply,
        format!("{0}/redirect redirects to {0}/page (not followed).", web.base_url)
    );
    let pages: Vec<String> = web.seen().into_iter().map(|seen| seen.path).collect();
    assert!(!pages.contains(&"/page".to_owned()), "the redirect was followed: {pages:?}");
}

#[tokio::test]
async fn weather_without_a_key_says_which_setting_is_missing() {
    let web = FakeWeb::start().await;
    let sandbox = Sandbox::new();
    let mut config = config(&sandbox, &web, &grant(&web));
    let tools = config.plugins.get_mut(&plugin_name("tools")).unwrap();
    tools.config.remove("openweathermap_api_key");
    let bot = start(config).await;
    let reply = say(&bot, "alice", "/weather Berlin").await.reply;
    assert_eq!(
        reply,
        "this needs `openweathermap_api_key` in the plugin's settings ([plugins.tools.config] in \
         dcmaid.toml)"
    );
}

/// A host the operator granted one plugin (`[plugins.tools] http_hosts`) is that plugin's
/// alone: another plugin asking for `*`, the same code under another name, is refused it.
#[tokio::test]
async fn a_host_granted_to_one_plugin_is_not_another_plugins() {
    let web = FakeWeb::start().await;
    let sandbox = Sandbox::new();
    let mut config = config(&sandbox, &web, "# nothing for every plugin\napi.github.com\n");
    // The tools plugin's own manifest (`http_hosts = ["*"]`), under another name.
    let shipped = dcmaid_tests::repository().join("plugins/tools/plugin.toml");
    let manifest: String = std::fs::read_to_string(shipped)
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with("name =") && !line.starts_with("component ="))
        .map(|line| format!("{line}\n"))
        .collect();
    sandbox.install("other", &dcmaid_tests::component("tools"), &manifest);
    let own: dcmaid_host::capabilities::http::Allowlist =
        vec![format!("http://127.0.0.1:{}", web.port)].try_into().unwrap();
    config.plugins.entry(plugin_name("tools")).or_default().http_hosts = own;
    let page = format!("{}/page", web.base_url);

    config.routes.insert("/fetch".into(), plugin_name("tools"));
    let bot = start(config.clone()).await;
    let reply = say(&bot, "alice", &format!("/fetch {page}")).await;
    assert_eq!(reply.plugin.as_deref(), Some("tools"));
    assert!(!reply.reply.contains("not allowed"), "{}", reply.reply);
    drop(bot);

    config.routes.insert("/fetch".into(), plugin_name("other"));
    let bot = start(config).await;
    let reply = say(&bot, "alice", &format!("/fetch {page}")).await;
    assert_eq!(reply.plugin.as_deref(), Some("other"));
    assert_eq!(
        reply.reply,
        format!("I'm not allowed to reach {page}: the operator's allowlist does not grant it.")
    );
    assert_eq!(web.seen().len(), 1, "only the granted plugin's request reached the server");
}
