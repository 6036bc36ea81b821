#!/usr/bin/env bash
# Sets up the example on this host: the student_management database
# (schema.sql, seed.sql) on the local PostgreSQL; the least-privilege role
# the exporter connects as (golive_monitor: pg_monitor plus SELECT on the
# columns its checks read, grants.sql; no password, for a local server with
# trust authentication); the restore test's role (golive_restore:
# CREATEDB); a first nightly dump; and a Redis configured like production
# (redis.conf) on 127.0.0.1:6390, warmed with the course cache.
# Then: go run ./cmd/golive_exporter check --config.file deploy/examples/student-management/golive.yml
#   PGHOST/PGPORT/PGUSER  where PostgreSQL is (default 127.0.0.1:5432, postgres)
#   EXAMPLE_DB            database name (default student_management)
#   EXAMPLE_REDIS_PORT    Redis port (default 6390)
#   EXAMPLE_BACKUPS       where tonight's dump is written (default /var/backups/sms)
#   --reset               drop and re-create the database first
set -euo pipefail
cd "$(dirname "$0")"
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
db=${EXAMPLE_DB:-student_management}
port=${EXAMPLE_REDIS_PORT:-6390}

if [ "${1:-}" = --reset ]; then
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS \"$db\""
fi
if ! psql -qAtX -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  psql -qX -d postgres -c "CREATE DATABASE \"$db\""
  psql -qX -v ON_ERROR_STOP=1 -d "$db" -f schema.sql -f seed.sql
  echo "database $db created and seeded"
else
  echo "database $db exists (use --reset to re-create it)"
fi
# The exporter's role: the statistics views (pg_monitor) and the columns
# its checks read (grants.sql), nothing more (no superuser, no
# pg_read_server_files, no password hash).
if ! psql -qAtX -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 'golive_monitor'" | grep -q 1; then
  psql -qX -d postgres -c "CREATE ROLE golive_monitor LOGIN IN ROLE pg_monitor"
  echo "role golive_monitor created (pg_monitor)"
fi
psql -qX -v ON_ERROR_STOP=1 -d "$db" -f grants.sql
# The restore test's role: it creates, restores into and drops its scratch
# databases (sms_restore_*), and may do nothing else (CREATEDB only).
if ! psql -qAtX -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 'golive_restore'" | grep -q 1; then
  psql -qX -d postgres -c "CREATE ROLE golive_restore LOGIN CREATEDB"
  echo "role golive_restore created (CREATEDB)"
fi
# Tonight's dump, as the nightly backup script writes it (the restore test
# restores the newest one): see the Backups section of golive.yml.
backups=${EXAMPLE_BACKUPS:-/var/backups/sms}
if mkdir -p "$backups" 2>/dev/null && [ -w "$backups" ]; then
  chmod 700 "$backups"
  name=backup_${db}_$(date -u +%Y%m%d_%H%M%S)
  (umask 077; pg_dump --no-owner --no-privileges -d "$db" | gzip > "$backups/$name.sql.gz")
  printf '{"status": "success", "database": "%s", "backup_file": "%s.sql.gz", "size_bytes": %d}\n' \
    "$db" "$name" "$(stat -c %s "$backups/$name.sql.gz")" > "$backups/$name.meta"
  echo "dump written: $backups/$name.sql.gz"
else
  echo "no dump written: $backups is not writable (set EXAMPLE_BACKUPS)"
fi
# The audit trail check wants a recent row, as the application would write.
psql -qX -d "$db" -c "INSERT INTO audit_logs (action, resource, success, \"timestamp\") VALUES ('SETUP', 'system', true, now())"

dir=${TMPDIR:-/tmp}/golive-example-redis-$port
mkdir -p "$dir"
if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
  redis-server "$PWD/redis.conf" --port "$port" --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  echo "redis started on 127.0.0.1:$port (stop: kill \$(cat $dir/redis.pid))"
fi
# Warm the cache as the application does at start-up, then read it back.
psql -qAtX -d "$db" -c "SELECT course_code FROM courses" | while read -r code; do
  echo "SET sms:course:$code 1"
done | redis-cli -p "$port" >/dev/null
psql -qAtX -d "$db" -c "SELECT course_code FROM courses" | while read -r code; do
  echo "GET sms:course:$code"
done | redis-cli -p "$port" >/dev/null
echo "cache warmed: $(redis-cli -p "$port" dbsize) keys"
