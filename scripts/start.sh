#!/usr/bin/env bash
# npm start: build, then show the demo organisation (examples/demo-org.json)
# through the CLI: effective roles of a few people and a handful of decisions.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fail_fast
cd "$ROOT"

bash scripts/build.sh

snapshot=examples/demo-org.json
cli=(node js/cli.js)

for user in u-sam u-priya u-leo u-nina; do
  step "calm-access roles --snapshot $snapshot --user $user"
  "${cli[@]}" roles --snapshot "$snapshot" --user "$user"
done

step "calm-access decide --snapshot $snapshot  (requests from examples/demo-requests.jsonl)"
paste -d '\n' examples/demo-requests.jsonl \
  <("${cli[@]}" decide --snapshot "$snapshot" <examples/demo-requests.jsonl) |
  awk 'NR % 2 == 1 { printf "\n  request:  %s\n", $0; next } { printf "  decision: %s\n", $0 }'
