#!/usr/bin/env bash
# Starts PostgreSQL (127.0.0.1:5432, trust auth) and Redis (127.0.0.1:6379)
# when they are not already answering; the integration tests need both.
set -euo pipefail
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "starting PostgreSQL"
  # The newest version, the one install-deps.sh gives trust auth.
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
# The tests connect as postgres without a password; say so plainly rather
# than let hundreds of tests fail on authentication.
if ! psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -w -Atqc 'select 1' >/dev/null 2>&1; then
  echo "PostgreSQL on 127.0.0.1:5432 does not let the tests in as postgres without a password." >&2
  echo "Add 'host all all 127.0.0.1/32 trust' to pg_hba.conf of a test cluster and reload it." >&2
  exit 1
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
