#!/usr/bin/env bash
# The SDK's templates, as a plugin author uses them: start a plugin from each (Rust, Python,
# JavaScript), build it, install it, and ask the real `dcmaid` binary to run its command.
# Run by scripts/test.sh, after it has built the binary.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/scripts/env.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for language in rust python javascript; do
    name="greeter-${language}"
    "$repo/scripts/new-plugin.sh" "$language" "$name" "$work/$name" >/dev/null
    "$repo/scripts/build-plugin.sh" "$work/$name" "$work/$language/plugins" >/dev/null
    printf 'data_dir = "%s"\n[storage]\nurl = "mem://"\n' "$work/$language" > "$work/$language.toml"
    reply=$(printf '/greet Ann\n/greet Bo\n' |
        "$CARGO_TARGET_DIR/debug/dcmaid" chat --config "$work/$language.toml" 2>"$work/$language.log")
    expected=$'Hello, Ann! (greeting number 1)\nHello, Bo! (greeting number 2)'
    if [[ $reply != "$expected" ]]; then
        echo "the $language template's plugin answered:" >&2
        echo "$reply" >&2
        cat "$work/$language.log" >&2
        exit 1
    fi
    echo "template $language: built, loaded and answered"
done
