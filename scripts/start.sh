#!/usr/bin/env bash
# npm start: installs what the app needs when it is missing, builds only what
# the app needs (the engine's wasm and the web app; not the native tests,
# sanitizers, fuzzers or benchmarks: `npm run build` and `npm test` do those)
# and serves
# CalmCompliance through its server on http://127.0.0.1:8080/ (PORT=... and
# HOST=... to change it), stored in data/calm.sqlite (DB=... for another
# SQLite file or a postgres:// URL), seeded with the demo organisation the
# first time. Ctrl-C stops it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fail_fast
cd "$ROOT"

step "setup (installs only what the app needs and is missing)"
bash scripts/setup.sh --app

step "wasm build (build-wasm/ -> dist/wasm/)"
build_wasm

step "web app (web/ -> web/dist/)"
build_web

step "serving the app"
exec node web/server.mjs --port "${PORT:-8080}" --host "${HOST:-127.0.0.1}" \
  --db "${DB:-data/calm.sqlite}" --org web/demo/demo-org.json
