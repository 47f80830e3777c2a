#!/usr/bin/env bash
# Build the plugins and the bot, then run it on its embedded defaults (state in .dcmaid/).
#
#   scripts/run.sh                  # serve: HTTP API on http://127.0.0.1:8080
#   scripts/run.sh chat             # talk to it in the terminal
#   scripts/run.sh --release serve  # the release profile, for production (a longer build)
#
# Without --release it builds exactly what scripts/test.sh builds (the dev profile, with the
# dependencies optimised, in the same target directory and with the same features), so that
# whichever of the two runs second compiles almost nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_wasm_target
ensure_embedding_model

profile=(); binary="$CARGO_TARGET_DIR/debug/dcmaid"
if [[ "${1:-}" == "--release" ]]; then
    shift
    profile=(--release); binary="$CARGO_TARGET_DIR/release/dcmaid"
fi

scripts/build-plugins.sh
# The whole workspace, as the tests build it: building one package alone would resolve the
# dependencies' features differently and compile them again.
cargo build "${profile[@]}" --workspace --bins
if [[ $# -eq 0 ]]; then set -- serve; fi
exec "$binary" "$@"
