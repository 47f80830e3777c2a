//! The logic of dcmaid's persona, plain Rust without the plugin SDK: a tsundere maid with Big
//! Five traits and a mood per user that moves with what they say and drifts back with time.
//! The `personality` plugin wires it to the host; the host's benchmarks run it natively as
//! their baseline.
//!
//! A turn ([`turn`]): the user's state ([`state`]) has its mood
//! decayed to the message's time ([`mood`]), the message's kind is detected
//! ([`interaction`]), the mood reacts, and a template is chosen ([`templates`]) alongside a
//! system prompt for the language model ([`prompt`]). A model's draft is finished in the
//! persona's voice ([`voice`]). `/mood` shows the moods ([`report`]). Settings come from the
//! seed's YAML and a Character Card V2 ([`settings`], [`card`]).

pub mod card;
pub mod interaction;
pub mod mood;
pub mod prompt;
pub mod rate;
pub mod report;
pub mod settings;
pub mod state;
pub mod templates;
pub mod traits;
pub mod turn;
pub mod voice;
