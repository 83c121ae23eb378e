#!/usr/bin/env bash
# npm start: installs what is missing, builds everything (the native library,
# tests and benchmarks; the engine's wasm; the web app) and serves
# CalmCompliance through its server on http://127.0.0.1:8080/ (PORT=... and
# HOST=... to change it), stored in data/calm.sqlite (DB=... for another
# SQLite file or a postgres:// URL), seeded with the demo organisation the
# first time. Ctrl-C stops it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fail_fast
cd "$ROOT"

step "setup (installs only what is missing)"
bash scripts/setup.sh

bash scripts/build.sh

step "serving the app"
exec node web/server.mjs --port "${PORT:-8080}" --host "${HOST:-127.0.0.1}" \
  --db "${DB:-data/calm.sqlite}" --org web/demo/demo-org.json
