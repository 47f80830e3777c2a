#!/usr/bin/env bash
# Validate an OpenAPI document with openapi-spec-validator, the reference validator of the
# OpenAPI 3.0 and 3.1 specifications (installed here, pinned, if missing).
set -euo pipefail
source "$(dirname "$0")/env.sh"
ensure_openapi_validator
exec python3 -m openapi_spec_validator "$@"
