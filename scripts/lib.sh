# Shared helpers for scripts/*.sh (sourced, not run).
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="${CALM_JOBS:-$(nproc 2>/dev/null || echo 2)}"
# Build folders (relative to the repository); overridable to keep experiments apart.
BUILD_DIR="${CALM_BUILD_DIR:-build}"
ASAN_DIR="${CALM_ASAN_DIR:-build-asan}"
CURRENT_STEP=""

step() {
  CURRENT_STEP="$*"
  printf '\n==> %s\n' "$*"
}

on_failure() {
  local status=$?
  printf '\nFAILED (exit %s) at step: %s\n' "$status" "${CURRENT_STEP:-setup}" >&2
  exit "$status"
}

# Fails the run with a clear message when a step's command fails.
fail_fast() {
  set -Eeuo pipefail
  trap on_failure ERR
}

# Emscripten writes system libraries to its cache; Debian's is under /usr and
# only writable by root. Anyone else gets a cache in the (gitignored) build dir.
use_writable_em_cache() {
  if [[ -z "${EM_CACHE:-}" ]]; then
    local cache=/usr/share/emscripten/cache
    if [[ ! -w "$cache" ]]; then
      export EM_CACHE="$ROOT/build-wasm/em-cache"
      mkdir -p "$EM_CACHE"
    fi
  fi
}

build_native() {
  local dir="$1"
  shift
  cmake -S "$ROOT" -B "$ROOT/$dir" "$@"
  cmake --build "$ROOT/$dir" -j "$JOBS"
}

build_wasm() {
  use_writable_em_cache
  # Debian's emscripten finds its node modules (acorn, ...) there.
  local node_path="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
  NODE_PATH="$node_path" emcmake cmake -S "$ROOT" -B "$ROOT/build-wasm" -DCMAKE_BUILD_TYPE=Release
  NODE_PATH="$node_path" cmake --build "$ROOT/build-wasm" -j "$JOBS"
  test -s "$ROOT/dist/wasm/calm-access.wasm" && test -s "$ROOT/dist/wasm/calm-access.mjs"
}

# The web app (web/ -> web/dist/): type check, then the Vite build. Needs the
# wasm build first (the app imports the package, which imports dist/wasm/).
build_web() {
  (cd "$ROOT/web" && node_modules/.bin/tsc --noEmit -p . && node_modules/.bin/vite build --logLevel warn)
  test -s "$ROOT/web/dist/index.html" && test -s "$ROOT/web/dist/sw.js"
}

# The C++ files under the clang-format check.
format_sources() {
  (cd "$ROOT" && find core wasm -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) | sort)
}
