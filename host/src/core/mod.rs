//! The small types every part of the host shares: the plugin name, the capability list,
//! the plugin's role, the call limits, the clock, host names, file errors, the progress of
//! long work, and the arithmetic of limits (a token bucket, a sliding window, a log
//! throttle). This module
//! imports nothing else of the host, so that anything may import it.

mod bucket;
mod capability;
mod clock;
mod file_error;
mod host_name;
mod limits;
mod named;
mod plugin_name;
mod progress;
mod range;
mod role;
mod text;
mod throttle;
mod window;

pub use bucket::{Bucket, Decision, State};
pub use capability::Capability;
pub use clock::{Clock, ManualClock};
pub use file_error::FileError;
pub use host_name::{ANY_HOST, RequestedHost, normalize_host};
pub use limits::Limits;
pub(crate) use named::named;
pub use plugin_name::PluginName;
pub use progress::Progress;
pub use range::check_range;
pub use role::Role;
pub use text::{cut_marked, one_line, truncate};
pub use throttle::Throttle;
pub use window::Window;
