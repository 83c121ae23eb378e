#!/usr/bin/env bash
# Prints the benchmark figures of calm-access; asserts nothing.
#
#   bash bench/run.sh [--regenerate] [--native-only | --wasm-only] [--quick]
#
# 1. generates bench/data/ (node bench/gen-org.mjs) if it is missing;
# 2. builds the native bench (Release, build-bench/) and runs it;
# 3. runs the wasm bench through js/index.js if dist/wasm/calm-access.wasm
#    exists (`npm run build` makes it).
# --quick shortens every measurement (for a smoke run; the figures are noisier).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

regenerate=0
native=1
wasm=1
native_args=()
wasm_args=()
for arg in "$@"; do
  case "$arg" in
    --regenerate) regenerate=1 ;;
    --native-only) wasm=0 ;;
    --wasm-only) native=0 ;;
    --quick)
      native_args+=(--min-time 0.2 --loads 3)
      wasm_args+=(--min-time 0.2 --loads 3)
      ;;
    *)
      echo "usage: bash bench/run.sh [--regenerate] [--native-only | --wasm-only] [--quick]" >&2
      exit 2
      ;;
  esac
done

data="bench/data"
missing=0
for size in small large; do
  for f in "org-$size.json" "requests-$size.jsonl" "capabilities-$size.jsonl"; do
    [[ -f "$data/$f" ]] || missing=1
  done
done
if [[ $regenerate == 1 || $missing == 1 ]]; then
  echo "== generating $data/"
  node bench/gen-org.mjs all --out "$data"
fi

if [[ $native == 1 ]]; then
  echo "== building the native bench (Release, build-bench/)"
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCALM_BUILD_TESTS=OFF -DCALM_BUILD_BENCH=ON >/dev/null
  cmake --build build-bench --target calm_bench -j "$(nproc)"
  echo
  ./build-bench/calm_bench --data "$data" "${native_args[@]}"
fi

if [[ $wasm == 1 ]]; then
  echo
  if [[ -f dist/wasm/calm-access.wasm && -f dist/wasm/calm-access.mjs ]]; then
    node --expose-gc bench/wasm.bench.mjs "${wasm_args[@]}"
  else
    echo "== wasm bench skipped: dist/wasm/calm-access.wasm is missing; run \`npm run build\` first"
  fi
fi
