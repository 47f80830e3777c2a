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

# A plain install (the run command's) builds only the first-party plugins it installs; the
# tests and `--examples` build every plugin crate.
first_party_only=0
[[ $install == 1 && $examples == 0 ]] && first_party_only=1
crates=()
packages=()
while IFS= read -r manifest; do
    crate="$(dirname "$manifest")"
    if [[ $first_party_only == 1 ]] \
        && [[ ! -f $crate/plugin.toml || $crate == plugins/examples/* || $crate == plugins/tests/* ]]; then
        continue
    fi
    crates+=("$crate")
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
# Only examples are written in Python and JavaScript: a plain install installs none, so it
# neither builds them nor installs their toolchains.
if [[ $first_party_only == 1 ]]; then
    keep_first_party() { local dir; for dir in "$@"; do [[ $dir == plugins/examples/* ]] || echo "$dir"; done; }
    mapfile -t python_plugins < <(keep_first_party "${python_plugins[@]}")
    mapfile -t js_plugins < <(keep_first_party "${js_plugins[@]}")
fi
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

mkdir -p "$dest"
for crate in "${crates[@]}"; do
    [[ -f "$crate/plugin.toml" ]] || continue
    [[ $examples == 1 || $crate != plugins/examples/* ]] || continue
    name=$(package_name "$crate/plugin.toml")
    component=$(sed -n 's/^component *= *"\(.*\)"/\1/p' "$crate/plugin.toml" | head -n 1)
    wasm="$built/$(package_name "$crate/Cargo.toml" | tr - _).wasm"
    mkdir -p "$dest/$name"
    cp "$crate/plugin.toml" "$dest/$name/plugin.toml"
    cp "$wasm" "$dest/$name/$component"
    record_local_build "$dest" "$name" "$component"
    echo "installed $name into $dest/$name"
done
for dir in "${python_plugins[@]}" "${js_plugins[@]}"; do
    [[ $examples == 1 || $dir != plugins/examples/* ]] || continue
    name=$(package_name "$dir/plugin.toml")
    component=$(component_of "$dir")
    mkdir -p "$dest/$name"
    cp "$dir/plugin.toml" "$dest/$name/plugin.toml"
    cp "$built/$component" "$dest/$name/$component"
    record_local_build "$dest" "$name" "$component"
    echo "installed $name into $dest/$name"
done
