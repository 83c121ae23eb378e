#!/usr/bin/env bash
# npm run build: the native library, tests and benchmarks (build/), the wasm
# package files (build-wasm/ -> dist/wasm/calm-access.{mjs,wasm}) and the web
# app (web/ -> web/dist/).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fail_fast

step "native build ($BUILD_DIR/)"
build_native "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release

step "wasm build (build-wasm/ -> dist/wasm/)"
build_wasm
ls -l "$ROOT/dist/wasm"

step "web app (web/ -> web/dist/)"
build_web
