use std::collections::BTreeSet;
use std::path::PathBuf;

use super::*;
use crate::core::{Capability, PluginName};

#[test]
fn an_empty_file_is_the_defaults() {
    let config = Config::parse("").unwrap();
    assert_eq!(config.server.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(config.plugins_dir(), PathBuf::from(".dcmaid/plugins"));
    assert_eq!(config.limits.memory_mib, 128);
}

#[test]
fn plugin_settings_can_come_from_files_beside_the_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("persona.yaml"), "personality: {}\n").unwrap();
    let path = dir.path().join("dcmaid.toml");
    let settings = "[plugins.personality.config]\npersonality = { file = \"persona.yaml\" }\n";
    std::fs::write(&path, settings).unwrap();
    let config = Config::load(&path).unwrap();
    let personality = PluginName::new("personality").unwrap();
    let value = config.plugin_policy().entry(&personality).config["personality"].clone();
    assert_eq!(value.as_str(), Some("personality: {}\n"));

    std::fs::write(&path, settings.replace("persona.yaml", "missing.yaml")).unwrap();
    let error = Config::load(&path).unwrap_err().to_string();
    assert!(error.contains("plugins.personality.config.personality: cannot read"), "{error}");
    assert!(error.contains("missing.yaml"), "{error}");
}

#[test]
fn grants_are_requested_and_granted() {
    let config = Config::parse(
        r#"
        default_grants = []
        [plugins.hello]
        grant = ["kv"]
        "#,
    )
    .unwrap();
    let policy = config.plugin_policy();
    let requested = BTreeSet::from([Capability::Kv]);
    let hello = PluginName::new("hello").unwrap();
    let other = PluginName::new("other").unwrap();
    assert_eq!(policy.effective_grants(&hello, &requested), requested);
    assert!(policy.effective_grants(&other, &requested).is_empty());
}

#[test]
fn errors_name_the_file_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dcmaid.toml");
    for (text, field) in [
        ("[limits]\nmemory_mib = \"lots\"\n", "memory_mib"),
        ("[server]\nbind = \"nowhere\"\n", "bind"),
        ("[limits]\nmemory_mib = 0\n", "limits.memory_mib"),
        ("colour = \"blue\"\n", "colour"),
        ("[plugins.\"Bad Name\"]\n", "Bad Name"),
        ("[llm]\nbase_url = \"ftp://model\"\n", "llm.base_url"),
        ("[discord]\nprefix = \"\"\n", "discord.prefix"),
        ("[discord]\nprefix = \"hey bot\"\n", "discord.prefix"),
        ("[discord]\napi_proxy = \"discord.example\"\n", "discord.api_proxy"),
        ("[rate_limit]\nburst = 0\n", "rate_limit"),
        ("[rate_limit]\nper_minute = 0\n", "rate_limit"),
        ("[server]\nadmin_tokn = \"x\"\n", "admin_tokn"),
    ] {
        std::fs::write(&path, text).unwrap();
        let message = Config::load(&path).unwrap_err().to_string();
        assert!(message.contains("dcmaid.toml"), "{message} should name the file");
        assert!(message.contains(field), "{message} should name {field}");
    }
}
