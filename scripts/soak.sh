#!/usr/bin/env bash
# RSS soak: 100 HTTPS checks against a loopback target, scraped every 2 s
# for 30 minutes; prints the exporter's RSS every minute and PASS when it
# stays flat (the end within 20% or 16 MiB of minute 5). Loopback only.
#   SOAK          how long (30m)
#   SOAK_CHECKS   HTTPS checks (100)
#   SOAK_EVERY    scrape interval (2s)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/golive_exporter" ./cmd/golive_exporter
go build -o "$bin/compare" ./scripts/bench.d/compare
echo "golive_exporter at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (uncommitted changes)')"
"$bin/compare" -bin "$bin" -soak "${SOAK:-30m}" -soak-checks "${SOAK_CHECKS:-100}" -soak-every "${SOAK_EVERY:-2s}"
