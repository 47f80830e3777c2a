//! The logic of dcmaid's memory, plain Rust without the plugin SDK so it runs natively in
//! tests as well as inside the wasm32-wasip2 plugin: long texts cut into overlapping pieces
//! for embedding ([`chunk`]), keyword hits weighed by how much of the question they hold
//! ([`coverage`]), vector and keyword hits merged into one ranking ([`fusion`]),
//! memories naming the order number or code a query names put first ([`identifier`]),
//! relations between memories that fade with time and strengthen with reuse ([`relation`]),
//! related memories blended into a recall ([`expand`]), the time a question names
//! ([`when`]) and the plugin's settings ([`settings`]). Nothing here panics, whatever the input.

pub mod chunk;
pub mod coverage;
pub mod expand;
pub mod fusion;
pub mod identifier;
pub mod relation;
pub mod settings;
pub mod when;
