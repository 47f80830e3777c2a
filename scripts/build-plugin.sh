#!/usr/bin/env bash
# Build one plugin folder (made by scripts/new-plugin.sh, or your own) into its component,
# beside its plugin.toml, and install it into PLUGINS_DIR when one is given.
#
#   scripts/build-plugin.sh FOLDER [PLUGINS_DIR]
#
# Rust: a crate (Cargo.toml) built for wasm32-wasip2. Python: app.py with componentize-py.
# JavaScript: app.js with componentize-js. Either way from dcmaid's wit/ alone.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/scripts/env.sh"
folder="${1:?usage: build-plugin.sh FOLDER [PLUGINS_DIR]}"
component=$(sed -n 's/^component *= *"\(.*\)"/\1/p' "$folder/plugin.toml" | head -n 1)
name=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$folder/plugin.toml" | head -n 1)

if [[ -f $folder/Cargo.toml ]]; then
    ensure_wasm_target
    cargo build --manifest-path "$folder/Cargo.toml" --release --target wasm32-wasip2
    cp "$CARGO_TARGET_DIR/wasm32-wasip2/release/${name//-/_}.wasm" "$folder/$component"
elif [[ -f $folder/app.py ]]; then
    build_python_plugin "$folder" "$folder/$component"
elif [[ -f $folder/app.js ]]; then
    build_js_plugin "$folder" "$folder/$component"
else
    echo "$folder has no Cargo.toml, app.py or app.js" >&2
    exit 2
fi
echo "built $folder/$component"

if [[ -n ${2:-} ]]; then
    mkdir -p "$2/$name"
    cp "$folder/plugin.toml" "$folder/$component" "$2/$name/"
    record_local_build "$2" "$name" "$component"
    echo "installed $name into $2/$name (trusted as built here)"
fi
