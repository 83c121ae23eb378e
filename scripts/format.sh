#!/usr/bin/env bash
# npm run format: clang-format -i on the files the test command checks.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fail_fast
cd "$ROOT"
mapfile -t sources < <(format_sources)
clang-format -i "${sources[@]}"
echo "formatted ${#sources[@]} files"
