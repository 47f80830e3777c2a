//! dcmaid's persona plugin: a tsundere maid with Big Five traits and a mood per user. The
//! logic is `personality-core`; this crate wires it to the host: settings from `config`,
//! each user's state in `kv`, the time from the message.

use dcmaid_sdk::prelude::*;
use personality_core::settings::Settings;
use personality_core::state::UserState;
use personality_core::{report, turn, voice};

struct Personality;

/// Salts that keep a message's rolls for the template and the voice independent.
const TEMPLATE_SALT: u64 = 1;
const VOICE_SALT: u64 = 2;

/// The settings from the plugin's config: the YAML under `personality`, the card under
/// `character_card`.
fn load_settings() -> Result<Settings, String> {
    let yaml = config::get("personality");
    let card = config::get("character_card");
    Settings::parse(yaml.as_deref(), card.as_deref())
}

fn settings() -> Result<Settings, PluginError> {
    // Settings that do not parse were refused when the plugin loaded (`validate`).
    load_settings().map_err(PluginError::Internal)
}

/// `user_id`'s state, decayed to `now_ms`; someone new starts at the baseline.
fn load_state(user_id: &str, settings: &Settings, now_ms: u64) -> Result<UserState, PluginError> {
    let mut state = kv::get_json::<UserState>(&state_key(user_id))?
        .unwrap_or_else(|| UserState::new(settings, now_ms));
    state.catch_up(settings, now_ms);
    Ok(state)
}

fn state_key(user_id: &str) -> String {
    format!("mood/{user_id}")
}

impl Plugin for Personality {
    fn commands() -> Vec<CommandSpec> {
        vec![CommandSpec::new("mood", "How I feel about you, and who I am", "/mood")]
    }

    fn run(invocation: Invocation) -> Result<Reply, PluginError> {
        if invocation.name != "mood" {
            return Err(PluginError::InvalidInput(format!("I don't know /{}.", invocation.name)));
        }
        let settings = settings()?;
        let message = &invocation.message;
        let state = load_state(&message.user.id, &settings, message.received_at_ms)?;
        let met = state.messages > 0;
        Ok(Reply::new(report::mood_report(&settings, &state.mood, &message.user.name, met)))
    }

    fn validate() -> Result<(), PluginError> {
        load_settings().map(drop).map_err(PluginError::InvalidInput)
    }

    /// The user's mood and counters, decayed to now, for operators; none for a stranger.
    fn user_state(user_id: String) -> Result<Option<String>, PluginError> {
        let settings = settings()?;
        let Some(mut state) = kv::get_json::<UserState>(&state_key(&user_id))? else {
            return Ok(None);
        };
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_millis() as u64);
        state.catch_up(&settings, now_ms);
        let json =
            serde_json::to_string(&state).map_err(|e| PluginError::Internal(e.to_string()))?;
        Ok(Some(json))
    }
}

impl Persona for Personality {
    fn shape(message: Message) -> Result<Shaped, PluginError> {
        let settings = settings()?;
        let (user, now) = (&message.user, message.received_at_ms);
        let mut state = load_state(&user.id, &settings, now)?;
        let roll = turn::roll(&message.id, TEMPLATE_SALT);
        let shaped = turn::shape(&settings, &mut state, &message.text, &user.name, now, roll);
        kv::set_json(&state_key(&user.id), &state)?;
        Ok(Shaped { system_prompt: shaped.system_prompt, direct_reply: Some(shaped.reply) })
    }

    fn finish(message: Message, draft: String) -> Result<Reply, PluginError> {
        let settings = settings()?;
        let state = load_state(&message.user.id, &settings, message.received_at_ms)?;
        let roll = turn::roll(&message.id, VOICE_SALT);
        let text = voice::finish(&draft, &settings.traits, &state.mood, state.last_kind, roll);
        Ok(Reply::new(text))
    }

    fn traits() -> Option<BigFive> {
        let traits = load_settings().ok()?.traits;
        Some(BigFive {
            openness: traits.openness as f32,
            conscientiousness: traits.conscientiousness as f32,
            extraversion: traits.extraversion as f32,
            agreeableness: traits.agreeableness as f32,
            neuroticism: traits.neuroticism as f32,
        })
    }
}

dcmaid_sdk::persona!(Personality);
