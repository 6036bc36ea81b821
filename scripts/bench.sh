#!/usr/bin/env bash
# Prints performance figures: Go benchmarks of every package, then the load
# scripts under scripts/bench.d/. Nothing here asserts a time.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench . -benchmem -count=1 ./... | grep -v '^ok\|no test files\|^PASS$'
for s in scripts/bench.d/*.sh; do
  [ -e "$s" ] || continue
  echo "== $s"
  bash "$s"
done
