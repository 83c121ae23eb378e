#!/usr/bin/env bash
# Installs what the build and the tests need, only when something is missing:
# Debian packages (compilers, GoogleTest, nlohmann-json, Emscripten, Chromium,
# clang-format, clang with libFuzzer, PostgreSQL for the server's tests,
# python3 and make for better-sqlite3's native build) and the npm
# dependencies. Non-interactive.
#
#   bash scripts/setup.sh          everything the build and the tests need
#   bash scripts/setup.sh --app    only what the app needs (npm start): CMake and
#                                  Emscripten for the wasm, nlohmann-json,
#                                  python3 and make for better-sqlite3
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fail_fast
cd "$ROOT"

app_only=0
[[ "${1:-}" == "--app" ]] && app_only=1

missing=()
have() { command -v "$1" >/dev/null 2>&1; }
have cmake || missing+=(cmake)
[[ -f /usr/include/nlohmann/json.hpp ]] || missing+=(nlohmann-json3-dev)
have em++ && have emcmake || missing+=(emscripten)
have python3 || missing+=(python3)
have make || missing+=(make)
have g++ || missing+=(g++)
if ((app_only == 0)); then
  [[ -f /usr/include/gtest/gtest.h ]] || missing+=(libgtest-dev)
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  have clang-format || missing+=(clang-format)
  # The fuzzers (scripts/fuzz.sh): clang++ and its libFuzzer + sanitizer
  # runtimes, which Debian 12 ships in libclang-rt-14-dev (only recommended by clang).
  have clang++ || missing+=(clang)
  compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a" >/dev/null || missing+=(libclang-rt-14-dev)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
fi

if ((${#missing[@]} > 0)); then
  step "installing Debian packages: ${missing[*]}"
  sudo=()
  [[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update
  if ((app_only)); then
    "${sudo[@]}" apt-get install -y cmake g++ nlohmann-json3-dev emscripten python3 make
  else
    "${sudo[@]}" apt-get install -y cmake g++ libgtest-dev nlohmann-json3-dev emscripten chromium clang-format \
      clang libclang-rt-14-dev python3 make postgresql
  fi
fi

if ! have node || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "setup: Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if [[ ! -x node_modules/.bin/tsc || ! -d node_modules/playwright-core ]]; then
  step "installing npm dev dependencies"
  npm ci --no-audit --no-fund
fi

if [[ ! -x web/node_modules/.bin/vite || ! -d web/node_modules/preact || ! -d web/node_modules/pg ||
  ! -f web/node_modules/better-sqlite3/build/Release/better_sqlite3.node ]]; then
  step "installing the web app's and the server's npm dependencies (web/)"
  # Not `npm ci`: the registry mirror leaves the optional platform packages of
  # rollup and esbuild for other systems out of the lock file, and `npm ci`
  # refuses a lock file without them. `--no-save` keeps the lock file as it is.
  (cd web && npm install --no-audit --no-fund --no-save)
fi
