//! `dcmaid doctor`: is this set-up ready to run the bot? One line per check, what it found
//! and, where something is missing, what to do. It changes nothing, and runs without a bot
//! (a running one keeps its database locked, so storage is checked by writing beside it).

use std::path::Path;
use std::time::Duration;

use dcmaid_host::Config;
use dcmaid_host::manifest::Manifest;
use dcmaid_host::trust::{self, Policy, Trusted};

/// What one check found.
enum Finding {
    Ok(String),
    /// Works, but the operator may want to know (or act).
    Note(String),
    /// Not ready: what is wrong, and what to do.
    Fail(String, String),
}

/// Run every check and print them; an error when one failed.
pub async fn doctor(config: &Config) -> anyhow::Result<()> {
    let checks = [
        ("wasm target", wasm_target()),
        ("plugins", plugins(config)),
        ("model", model(config)),
        ("redis", redis(config).await),
        ("storage", storage(config)),
        ("allowlist", allowlist(config)),
        ("discord", token("Discord", &config.discord.token_env)),
        ("telegram", token("Telegram", &config.telegram.token_env)),
    ];
    let mut failed = 0;
    for (name, finding) in checks {
        match finding {
            Finding::Ok(what) => println!("ok    {name:<12} {what}"),
            Finding::Note(what) => println!("note  {name:<12} {what}"),
            Finding::Fail(what, todo) => {
                failed += 1;
                println!("FAIL  {name:<12} {what}\n      {:<12} -> {todo}", "");
            }
        }
    }
    anyhow::ensure!(failed == 0, "{failed} check(s) failed");
    Ok(())
}

fn wasm_target() -> Finding {
    let output =
        std::process::Command::new("rustup").args(["target", "list", "--installed"]).output();
    match output {
        Ok(output)
            if String::from_utf8_lossy(&output.stdout).lines().any(|l| l == "wasm32-wasip2") =>
        {
            Finding::Ok("wasm32-wasip2 is installed (Rust plugins build)".to_owned())
        }
        Ok(_) => Finding::Fail(
            "the wasm32-wasip2 target is missing: Rust plugins cannot be built".to_owned(),
            "rustup target add wasm32-wasip2".to_owned(),
        ),
        Err(_) => Finding::Note("no rustup here: building Rust plugins needs one".to_owned()),
    }
}

fn plugins(config: &Config) -> Finding {
    let dir = config.plugins_dir();
    let build = "scripts/build-plugins.sh (it builds and installs the first-party plugins)";
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Finding::Fail(format!("no plugins directory at {}", dir.display()), build.into());
    };
    let mut folders: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| !path.file_name().unwrap_or_default().to_string_lossy().contains('.'))
        .filter(|path| path.join("plugin.toml").is_file())
        .collect();
    folders.sort();
    if folders.is_empty() {
        return Finding::Fail(format!("no plugins in {}", dir.display()), build.into());
    }
    let (mut names, mut problems) = (Vec::new(), Vec::new());
    for folder in &folders {
        let name = folder.file_name().unwrap_or_default().to_string_lossy().into_owned();
        match standing(folder, config) {
            Ok(how) => names.push(format!("{name} ({how})")),
            Err(why) => problems.push(format!("{name}: {why}")),
        }
    }
    let listed = names.join(", ");
    if problems.is_empty() {
        return Finding::Ok(listed);
    }
    let fine = if listed.is_empty() { String::new() } else { format!("{listed}; ") };
    let problems = problems.join("; ");
    let refused = config.trust.policy == Policy::Require || problems.contains("missing");
    match refused {
        true => Finding::Fail(
            format!("{fine}not loaded: {problems}"),
            "rebuild with scripts/build-plugins.sh, or sign it (README: Signed plugins)".into(),
        ),
        false => Finding::Note(format!("{fine}loaded with a warning: {problems}")),
    }
}

/// How a plugin folder stands: readable, its component there, and whom it is trusted as.
fn standing(folder: &Path, config: &Config) -> Result<String, String> {
    let manifest = Manifest::load(&folder.join("plugin.toml")).map_err(|e| e.to_string())?;
    if !folder.join(&manifest.component).is_file() {
        return Err(format!("its component {} is missing", manifest.component.display()));
    }
    match trust::standing(folder, &manifest, &config.trust).trusted {
        Ok(Trusted::LocalBuild) => Ok("built here".to_owned()),
        Ok(Trusted::Allowed) => Ok("installed unsigned on purpose".to_owned()),
        Ok(Trusted::Publisher(publisher)) => Ok(format!("signed by {publisher}")),
        Err(why) => Err(format!("not trusted: {why}")),
    }
}

fn model(config: &Config) -> Finding {
    let dir = config.embed.model_dir();
    let missing: Vec<&str> = ["config.json", "tokenizer.json", "model.safetensors"]
        .into_iter()
        .filter(|file| !dir.join(file).is_file())
        .collect();
    match missing.is_empty() {
        true => Finding::Ok(format!("the embedding model in {}", dir.display())),
        false => Finding::Fail(
            format!(
                "the memory plugin's model is missing from {}: {}",
                dir.display(),
                missing.join(", ")
            ),
            "scripts/fetch-model.sh (or point [embed] model_dir or $DCMAID_MODEL_DIR at it)".into(),
        ),
    }
}

async fn redis(config: &Config) -> Finding {
    let Some(target) = config.redis.target() else {
        return Finding::Note(
            "no [redis] url: one replica, with cron claims and rate limits in this process".into(),
        );
    };
    let shown = target.to_string();
    let connected =
        tokio::time::timeout(Duration::from_secs(3), dcmaid_host::redis::connect(&target)).await;
    match connected {
        Ok(Ok(_client)) => match config.redis.secret() {
            Some(_) => Finding::Ok(format!("{shown} answers; swaps are shared, sealed")),
            None => Finding::Note(format!(
                "{shown} answers; swaps are not shared until [redis] secret (or ${}) is set",
                dcmaid_host::redis::SECRET_ENV
            )),
        },
        Ok(Err(error)) => Finding::Fail(
            format!("{shown} does not answer: {error}"),
            "start Redis (redis-server), fix [redis] url, or remove it to run one replica".into(),
        ),
        Err(_) => Finding::Fail(
            format!("{shown} did not answer within 3 s"),
            "start Redis (redis-server), fix [redis] url, or remove it to run one replica".into(),
        ),
    }
}

fn storage(config: &Config) -> Finding {
    let url = config.storage_url();
    if !url.starts_with("surrealkv://") && !url.starts_with("rocksdb://") {
        return Finding::Ok(url);
    }
    let probe = config.data_dir.join(".doctor-probe");
    let written =
        std::fs::create_dir_all(&config.data_dir).and_then(|()| std::fs::write(&probe, b"ok"));
    let _ = std::fs::remove_file(&probe);
    match written {
        Ok(()) => Finding::Ok(format!("{url} (its folder is writable)")),
        Err(error) => Finding::Fail(
            format!("cannot write in {}: {error}", config.data_dir.display()),
            "choose a data_dir this user can write, or fix its permissions".into(),
        ),
    }
}

fn allowlist(config: &Config) -> Finding {
    match config.http.allowlist() {
        Ok(list) => {
            let source = config
                .http
                .allowlist_file
                .as_ref()
                .map_or("the built-in list".to_owned(), |p| p.display().to_string());
            Finding::Ok(format!("{} hosts plugins may reach, from {source}", list.grants().count()))
        }
        Err(error) => Finding::Fail(error.to_string(), "fix [http] allowlist_file".into()),
    }
}

fn token(platform: &str, env: &str) -> Finding {
    match std::env::var(env).ok().filter(|token| !token.trim().is_empty()) {
        Some(_) => {
            Finding::Ok(format!("${env} is set: the {platform} adapter starts with `serve`"))
        }
        None => Finding::Note(format!(
            "${env} is not set: no {platform} adapter (the terminal and HTTP work)"
        )),
    }
}
