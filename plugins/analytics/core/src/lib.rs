//! The arithmetic of dcmaid's analytics, plain Rust without the plugin SDK: one record per
//! UTC day ([`day`]), the key performance indicators computed from those records ([`kpi`]),
//! response-time percentiles ([`latency`]) and the texts shown to people ([`report`]).

pub mod day;
pub mod kpi;
pub mod latency;
pub mod report;
