//! The world the host is on the other side of, for any one version of `dcmaid:bot`: it
//! imports every capability and exports every role plus `commands`, `scheduled`, `settings`
//! and `inspect`. No plugin implements all of it: the host looks up each export interface
//! on its own (`exports::…::GuestIndices`), requires the one of the plugin's declared role
//! and treats the others as optional.

/// wasmtime's bindings of the host world of the `dcmaid:bot` in folder `$path`, whose world
/// (every interface at that version) is `$world`.
macro_rules! host_world {
    ($path:literal, $world:literal) => {
        wasmtime::component::bindgen!({
            path: $path,
            inline: $world,
            world: "dcmaid:host/host",
            // Host functions answer with their WIT results and never trap the guest.
            imports: {
                "dcmaid:bot/kv": async,
                "dcmaid:bot/llm": async,
                "dcmaid:bot/scheduler": async,
                "dcmaid:bot/store": async,
            },
            exports: { default: async },
        });
    };
}

pub(crate) use host_world;
