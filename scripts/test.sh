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
ensure_openapi_validator
ensure_browser
ensure_schemathesis
ensure_surreal_server

scripts/build-plugins.sh --no-install
# The end-to-end tests drive the real `dcmaid` binary. Built with every test target, so
# that the binary and the tests share one feature resolution (and one build of the
# dependencies).
cargo build --workspace --bins --tests
scripts/check-templates.sh
cargo test --workspace "$@"
# The HTTP API against its own OpenAPI document, by a client nobody here wrote.
scripts/api-contract.sh
