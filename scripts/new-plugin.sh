#!/usr/bin/env bash
# Start a plugin from a template: a folder that builds into a component the host loads.
#
#   scripts/new-plugin.sh rust|python|javascript NAME [FOLDER]
#
# NAME is the plugin's name (lowercase letters, digits and dashes); FOLDER defaults to
# ./NAME. Python and JavaScript plugins get a copy of dcmaid's `wit/` in wit/deps/dcmaid-bot;
# a Rust plugin depends on this checkout's sdk/.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
language="${1:?usage: new-plugin.sh rust|python|javascript NAME [FOLDER]}"
name="${2:?usage: new-plugin.sh rust|python|javascript NAME [FOLDER]}"
folder="${3:-$name}"
[[ $name =~ ^[a-z][a-z0-9-]{0,62}$ ]] || { echo "NAME: lowercase letters, digits and dashes" >&2; exit 2; }
template="$repo/sdk/templates/$language"
[[ -d $template ]] || { echo "no template for $language (rust, python, javascript)" >&2; exit 2; }
[[ ! -e $folder ]] || { echo "$folder already exists" >&2; exit 2; }

cp -r "$template" "$folder"
snake="${name//-/_}"
while IFS= read -r -d '' file; do
    sed -i -e "s/my-plugin/$name/g" -e "s/my_plugin/$snake/g" \
        -e "s|DCMAID_SDK_PATH|$repo/sdk|g" "$file"
done < <(find "$folder" -type f -print0)
if [[ $language != rust ]]; then
    mkdir -p "$folder/wit/deps"
    cp -r "$repo/wit" "$folder/wit/deps/dcmaid-bot"
fi
echo "created $folder; build it with: scripts/build-plugin.sh $folder"
