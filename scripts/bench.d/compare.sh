#!/usr/bin/env bash
# Side by side with blackbox_exporter, postgres_exporter and redis_exporter
# (installed at the versions pinned in scripts/install-go-tools.sh, never
# vendored): CPU per HTTP/HTTPS probe at 10/100/1000 targets, peak RSS, our
# CPU per scrape and scrape wall / slowest check (each scrape against its own),
# PostgreSQL statements and connections per scrape at 1/10/100 scrapers,
# Redis commands, CPU and p95 per scrape, then the targets as PASS/FAIL
# lines (scripts/bench.d/compare/main.go says how each is measured).
# Loopback only; PostgreSQL on 127.0.0.1:5432 and Redis on :6379 (make deps).
# Knobs (defaults sized for 2 shared cores; the phase takes about 5 minutes):
#   BENCH_COMPARE_PHASES   http,postgres,redis
#   BENCH_COMPARE_SIZES    HTTP(S) targets (10,100,1000)
#   BENCH_COMPARE_PROBES   probes per exporter, scheme and size (3000; at
#                          least 5 rounds)
#   BENCH_COMPARE_DELAY    how long the loopback target takes to answer (50ms)
#   BENCH_COMPARE_SCRAPERS concurrent scrapers of the database phase (1,10,100)
#   BENCH_COMPARE_DURATION how long each database/Redis load runs (10s)
#   BENCH_COMPARE_PACE     each scraper's scrape interval (1s)
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-go-tools.sh blackbox_exporter postgres_exporter redis_exporter >&2
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -ldflags "-X github.com/prometheus/common/version.Revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  -o "$bin/golive_exporter" ./cmd/golive_exporter
go build -o "$bin/compare" ./scripts/bench.d/compare
for tool in blackbox_exporter postgres_exporter redis_exporter; do
  ln -s "$(scripts/install-go-tools.sh --path "$tool")" "$bin/$tool"
done
echo "golive_exporter at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (uncommitted changes)')"
"$bin/compare" -bin "$bin" \
  -phases "${BENCH_COMPARE_PHASES:-http,postgres,redis}" \
  -sizes "${BENCH_COMPARE_SIZES:-10,100,1000}" \
  -probes "${BENCH_COMPARE_PROBES:-3000}" \
  -delay "${BENCH_COMPARE_DELAY:-50ms}" \
  -scrapers "${BENCH_COMPARE_SCRAPERS:-1,10,100}" \
  -pg-duration "${BENCH_COMPARE_DURATION:-10s}" \
  -redis-duration "${BENCH_COMPARE_DURATION:-10s}" \
  -pace "${BENCH_COMPARE_PACE:-1s}" \
  "$@"
