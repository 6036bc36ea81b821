#!/usr/bin/env bash
# Installs the real tools the tests run against, when they are missing:
# PostgreSQL and Redis, Prometheus and Alertmanager (with promtool and
# amtool), pgBackRest, systemd (for systemd-analyze) and Chromium (and pytest, Locust) from Debian's packages, and
# staticcheck, go-junit-report and gotestsum from the module proxy, and
# Jest (with jest-junit), Vitest and Playwright's test runner from npm.
set -euo pipefail
need=()
# The servers the integration tests use (scripts/start-services.sh starts
# them); postgresql also brings psql, pg_dump and pg_restore.
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v pgbackrest >/dev/null || need+=(pgbackrest)
# systemd-analyze verifies the systemd unit in deploy/.
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v chromium >/dev/null || need+=(chromium)
# pytest writes a real JUnit report for the report parser's tests.
/usr/bin/python3 -c 'import pytest' 2>/dev/null || need+=(python3-pytest)
# Locust writes real load-test CSV files for the load-test parser's tests.
command -v locust >/dev/null || need+=(python3-locust)
# npm installs the JavaScript test runners below.
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  if [[ " ${need[*]} " == *" postgresql "* ]]; then
    # The cluster the package just created serves only the tests, which
    # connect to 127.0.0.1:5432 as postgres without a password (trust), as
    # README.md says. A PostgreSQL that was already here is left alone.
    ver=$(ls /etc/postgresql | sort -V | tail -n1)
    hba=/etc/postgresql/$ver/main/pg_hba.conf
    $SUDO sed -i -E \
      -e 's/^(local[[:space:]]+(all|replication)[[:space:]]+(all|postgres)[[:space:]]+)[a-z0-9-]+/\1trust/' \
      -e 's/^(host[[:space:]]+(all|replication)[[:space:]]+all[[:space:]]+(127\.0\.0\.1\/32|::1\/128)[[:space:]]+)[a-z0-9-]+/\1trust/' \
      "$hba"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main reload 2>/dev/null || true
  fi
  # Debian starts the services it installs; the tests start their own.
  for svc in prometheus prometheus-alertmanager prometheus-node-exporter; do
    (command -v systemctl >/dev/null && $SUDO systemctl stop "$svc" 2>/dev/null) || true
    pkill -f "/usr/bin/$svc" 2>/dev/null || true
  done
fi
# staticcheck for make lint, and the two converters Go teams use to turn go
# test output into JUnit XML (go-junit-report, gotestsum): the report
# parser's tests run them on a real go test run. Each at its pinned version.
"$(dirname "$0")/install-go-tools.sh"
# The JavaScript test runners whose JSON and JUnit reports the report
# parser's tests read (Playwright without its browsers: those tests open no
# page).
# A package is installed again when the one there is another version.
npm_root=$(npm root -g)
npm_version() { node -p "require('$npm_root/$1/package.json').version" 2>/dev/null || true; }
js=()
for pin in jest@30.5.2 jest-junit@17.0.0 vitest@4.1.12 @playwright/test@1.65.1; do
  [ "$(npm_version "${pin%@*}")" = "${pin##*@}" ] || js+=("$pin")
done
if [ ${#js[@]} -gt 0 ]; then
  echo "installing ${js[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $SUDO npm install -g --no-audit --no-fund "${js[@]}" >/dev/null
fi
