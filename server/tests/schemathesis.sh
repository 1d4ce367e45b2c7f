#!/usr/bin/env bash
# Property-based run of schemathesis (PyPI) against `obakit serve`: every operation of
# /openapi.json, all checks, at least 200 examples per operation, every phase including the
# stateful one. Exits with schemathesis's status (0: no failure).
#
#   server/tests/schemathesis.sh                 # builds obakit, installs schemathesis if missing
#   OBAKIT_SCHEMATHESIS_EXAMPLES=50 server/tests/schemathesis.sh
#   server/tests/schemathesis.sh --exclude-checks ...   # extra flags go to `schemathesis run`
#   OBAKIT_SCHEMATHESIS_BIN=target/debug/obakit server/tests/schemathesis.sh   # that binary, no build
#
# The server runs on a fresh SQLite database in a temporary folder, with an API key; the report
# (JUnit) is written to ${OBAKIT_SCHEMATHESIS_REPORTS:-target/schemathesis}.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v schemathesis >/dev/null 2>&1 ||
    python3 -m pip install --quiet --disable-pip-version-check 'schemathesis>=4,<5'

bin="${OBAKIT_SCHEMATHESIS_BIN:-}"
if [ -z "$bin" ]; then
    cargo build -q -p obakit-server
    bin="${CARGO_TARGET_DIR:-target}/debug/obakit"
fi
reports="${OBAKIT_SCHEMATHESIS_REPORTS:-${CARGO_TARGET_DIR:-target}/schemathesis}"
mkdir -p "$reports"
reports="$(cd "$reports" && pwd)"

# What the spec cannot express, each with its reason: settings, and hooks that read the document.
config="$(pwd)/server/tests/schemathesis.toml"
export SCHEMATHESIS_HOOKS="$(pwd)/server/tests/schemathesis_hooks.py"

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
key="schemathesis-api-key"
"$bin" serve --listen "127.0.0.1:$port" --database-url "sqlite://$work/obakit.db" --api-key "$key" \
    >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/ping" >/dev/null 2>&1 && break
    sleep 0.1
done

status=0
# Run from the temporary folder: schemathesis keeps its state (.schemathesis/) where it runs.
cd "$work"
schemathesis --config-file "$config" run "http://127.0.0.1:$port/openapi.json" \
    --checks all \
    --max-examples "${OBAKIT_SCHEMATHESIS_EXAMPLES:-200}" \
    --phases examples,coverage,fuzzing,stateful \
    --header "X-API-Key: $key" \
    --generation-deterministic \
    --report junit --report-dir "$reports" \
    "$@" || status=$?
if [ "$status" != 0 ]; then
    echo "schemathesis found failures (server log: last lines below)" >&2
    tail -n 20 "$work/server.log" >&2
fi
exit "$status"
