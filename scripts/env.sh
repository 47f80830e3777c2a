# Sourced by the other scripts: one target directory for every build, kept under the home
# directory so that repeated runs (and CI on the same machine) reuse what was compiled.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dcmaid-target}"

# The Rust toolchain's WebAssembly target; plugins are components for wasm32-wasip2.
ensure_wasm_target() {
    if ! rustup target list --installed | grep -qx wasm32-wasip2; then
        rustup target add wasm32-wasip2
    fi
}
