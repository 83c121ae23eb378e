#!/usr/bin/env bash
# npm test: every test, cheapest first, stopping at the first failure.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fail_fast
cd "$ROOT"

step "setup (installs only what is missing)"
bash scripts/setup.sh

step "clang-format check (core/, wasm/; fix with: npm run format)"
mapfile -t sources < <(format_sources)
clang-format --dry-run --Werror "${sources[@]}"
echo "${#sources[@]} files formatted"

step "type test (tsc --noEmit -p tests/types)"
node_modules/.bin/tsc --noEmit -p tests/types
echo "types ok"

step "native build ($BUILD_DIR/)"
build_native "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release

step "native tests (ctest, $BUILD_DIR/)"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"

step "sanitizer build (ASan + UBSan, $ASAN_DIR/)"
build_native "$ASAN_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCALM_SANITIZE=ON -DCALM_BUILD_BENCH=OFF

step "native tests under ASan + UBSan (ctest, $ASAN_DIR/)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$ASAN_DIR" --output-on-failure -j "$JOBS"

step "fuzzing (libFuzzer + ASan + UBSan, tests/fuzz/, ${CALM_FUZZ_SECONDS:-60} s per target)"
bash scripts/fuzz.sh "${CALM_FUZZ_SECONDS:-60}"

step "wasm build (build-wasm/ -> dist/wasm/)"
build_wasm

step "Node tests against the built wasm (tests/js/*.test.mjs)"
node --test tests/js/*.test.mjs

step "packed package: npm pack, install, Node and Chromium (tests/js/package/)"
node --test tests/js/package/

step "web app: type check and build (web/ -> web/dist/)"
build_web

step "web app in Chromium (tests/web/)"
node --test --test-concurrency=1 tests/web/

printf '\nall tests passed\n'
