#!/usr/bin/env bash
# Installs the real tools the tests run against, when they are missing:
# Prometheus and Alertmanager (with promtool and amtool), pgBackRest and
# Chromium (and pytest) from Debian's packages, and staticcheck from the module proxy.
set -euo pipefail
need=()
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v pgbackrest >/dev/null || need+=(pgbackrest)
command -v chromium >/dev/null || need+=(chromium)
# pytest writes a real JUnit report for the report parser's tests.
/usr/bin/python3 -c 'import pytest' 2>/dev/null || need+=(python3-pytest)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts the services it installs; the tests start their own.
  for svc in prometheus prometheus-alertmanager prometheus-node-exporter; do
    (command -v systemctl >/dev/null && $SUDO systemctl stop "$svc" 2>/dev/null) || true
    pkill -f "/usr/bin/$svc" 2>/dev/null || true
  done
fi
if ! command -v staticcheck >/dev/null && [ ! -x "$(go env GOPATH)/bin/staticcheck" ]; then
  go install honnef.co/go/tools/cmd/staticcheck@latest
fi
