//! What only one plugin can have (a command, a tool, the persona) claimed by several. The
//! operator picks in `dcmaid.toml` (`[routes] "/weather" = "tools"`, `persona = "..."`);
//! without a choice, the first claimant keeps it: a trusted one (built here, or signed by
//! a trusted publisher) before any other, then by name, so a stranger cannot take a route by
//! its name and the choice never flips between two starts. Every such claim is reported: in the log when the plugins are
//! indexed, and beside the plugins in the API, `dcmaid plugin list` and the console.

use serde::{Deserialize, Serialize};

use crate::core::PluginName;

/// Several plugins claiming one thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Object)]
pub struct Conflict {
    /// `/weather`, `tool weather` or `persona`.
    pub claim: String,
    /// Every plugin that claims it: trusted ones first, then by name.
    pub claimants: Vec<String>,
    /// The one that has it.
    pub chosen: String,
    /// Whether the operator chose it (`[routes]`, `persona`), rather than the order by name.
    pub by_config: bool,
}

/// Which of `claimants` (at least one, trusted ones first, then by name) gets `claim`:
/// `choice` when it is among them, else the first; and the conflict, when there are several.
pub fn choose(
    claim: &str,
    claimants: &[PluginName],
    choice: Option<&PluginName>,
) -> (PluginName, Option<Conflict>) {
    let chosen_by_config = choice.filter(|choice| claimants.contains(choice));
    if let Some(choice) = choice.filter(|_| chosen_by_config.is_none()) {
        tracing::warn!("{claim} is routed to `{choice}` in the config, which does not claim it");
    }
    let chosen = chosen_by_config.unwrap_or(&claimants[0]).clone();
    if claimants.len() < 2 {
        return (chosen, None);
    }
    let names: Vec<String> = claimants.iter().map(ToString::to_string).collect();
    let conflict = Conflict {
        claim: claim.to_owned(),
        claimants: names.clone(),
        chosen: chosen.to_string(),
        by_config: chosen_by_config.is_some(),
    };
    let others: Vec<&String> = names.iter().filter(|name| **name != conflict.chosen).collect();
    if conflict.by_config {
        tracing::info!(
            "{claim} is claimed by {}: `{chosen}` has it, as the config says",
            names.join(", ")
        );
    } else {
        tracing::warn!(
            "{claim} is claimed by {}: `{chosen}` has it (trusted ones first, then by name); \
             to give it to another, say so in dcmaid.toml ({})",
            names.join(", "),
            example(claim, others.first().map_or("", |name| name.as_str())),
        );
    }
    (chosen, Some(conflict))
}

/// The config line that gives `claim` to `plugin`.
fn example(claim: &str, plugin: &str) -> String {
    match claim {
        "persona" => format!("persona = \"{plugin}\""),
        command if command.starts_with('/') => format!("[routes] \"{command}\" = \"{plugin}\""),
        other => format!("[routes] \"{other}\" = \"{plugin}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(names: &[&str]) -> Vec<PluginName> {
        names.iter().map(|name| PluginName::new(name).unwrap()).collect()
    }

    #[test]
    fn the_first_by_name_keeps_a_claim_unless_the_config_chooses() {
        let claimants = names(&["tools", "weather"]);
        let (chosen, conflict) = choose("/weather", &claimants, None);
        assert_eq!(chosen.as_str(), "tools");
        let conflict = conflict.unwrap();
        assert_eq!(conflict.claimants, ["tools", "weather"]);
        assert!(!conflict.by_config);

        let choice = PluginName::new("weather").unwrap();
        let (chosen, conflict) = choose("/weather", &claimants, Some(&choice));
        assert_eq!(chosen.as_str(), "weather");
        assert!(conflict.unwrap().by_config);

        // A choice that does not claim it changes nothing.
        let stranger = PluginName::new("memory").unwrap();
        let (chosen, conflict) = choose("/weather", &claimants, Some(&stranger));
        assert_eq!(chosen.as_str(), "tools");
        assert!(!conflict.unwrap().by_config);

        let (chosen, conflict) = choose("/weather", &names(&["tools"]), None);
        assert_eq!((chosen.as_str(), conflict), ("tools", None));
        assert_eq!(example("/weather", "weather"), "[routes] \"/weather\" = \"weather\"");
    }
}
