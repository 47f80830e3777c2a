#!/usr/bin/env bash
# Build the plugins and the bot, then run it on its embedded defaults (state in .dcmaid/).
#
#   scripts/run.sh            # serve: HTTP API on http://127.0.0.1:8080
#   scripts/run.sh chat       # talk to it in the terminal
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_wasm_target
ensure_embedding_model

scripts/build-plugins.sh
if [[ $# -eq 0 ]]; then set -- serve; fi
exec cargo run --release -p dcmaid-host --bin dcmaid -- "$@"
