#!/usr/bin/env bash
# The HTTP API against its own OpenAPI document, checked by Schemathesis (a client nobody here
# wrote): every operation with the admin token, every check, the examples, coverage,
# fuzzing and stateful phases. Fails on any failure it finds. Run by scripts/test.sh after
# the build; needs the `dcmaid` binary and the plugins built.
#
#   scripts/api-contract.sh [EXTRA SCHEMATHESIS ARGS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_schemathesis

work="$(mktemp -d)"
server=""
cleanup() {
    [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

scripts/build-plugins.sh "$work/plugins" >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
token="contract-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
cat > "$work/dcmaid.toml" <<TOML
data_dir = "$work"
[server]
bind = "127.0.0.1:$port"
admin_token = "$token"
[rate_limit]
burst = 10000
per_minute = 1000000
chat_burst = 10000
chat_per_minute = 1000000
[user_budgets]
llm_requests_per_minute = 1000000
TOML
"$CARGO_TARGET_DIR/debug/dcmaid" --config "$work/dcmaid.toml" serve >"$work/serve.log" 2>&1 &
server=$!
up=0
for _ in $(seq 300); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && { up=1; break; }
    sleep 0.2
done
if [[ $up == 0 ]]; then
    echo "dcmaid serve did not come up on port $port:" >&2
    cat "$work/serve.log" >&2
    exit 1
fi

"$SCHEMATHESIS" run "http://127.0.0.1:$port/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" \
    --seed 20261206 \
    --workers 1 \
    --request-timeout 30 \
    --suppress-health-check all \
    "$@"
