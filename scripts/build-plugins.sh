#!/usr/bin/env bash
# Build every plugin crate under plugins/ into a WebAssembly component, and install the
# first-party ones that ship a plugin.toml into a plugins directory (default .dcmaid/plugins).
# `--examples` installs plugins/examples/* too; `--no-install` installs nothing.
#
#   scripts/build-plugins.sh [--no-install | --examples] [PLUGINS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_wasm_target

install=1
examples=0
case "${1:-}" in
    --no-install) install=0; shift ;;
    --examples) examples=1; shift ;;
esac
dest="${1:-.dcmaid/plugins}"

# The package name of a crate: the first `name = "…"` of its Cargo.toml.
package_name() { sed -n 's/^name *= *"\(.*\)"/\1/p' "$1" | head -n 1; }

crates=()
packages=()
while IFS= read -r manifest; do
    crates+=("$(dirname "$manifest")")
    packages+=(-p "$(package_name "$manifest")")
done < <(find plugins -name Cargo.toml -not -path '*/target/*' | sort)

cargo build --profile plugin --target wasm32-wasip2 "${packages[@]}"
built="$CARGO_TARGET_DIR/wasm32-wasip2/plugin"

# Python and JavaScript plugins: a folder with app.py or app.js, plugin.toml and
# wit/world.wit (whose world includes a dcmaid:bot role world, found through wit/deps/),
# built next to the Rust ones by componentize-py and componentize-js (without WASI HTTP).
folders_with() {
    find plugins -name "$1" -not -path '*/target/*' -not -path '*/node_modules/*' \
        -exec dirname {} \; | sort
}
mapfile -t python_plugins < <(folders_with app.py)
mapfile -t js_plugins < <(folders_with app.js)
[[ ${#python_plugins[@]} -eq 0 ]] || ensure_componentize_py
[[ ${#js_plugins[@]} -eq 0 ]] || ensure_componentize_js

component_of() { sed -n 's/^component *= *"\(.*\)"/\1/p' "$1/plugin.toml" | head -n 1; }
for dir in "${python_plugins[@]}"; do
    build_python_plugin "$dir" "$built/$(component_of "$dir")"
    echo "built $dir into $built/$(component_of "$dir")"
done
for dir in "${js_plugins[@]}"; do
    build_js_plugin "$dir" "$built/$(component_of "$dir")"
    echo "built $dir into $built/$(component_of "$dir")"
done

[[ $install == 1 ]] || exit 0

# Each installed folder's content digest, as the host computes it (trust/signature.rs:
# SHA-256 over "plugin.toml <hex>\n<component> <hex>\n"), recorded in $dest/.local-builds:
# the host trusts a folder that still matches as a local build, without a signature.
mkdir -p "$dest"
touch "$dest/.local-builds"
record_local_build() {
    local name=$1 component=$2 listing digest
    listing="plugin.toml $(sha256sum "$dest/$name/plugin.toml" | cut -d' ' -f1)
$component $(sha256sum "$dest/$name/$component" | cut -d' ' -f1)
"
    digest=$(printf '%s' "$listing" | sha256sum | cut -d' ' -f1)
    { grep -v "^$name " "$dest/.local-builds" || true; echo "$name sha256:$digest"; } \
        > "$dest/.local-builds.new"
    mv "$dest/.local-builds.new" "$dest/.local-builds"
}
for crate in "${crates[@]}"; do
    [[ -f "$crate/plugin.toml" ]] || continue
    [[ $examples == 1 || $crate != plugins/examples/* ]] || continue
    name=$(package_name "$crate/plugin.toml")
    component=$(sed -n 's/^component *= *"\(.*\)"/\1/p' "$crate/plugin.toml" | head -n 1)
    wasm="$built/$(package_name "$crate/Cargo.toml" | tr - _).wasm"
    mkdir -p "$dest/$name"
    cp "$crate/plugin.toml" "$dest/$name/plugin.toml"
    cp "$wasm" "$dest/$name/$component"
    record_local_build "$name" "$component"
    echo "installed $name into $dest/$name"
done
for dir in "${python_plugins[@]}" "${js_plugins[@]}"; do
    [[ $examples == 1 || $dir != plugins/examples/* ]] || continue
    name=$(package_name "$dir/plugin.toml")
    component=$(component_of "$dir")
    mkdir -p "$dest/$name"
    cp "$dir/plugin.toml" "$dest/$name/plugin.toml"
    cp "$built/$component" "$dest/$name/$component"
    record_local_build "$name" "$component"
    echo "installed $name into $dest/$name"
done
