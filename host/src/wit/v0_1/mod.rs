//! `dcmaid:bot@0.1.0`, as published: its bindings, the conversions of its values to and
//! from the newest version's, and its capabilities served as thin delegates of the newest
//! version's. Plugins built against it load and run unchanged.

pub mod bindings;
mod convert;
mod host;

pub use host::add_to_linker;
