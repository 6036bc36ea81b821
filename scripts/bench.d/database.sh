#!/usr/bin/env bash
# Database work per scrape and probe overhead (loopback PostgreSQL only).
#   BENCH_DB_DURATION   how long the scrapers run (default 30s)
#   BENCH_DB_SCRAPERS   concurrent scrapers (default 100)
#   BENCH_DB_CHECKS     sql checks at a 60s interval (default 50)
set -euo pipefail
cd "$(dirname "$0")/../.."
go run ./collector/database/benchload \
  -duration "${BENCH_DB_DURATION:-30s}" \
  -scrapers "${BENCH_DB_SCRAPERS:-100}" \
  -checks "${BENCH_DB_CHECKS:-50}" \
  -probe-runs "${BENCH_DB_PROBE_RUNS:-2000}"
