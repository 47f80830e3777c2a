//! dcmaid's plugin registry and the client for any OCI registry.
//!
//! A plugin travels as an OCI artifact in the Wasm layout that wkg, Spin and wasmCloud use
//! (manifest `application/vnd.oci.image.manifest.v1+json`, config
//! `application/vnd.wasm.config.v0+json`, one `application/wasm` layer); its `plugin.toml`
//! and `plugin.sig` travel as manifest annotations ([`package`]). [`server`] is the push and
//! pull part of the OCI Distribution API over a content-addressed store on disk ([`store`]),
//! with publishing behind a token, and a catalog for humans ([`catalog`]). [`client`] pushes
//! to and pulls from this registry or any other.

pub mod catalog;
pub mod client;
pub mod package;
pub mod rate;
pub mod server;
pub mod store;
