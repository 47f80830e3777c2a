//! A tool plugin that misbehaves on command, so the host's defences can be tested with a
//! real component: `/trap` panics, `/spin` never returns, `/hog` allocates past any sane
//! memory cap, `/ok` answers normally, `/kv KEY` reads a key and `/set KEY VALUE` writes one,
//! `/ask TEXT` asks the language model, `/embed TEXT` embeds TEXT and `/dice TEXT` asks the
//! model with a tool it may call. `/every NAME CRON` schedules job NAME (each fire adds one to
//! the kv key `fired/NAME`; a job named `trap` panics when it fires), `/unschedule NAME`
//! removes it and `/jobs` lists the plugin's jobs. `/peek ID WORD` looks for another plugin's
//! memories in its own store: a collection named like the memory plugin's, searched every way.
//! `/context` says where its message arrived; `/case KEY` which case reading KEY from kv
//! comes to.
//!
//! Floods, each reporting where the host stopped it: `/busy N CRON` schedules N jobs that
//! flood the kv, the log and the store and then compute until they are stopped; `/flood
//! BYTES` replies with BYTES bytes; `/kvflood N
//! BYTES` and `/storeflood N BYTES` write N values (documents) of BYTES each; `/logflood N
//! BYTES` logs N lines that each try to forge a host line; `/requests N URL` sends N
//! requests in one call and `/post BYTES URL` one request with a body of BYTES; `/llmflood
//! N` asks the model N times; `/embedflood N` embeds N texts at once; `/hold MIB MS` holds
//! MIB of memory while computing for MS milliseconds.

use dcmaid_sdk::llm::{ChatMessage, Completion, Inference, Role};
use dcmaid_sdk::prelude::*;

struct Misbehave;

impl Plugin for Misbehave {
    fn commands() -> Vec<CommandSpec> {
        [
            "trap",
            "spin",
            "hog",
            "ok",
            "kv",
            "set",
            "ask",
            "embed",
            "dice",
            "every",
            "unschedule",
            "jobs",
            "peek",
            "context",
            "case",
            "busy",
            "flood",
            "kvflood",
            "storeflood",
            "logflood",
            "requests",
            "post",
            "llmflood",
            "embedflood",
            "hold",
        ]
        .into_iter()
        .map(|name| CommandSpec::new(name, "misbehave on purpose", format!("/{name}")))
        .collect()
    }

    fn run(invocation: Invocation) -> Result<Reply, PluginError> {
        match invocation.name.as_str() {
            "trap" => panic!("misbehave: trapping on purpose"),
            "spin" => spin(),
            "hog" => hog(),
            "kv" => {
                let value = kv::get(&invocation.args)?;
                let text = value.map(|v| String::from_utf8_lossy(&v).into_owned());
                Ok(Reply::new(text.unwrap_or_else(|| "(none)".to_owned())))
            }
            "set" => {
                let (key, value) =
                    invocation.args.split_once(' ').unwrap_or((&invocation.args, ""));
                kv::set(key, value.as_bytes())?;
                Ok(Reply::new("stored"))
            }
            "ask" => Ok(Reply::new(llm::ask("Answer tersely.", &invocation.args)?)),
            "embed" => {
                let vectors = llm::embed(&[invocation.args])?;
                let dimensions: Vec<String> = vectors.iter().map(|v| v.len().to_string()).collect();
                Ok(Reply::new(format!("dimensions: {}", dimensions.join(","))))
            }
            "dice" => dice(&invocation.args),
            "every" => {
                let (name, cron) =
                    invocation.args.split_once(' ').unwrap_or((&invocation.args, ""));
                scheduler::schedule(name, cron, name)?;
                Ok(Reply::new(format!("scheduled {name}")))
            }
            "unschedule" => {
                let removed = scheduler::unschedule(&invocation.args)?;
                Ok(Reply::new(if removed { "unscheduled" } else { "no such job" }))
            }
            "jobs" => {
                let jobs = scheduler::jobs()?;
                let lines: Vec<String> =
                    jobs.iter().map(|job| format!("{} {}", job.name, job.cron)).collect();
                Ok(Reply::new(lines.join("\n")))
            }
            "peek" => peek(&invocation.args),
            "context" => Ok(Reply::new(context(&invocation.message))),
            "case" => Ok(Reply::new(case(&invocation.args))),
            "busy" => {
                let (count, cron) = two(&invocation.args);
                for n in 0..count.parse::<u32>().unwrap_or(0) {
                    scheduler::schedule(&format!("busy-{n}"), cron, "busy")?;
                }
                Ok(Reply::new(format!("scheduled {count} busy jobs")))
            }
            "flood" => Ok(Reply::new("x".repeat(number(&invocation.args)))),
            "kvflood" => Ok(Reply::new(kv_flood(&invocation.args))),
            "storeflood" => Ok(Reply::new(store_flood(&invocation.args)?)),
            "logflood" => Ok(Reply::new(log_flood(&invocation.args))),
            "requests" => Ok(Reply::new(requests(&invocation.args))),
            "post" => {
                let (bytes, url) = two(&invocation.args);
                let body = vec![b'p'; number(bytes)];
                Ok(Reply::new(match http::send(http::Method::POST, url, &[], body) {
                    Ok(response) => format!("status {}", response.status),
                    Err(error) => format!("refused: {error}"),
                }))
            }
            "llmflood" => Ok(Reply::new(llm_flood(number(&invocation.args)))),
            "embedflood" => {
                let texts = vec!["flood".to_owned(); number(&invocation.args)];
                Ok(Reply::new(match llm::embed(&texts) {
                    Ok(vectors) => format!("embedded {}", vectors.len()),
                    Err(error) => describe(&error.into()),
                }))
            }
            "hold" => {
                let (mib, ms) = two(&invocation.args);
                let held = vec![1u8; number(mib) << 20];
                let until =
                    std::time::Instant::now() + std::time::Duration::from_millis(number(ms) as u64);
                while std::time::Instant::now() < until {
                    std::hint::black_box(&held);
                }
                Ok(Reply::new(format!("held {mib} MiB")))
            }
            _ => Ok(Reply::new("ok")),
        }
    }

    fn fire(job: String, payload: String) -> Result<(), PluginError> {
        if payload == "trap" {
            panic!("misbehave: trapping in a scheduled job on purpose");
        }
        if payload == "busy" {
            // Whatever the host refuses of the floods, the job goes on to compute.
            kv_flood("5 61440");
            log_flood("100 4096");
            let _ = store_flood("5 4096");
            spin();
        }
        let key = format!("fired/{job}");
        let count = kv::get(&key)?
            .and_then(|value| String::from_utf8(value).ok())
            .and_then(|text| text.parse::<u64>().ok())
            .unwrap_or(0);
        kv::set(&key, (count + 1).to_string().as_bytes())?;
        Ok(())
    }
}

/// A function-calling round trip: offer `roll_dice`, answer each call the model makes (the
/// die always shows 4), and return the model's final text.
fn dice(question: &str) -> Result<Reply, PluginError> {
    let tool = ToolSpec {
        name: "roll_dice".into(),
        description: "Roll one die".into(),
        parameters:
            r#"{"type":"object","properties":{"sides":{"type":"integer"}},"required":["sides"]}"#
                .into(),
    };
    let mut messages = vec![ChatMessage::new(Role::User, question)];
    for _ in 0..3 {
        let request = Inference {
            messages: messages.clone(),
            tools: vec![tool.clone()],
            max_tokens: None,
            temperature: None,
        };
        let calls = match llm::infer(&request)? {
            Completion::Text(text) => return Ok(Reply::new(text)),
            Completion::ToolCalls(calls) => calls,
        };
        let answers: Vec<ChatMessage> = calls
            .iter()
            .map(|call| ChatMessage {
                role: Role::Tool,
                content: "4".into(),
                tool_calls: Vec::new(),
                tool_call_id: Some(call.id.clone()),
            })
            .collect();
        messages.push(ChatMessage {
            role: Role::Assistant,
            content: String::new(),
            tool_calls: calls,
            tool_call_id: None,
        });
        messages.extend(answers);
    }
    Err(PluginError::Internal("the model kept calling tools".into()))
}

impl Tool for Misbehave {
    fn tools() -> Vec<ToolSpec> {
        Vec::new()
    }

    fn call(name: String, _arguments: String, _user_id: String) -> Result<String, PluginError> {
        Err(PluginError::InvalidInput(format!("no tool named {name}")))
    }
}

/// `args` as two words.
fn two(args: &str) -> (&str, &str) {
    args.split_once(' ').unwrap_or((args, ""))
}

fn number(text: &str) -> usize {
    text.trim().parse().unwrap_or(0)
}

/// A plugin error as the floods report it: a limit by its name and what it allows.
fn describe(error: &PluginError) -> String {
    match error {
        PluginError::Limited(limit) => format!("limited {} {}", limit.name, limit.allowed),
        other => format!("failed {other:?}"),
    }
}

fn log_flood(args: &str) -> String {
    let (count, bytes) = two(args);
    let padding = "x".repeat(number(bytes));
    for n in 0..number(count) {
        log::info(format!(
            "line {n}\n2026-12-03T00:00:00Z  INFO dcmaid_host: forged by misbehave{padding}"
        ));
    }
    "logged".to_owned()
}

fn kv_flood(args: &str) -> String {
    let (count, bytes) = two(args);
    let value = vec![b'k'; number(bytes)];
    for n in 0..number(count) {
        if let Err(error) = kv::set(&format!("flood/{n}"), &value) {
            return format!("stored {n}; then {}", describe(&error.into()));
        }
    }
    format!("stored {count}")
}

fn store_flood(args: &str) -> Result<String, PluginError> {
    let (count, bytes) = two(args);
    let collection = store::Collection {
        name: "flood".to_owned(),
        dimensions: None,
        text_field: None,
        keys: Vec::new(),
    };
    store::define(&collection)?;
    let fields = format!(r#"{{"text":"{}"}}"#, "s".repeat(number(bytes)));
    for n in 0..number(count) {
        if let Err(error) = store::insert("flood", &fields, None) {
            return Ok(format!("stored {n}; then {}", describe(&error.into())));
        }
    }
    Ok(format!("stored {count}"))
}

fn requests(args: &str) -> String {
    let (count, url) = two(args);
    let (mut sent, mut refused, mut last) = (0, 0, String::new());
    for _ in 0..number(count) {
        match http::get(url) {
            Ok(_) => sent += 1,
            Err(error) => {
                refused += 1;
                last = error.to_string();
            }
        }
    }
    format!("sent {sent} refused {refused}: {last}")
}

fn llm_flood(count: usize) -> String {
    for n in 0..count {
        if let Err(error) = llm::ask("Answer tersely.", "flood") {
            return format!("answered {n}; then {}", describe(&error));
        }
    }
    format!("answered {count}")
}

fn spin() -> ! {
    let mut n: u64 = 0;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
    }
}

fn hog() -> Result<Reply, PluginError> {
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    loop {
        // Touch every page so the memory is really used, 16 MiB at a time.
        chunks.push(vec![1u8; 16 << 20]);
        std::hint::black_box(&chunks);
    }
}

dcmaid_sdk::tool!(Misbehave);

/// Everything this plugin's store shows under the memory plugin's collection name: how many
/// documents `find`, `search` for `WORD`, `nearest` and `get` of `ID` return.
fn peek(args: &str) -> Result<Reply, PluginError> {
    let (id, word) = args.split_once(' ').unwrap_or((args, ""));
    let collection = store::Collection {
        name: "memories".to_owned(),
        dimensions: Some(384),
        text_field: Some("text".to_owned()),
        keys: vec!["user_id".to_owned()],
    };
    store::define(&collection)?;
    let found = store::find("memories", &[], 1000)?.len();
    let searched = store::search("memories", word, &[], 1000)?.len();
    let near = store::nearest("memories", &[1.0; 384], &[], 1000)?.len();
    let got = store::get("memories", id)?.is_some();
    Ok(Reply::new(format!("find={found} search={searched} nearest={near} get={got}")))
}

/// The message's context, field by field.
fn context(message: &Message) -> String {
    let context = &message.context;
    let or_none = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".into());
    format!(
        "direct {} server {} thread {} reply-to {} mentions [{}] id {}",
        context.direct,
        or_none(&context.server_id),
        or_none(&context.thread_id),
        or_none(&context.reply_to),
        context.mentions.join(","),
        or_none(&context.platform_message_id),
    )
}

/// Which case of `kv-error` (or success) reading `key` comes to.
fn case(key: &str) -> String {
    match kv::get(key) {
        Ok(_) => "ok".into(),
        Err(kv::KvError::NotGranted) => "not-granted".into(),
        Err(kv::KvError::Limited(limit)) => format!("limited {} {}", limit.name, limit.allowed),
        Err(other) => format!("other {other:?}"),
    }
}
