#!/usr/bin/env bash
# Coverage-guided fuzzing of the core (tests/fuzz/, libFuzzer + ASan + UBSan).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Builds the targets with clang++ into build-fuzz/, then runs each target
# (load, decide, commands; all by default) for SECONDS (default 60), up to
# CALM_FUZZ_JOBS targets at a time (default: the number of cores). Each run
# starts from a copy of the checked-in seed corpus (tests/fuzz/corpus/TARGET/)
# plus what earlier runs on this machine found (build-fuzz/corpus/TARGET/);
# the checked-in corpus is never modified. Fails on any finding: a crash, a
# sanitizer report, a leak, a broken invariant, an input slower than
# CALM_FUZZ_TIMEOUT seconds (default 10) or a run past CALM_FUZZ_RSS_MB
# (default 2048). Findings go to build-fuzz/findings/TARGET/ (crash-*,
# leak-*, timeout-*, oom-*), each run's output to build-fuzz/findings/TARGET.log.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fail_fast
cd "$ROOT"

seconds="${1:-60}"
shift || true
targets=("$@")
((${#targets[@]} > 0)) || targets=(load decide commands)
jobs="${CALM_FUZZ_JOBS:-$JOBS}"
rss_mb="${CALM_FUZZ_RSS_MB:-2048}"
timeout_s="${CALM_FUZZ_TIMEOUT:-10}"
dir="${CALM_FUZZ_DIR:-build-fuzz}"

if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "usage: bash scripts/fuzz.sh [SECONDS] [load|decide|commands ...]" >&2
  exit 2
fi
for target in "${targets[@]}"; do
  if [[ ! -d "tests/fuzz/corpus/$target" ]]; then
    echo "fuzz: unknown target '$target' (targets: load decide commands)" >&2
    exit 2
  fi
done

# Debug keeps assertions (nlohmann's included) on; the fuzzing flags
# (-O1, coverage, sanitizers) come from CALM_BUILD_FUZZERS.
build_native "$dir" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DCALM_BUILD_FUZZERS=ON \
  -DCALM_BUILD_TESTS=OFF -DCALM_BUILD_BENCH=OFF

# The longest input each target is given (the seeds are shorter).
max_len() {
  case "$1" in
    load) echo 65536 ;;
    decide) echo 4096 ;;
    commands) echo 32768 ;;
  esac
}

# Runs one target; writes its exit status to findings/TARGET.status.
run_target() {
  local target="$1"
  local corpus="$ROOT/$dir/corpus/$target" findings="$ROOT/$dir/findings/$target"
  local scratch="$ROOT/$dir/runs/$target"
  mkdir -p "$corpus" "$findings"
  rm -rf "$scratch"
  mkdir -p "$scratch"
  # libFuzzer adds new inputs to its first corpus directory: a scratch copy of the seeds.
  cp "$ROOT/tests/fuzz/corpus/$target"/* "$scratch/"
  local status=0
  ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
    "$ROOT/$dir/tests/fuzz/${target}_fuzzer" "$scratch" "$corpus" \
    -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -timeout="$timeout_s" -max_len="$(max_len "$target")" \
    -dict="$ROOT/tests/fuzz/calm.dict" -artifact_prefix="$findings/" -print_final_stats=1 \
    >"$ROOT/$dir/findings/$target.log" 2>&1 || status=$?
  # What this run found seeds the next run on this machine (files are named by content).
  cp -n "$scratch"/* "$corpus/" 2>/dev/null || true
  echo "$status" >"$ROOT/$dir/findings/$target.status"
}

# One line per target: executions, speed, coverage, corpus.
summary() {
  local log="$ROOT/$dir/findings/$1.log"
  local done_line runs speed
  done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)"
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  printf '%-9s %s runs, %s exec/s, %s\n' "$1" "${runs:-?}" "${speed:-?}" \
    "$(sed -E 's/.*(cov: [0-9]+ ft: [0-9]+ corp: [0-9]+\/[0-9]+[a-zA-Z]*).*/\1/' <<<"${done_line:-no DONE line}")"
}

step "fuzzing ${targets[*]} for ${seconds} s each, ${jobs} at a time ($dir/)"
mkdir -p "$dir/findings"
started="$dir/findings/.started"
touch "$started"
for target in "${targets[@]}"; do
  rm -f "$dir/findings/$target.status"
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n; done
  run_target "$target" &
done
wait
failed=()
for target in "${targets[@]}"; do
  [[ "$(cat "$dir/findings/$target.status" 2>/dev/null)" == 0 ]] || failed+=("$target")
  summary "$target"
done

if ((${#failed[@]} > 0)); then
  for target in "${failed[@]}"; do
    log="$dir/findings/$target.log"
    printf '\n---- %s: FINDING (full output: %s) ----\n' "$target" "$log" >&2
    grep -E 'INVARIANT|context:|ERROR|SUMMARY|^    #[0-9]+ .* in (calm|LLVMFuzzer)|Test unit written|^artifact_prefix' "$log" |
      head -n 40 >&2 || tail -n 40 "$log" >&2
    find "$dir/findings/$target" -type f -newer "$started" | while read -r artifact; do
      printf 'reproduce: CALM_FUZZ_VERBOSE=1 %s/tests/fuzz/%s_fuzzer %s\n' "$dir" "$target" "$artifact" >&2
    done
  done
  echo "fuzz: findings in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no findings"
