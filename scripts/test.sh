#!/usr/bin/env bash
# The test suite on a fresh machine: the wasm target, a Redis on 127.0.0.1:6379, the
# plugins, the binary, every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_wasm_target
ensure_redis
ensure_docker_registry
ensure_embedding_model

scripts/build-plugins.sh --no-install
# The end-to-end tests drive the real `dcmaid` binary.
cargo build -p dcmaid-host --bin dcmaid
scripts/check-templates.sh
cargo test --workspace "$@"
