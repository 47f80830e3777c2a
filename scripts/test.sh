#!/usr/bin/env bash
# The test suite on a fresh machine: the wasm target, the plugins, the binary, every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_wasm_target

scripts/build-plugins.sh --no-install
# The end-to-end tests drive the real `dcmaid` binary.
cargo build -p dcmaid-host --bin dcmaid
cargo test --workspace "$@"
