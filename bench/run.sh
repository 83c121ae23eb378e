#!/usr/bin/env bash
# Prints the benchmark figures of calm-access; asserts nothing.
#
#   bash bench/run.sh [--regenerate] [--native-only | --wasm-only] [--quick] [--compare]
#
# 1. generates bench/data/ (node bench/gen-org.mjs) if it is missing;
# 2. builds the native bench (Release, build-bench/) and runs it, then the
#    workflow bench (calm_workflow_bench: commands, sync, insights, whoCan/
#    sitesWhere/whatIf) and the viewer snapshot bench (calm_viewer_bench);
# 3. runs the wasm bench through js/index.js if dist/wasm/calm-access.wasm
#    exists (`npm run build` makes it).
# 4. with --compare, runs bench/compare.mjs (CASL, Cedar-wasm and casbin next to calm;
#    needs `(cd bench && npm install)`).
# --quick shortens every measurement (for a smoke run; the figures are noisier).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

regenerate=0
native=1
wasm=1
compare=0
status=0
native_args=()
compare_args=()
wasm_args=()
for arg in "$@"; do
  case "$arg" in
    --regenerate) regenerate=1 ;;
    --native-only) wasm=0 ;;
    --wasm-only) native=0 ;;
    --compare) compare=1 ;;
    --quick)
      native_args+=(--min-time 0.2 --loads 3)
      wasm_args+=(--min-time 0.2 --loads 3)
      compare_args+=(--min-time 0.2)
      ;;
    *)
      echo "usage: bash bench/run.sh [--regenerate] [--native-only | --wasm-only] [--quick] [--compare]" >&2
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
  # -Wno-error=restrict: GCC 12 reports a false -Wrestrict at -O3 inside
  # std::string's operator+ (GCC bug 105329); the bench must still build.
  if cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCALM_BUILD_TESTS=OFF -DCALM_BUILD_BENCH=ON \
      -DCMAKE_CXX_FLAGS=-Wno-error=restrict >/dev/null &&
    cmake --build build-bench --target calm_bench calm_workflow_bench calm_viewer_bench -j "$(nproc)"; then
    echo
    ./build-bench/calm_bench --data "$data" "${native_args[@]}" || status=1
    if [[ -x build-bench/calm_workflow_bench ]]; then
      echo
      ./build-bench/calm_workflow_bench --data "$data" || status=1
    fi
    if [[ -x build-bench/calm_viewer_bench ]]; then
      echo
      ./build-bench/calm_viewer_bench --data "$data" || status=1
    fi
  else
    echo "== native bench skipped: the build failed"
    status=1
  fi
fi

if [[ $wasm == 1 ]]; then
  echo
  if [[ -f dist/wasm/calm-access.wasm && -f dist/wasm/calm-access.mjs ]]; then
    node --expose-gc bench/wasm.bench.mjs "${wasm_args[@]}" || status=1
    echo
    node bench/viewer.bench.mjs || status=1
  else
    echo "== wasm bench skipped: dist/wasm/calm-access.wasm is missing; run \`npm run build\` first"
  fi
fi

if [[ $compare == 1 ]]; then
  echo
  if [[ -d bench/node_modules/@casl/ability && -d bench/node_modules/@cedar-policy/cedar-wasm && -d bench/node_modules/casbin ]]; then
    node --expose-gc bench/compare.mjs "${compare_args[@]}" || status=1
  else
    echo "== compare skipped: run \`(cd bench && npm install)\` first"
  fi
fi
exit "$status"
