package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/golive/golive_exporter/web"
	"github.com/golive/golive_exporter/web/board"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	exampleDir  = "../../deploy/examples/student-management"
	exampleTime = "2026-12-01T07:00:00Z" // an hour before the example's go-live
)

// exampleDB creates a database of its own with the example's schema and
// seed, dropped when the test ends; it returns its name. exampleMonitor
// gives it the example's monitoring role.
func exampleDB(t *testing.T) string {
	t.Helper()
	name := testutil.CreateDatabase(t, "golive_cmd_example_")
	for _, f := range []string{"schema.sql", "seed.sql"} {
		sql, err := os.ReadFile(filepath.Join(exampleDir, f))
		require.NoError(t, err)
		execSQL(t, name, string(sql))
	}
	return name
}

// exampleMonitor creates a role of the test's own with exactly what the
// example's setup.sh gives golive_monitor (pg_monitor and grants.sql), and
// returns its DSN for db.
func exampleMonitor(t *testing.T, db string) string {
	t.Helper()
	grants, err := os.ReadFile(filepath.Join(exampleDir, "grants.sql"))
	require.NoError(t, err)
	return testutil.GrantedRole(t, db, "IN ROLE pg_monitor", string(grants), "golive_monitor")
}

func execSQL(t *testing.T, db, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, testutil.DSN(db))
	require.NoError(t, err)
	defer c.Close(ctx)
	_, err = c.Exec(ctx, sql)
	require.NoError(t, err, "running %.80s", sql)
}

// exampleRedis starts redis-server with the example's redis.conf on a free
// loopback port and warms the course cache as setup.sh does.
func exampleRedis(t *testing.T, db string) (addr string, stop func()) {
	t.Helper()
	conf, err := filepath.Abs(filepath.Join(exampleDir, "redis.conf"))
	require.NoError(t, err)
	dir := t.TempDir()
	addr, stop = testutil.StartRedis(t, nil, func(port int) []string {
		return []string{conf, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--dir", dir}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rc := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
	defer rc.Close()
	require.Eventually(t, func() bool { return rc.Ping(ctx).Err() == nil }, 20*time.Second, 20*time.Millisecond, "redis-server does not answer PING")

	pg, err := pgx.Connect(ctx, testutil.DSN(db))
	require.NoError(t, err)
	defer pg.Close(ctx)
	rows, err := pg.Query(ctx, "SELECT course_code FROM courses")
	require.NoError(t, err)
	codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.NotEmpty(t, codes)
	for _, code := range codes {
		require.NoError(t, rc.Set(ctx, "sms:course:"+code, 1, 0).Err())
		require.NoError(t, rc.Get(ctx, "sms:course:"+code).Err())
	}
	return addr, stop
}

// exampleConfig writes the example configuration into a folder of the
// test's own, pointed at the test's database and Redis, with a copy of the
// example attestations the test may edit. Checks keep no result between
// runs (interval: 0s), so the board's next view runs them again; but the
// rate limit's burst and the restore test keep their schedules.
func exampleConfig(t *testing.T, db, redisAddr string, st *exampleStack) (cfgPath, attPath, migrations string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(exampleDir, "golive.yml"))
	require.NoError(t, err)
	// A copy of the migrations folder, which a step adds a revision to.
	dir := t.TempDir()
	migrations = filepath.Join(dir, "versions")
	require.NoError(t, os.Mkdir(migrations, 0o700))
	files, err := filepath.Glob(filepath.Join(exampleDir, "migrations/versions/*.py"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(migrations, filepath.Base(f)), b, 0o600))
	}
	att, err := os.ReadFile(filepath.Join(exampleDir, "../attestations.yml"))
	require.NoError(t, err)
	attPath = filepath.Join(dir, "attestations.yml")
	require.NoError(t, os.WriteFile(attPath, att, 0o600))
	rot, err := os.ReadFile(filepath.Join(exampleDir, "logrotate.sms"))
	require.NoError(t, err)
	require.Contains(t, string(rot), "/var/log/sms/")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "logrotate.sms"), []byte(strings.ReplaceAll(string(rot), "/var/log/sms/", st.logs+"/")), 0o600))
	port := func(u string) string {
		_, p, err := net.SplitHostPort(strings.TrimPrefix(u, "http://"))
		require.NoError(t, err)
		return p
	}
	_, closedPort, err := net.SplitHostPort(st.closedAddr)
	require.NoError(t, err)
	yml := string(raw)
	for _, r := range [][2]string{
		// The stack's servers and files, in place of the production host's.
		{"http://sms-api:8000", st.app.URL},
		{"http://prometheus:9090", st.mon.URL},
		{"http://alertmanager:9093", st.mon.URL},
		{"http://grafana:3000", st.mon.URL},
		{"http://loki:3100", st.mon.URL},
		{"address: sms.example.edu:443", "address: " + st.tls.Listener.Addr().String() + "\n      ca_file: " + st.caFile},
		{`host: sms.example.edu
      open: ["443", "8080"]
      closed: ["5432", "6379", "9090", "3000"]`,
			fmt.Sprintf("host: 127.0.0.1\n      open: [%q, %q]\n      closed: [%q]", port(st.tls.Listener.Addr().String()), port(st.app.URL), closedPort)},
		{"unix:///var/run/docker.sock", "unix://" + st.socket},
		{"/var/backups/sms/", st.dumps + "/"},
		{"/var/lib/postgresql/16/main", isolatedDir(t, st.dumps)},
		{"/var/lib/golive/restore-state.json", st.state},
		// The restore test's role (CREATEDB) and scratch prefix, the test's own.
		{"postgres://golive_restore@127.0.0.1:5432/postgres?sslmode=disable", testutil.RoleDSN(testutil.CreateRole(t, "golive_rst_", "CREATEDB"), "postgres")},
		{"scratch_prefix: sms_restore_", "scratch_prefix: " + restorePrefix(db)},
		{"/var/log/sms/", st.logs + "/"},
		{"/srv/ci/", st.reports + "/"},
		// The example's least-privilege role, one of the test's own.
		{"postgres://golive_monitor@127.0.0.1:5432/student_management?sslmode=disable", exampleMonitor(t, db)},
		{"127.0.0.1:6390", redisAddr},
		{"migrations_dir: migrations/versions", "migrations_dir: " + migrations},
		{"attestations: ../attestations.yml", "attestations: attestations.yml"},
	} {
		require.Contains(t, yml, r[0], "the example configuration changed; adapt this test")
		yml = strings.ReplaceAll(yml, r[0], r[1])
	}
	yml = regexp.MustCompile(`(?m)^\s+interval: .*\n`).ReplaceAllString(yml, "")
	// interval: 0s, not none: the database kinds default to 15s.
	yml = regexp.MustCompile(`(?m)^(  - name: .*\n)`).ReplaceAllString(yml, "${1}    interval: 0s\n")
	// The rate limit's burst keeps an interval (its kind requires one):
	// a burst each run would only measure the fake's limiter again.
	yml = strings.Replace(yml, "  - name: rate_limit\n    interval: 0s\n", "  - name: rate_limit\n    interval: 1h\n", 1)
	// The restore test keeps its schedule too: its kept result stands for
	// one interval, and a newer dump is read through meanwhile.
	yml = strings.Replace(yml, "  - name: restore_drill\n    interval: 0s\n", "  - name: restore_drill\n    interval: 1d\n", 1)
	cfgPath = filepath.Join(dir, "golive.yml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(yml), 0o600))
	return cfgPath, attPath, migrations
}

// The single break of the restore test, and its fix (the board restarts
// after each).
const (
	stepTruncated      = "truncated newest dump behind a kept restore result"
	stepTruncatedFixed = "the dump re-run by hand: GO"
)

// newMigration is the revision a developer adds after the example's head,
// as `alembic revision` writes it.
const newMigration = `"""students: academic year

Revision ID: c1a2b3c4d5e6
Revises: 64887d60dbfb
Create Date: 2026-11-30 16:05:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c1a2b3c4d5e6"
down_revision: Union[str, Sequence[str], None] = "64887d60dbfb"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("students", sa.Column("academic_year", sa.String(2), nullable=True))


def downgrade() -> None:
    op.drop_column("students", "academic_year")
`

// restorePrefix is the scratch prefix of the test's restore test: its own,
// so that restore tests of other test runs neither wait for its lock nor
// see its databases.
func restorePrefix(db string) string {
	return "sms_rst_" + db[len(db)-8:] + "_"
}

// itemLineRE is an item's line in the table output: mark, state, id, text.
var itemLineRE = regexp.MustCompile(`^    (\S+) (\S+)\s+([A-Z][A-Z0-9]*\.\d+\.\d+)  `)

// tableItems reads the state of every item line of the table output, and
// fails on an id printed twice.
func tableItems(t *testing.T, out string) map[string]string {
	t.Helper()
	states := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if m := itemLineRE.FindStringSubmatch(sc.Text()); m != nil {
			_, dup := states[m[3]]
			require.False(t, dup, "item %s printed twice", m[3])
			states[m[3]] = m[2]
		}
	}
	return states
}

func statusStates(t *testing.T, data []byte) (*checklist.Status, map[string]string) {
	t.Helper()
	var st checklist.Status
	require.NoError(t, json.Unmarshal(data, &st), "%.300s", data)
	states := map[string]string{}
	for _, p := range st.Phases {
		for _, s := range p.Sections {
			for _, it := range s.Items {
				states[it.ID] = string(it.State)
			}
		}
	}
	return &st, states
}

// The "done when": `check` on the example configuration prints
// the whole checklist with the right verdict; the board shows the same
// states; and both change when one check or one attestation changes.
func TestCheckExampleConfiguration(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL and redis-server")
	}
	db := exampleDB(t)
	// Last of all (cleanups run in reverse): the restore tests of check and
	// of the board left no scratch database behind.
	t.Cleanup(func() { assertNoScratchDatabases(t, restorePrefix(db)) })
	redisAddr, stopRedis := exampleRedis(t, db)
	stack := startExampleStack(t, db)
	cfgPath, attPath, migrations := exampleConfig(t, db, redisAddr, stack)
	att0, err := os.ReadFile(attPath)
	require.NoError(t, err)
	at, err := time.Parse(time.RFC3339, exampleTime)
	require.NoError(t, err)

	var tsvIDs []string
	tsv, err := os.ReadFile(testutil.ChecklistTSV(t))
	require.NoError(t, err)
	for _, line := range strings.Split(string(tsv), "\n")[1:] {
		if f := strings.Split(line, "\t"); len(f) > 1 {
			tsvIDs = append(tsvIDs, f[0])
		}
	}
	require.Len(t, tsvIDs, 279)

	check := func(format string) (int, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run([]string{"--config.file", cfgPath, "check", "--output", format, "--at", exampleTime, "--timeout", "60s"}, &out, &errOut)
		require.NotEqual(t, exitConfigError, code, errOut.String())
		return code, out.String()
	}
	lastLine := func(out string) string {
		lines := strings.Split(strings.TrimSpace(out), "\n")
		return lines[len(lines)-1]
	}

	// The board of the same configuration, judged at the same time. It
	// starts once the first `check` has run the restore test, whose state
	// file it then takes up as an exporter started after the night's
	// restore does; and it restarts (a reload) where a step changes the
	// dumps behind the kept result, since a background check runs on its
	// own schedule, not on each view.
	var (
		srv *web.Server
		ts  *httptest.Server
	)
	fetch := func(path string) string {
		t.Helper()
		resp, err := http.Get(ts.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(b)
	}
	startBoard := func() {
		t.Helper()
		if srv == nil {
			srv, err = web.NewServer(web.Options{
				Logger: slog.New(slog.DiscardHandler),
				Load: loadRuntime(func() (*config.Config, *checklist.Model, error) { return checklist.LoadConfigFile(cfgPath) },
					slog.New(slog.DiscardHandler), board.Options{MetricsPath: "/metrics", Now: func() time.Time { return at }}),
			})
			require.NoError(t, err)
			t.Cleanup(srv.Close)
			ts = httptest.NewServer(srv.Handler())
			t.Cleanup(ts.Close)
		} else {
			require.NoError(t, srv.Reload())
		}
		restoreDone := func() bool {
			resp, err := http.Get(ts.URL + "/api/v1/status")
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			var st checklist.Status
			if json.NewDecoder(resp.Body).Decode(&st) != nil {
				return false
			}
			for _, r := range st.Checks {
				if r.Check == "restore_drill" {
					return r.Reason != collector.ReasonNotRunYet && !r.Running
				}
			}
			return false
		}
		require.Eventually(t, restoreDone, 2*time.Minute, 50*time.Millisecond, "the board's restore check has no result")
	}

	type want struct {
		code     int
		verdict  string
		blockers []string
		states   map[string]string // some items' states
		text     []string          // in the table output
		// allAutomatedPass: every automated item passes (the healthy state).
		allAutomatedPass bool
	}
	steps := []struct {
		name   string
		change func()
		want   want
	}{
		{"as set up: GO", func() {}, want{exitOK, "GO: 0 blockers; 279 items: ", []string{},
			map[string]string{"P1.2.04": "pass", "P2.2.02": "pass", "SO.2.01": "attested", "P1.2.01": "attested", "P1.3.02": "missing", "P1.1.01": "pass", "P4.1.04": "pass", "P4.1.06": "upcoming"},
			[]string{"attested by Ravi Natarajan (IT lead) at 2026-11-30 17:00 UTC: Ready for go-live - yes.", "not attested; add it to the attestations file"}, true}},
		{"one check fails: the legacy count differs", func() {
			execSQL(t, db, "UPDATE golive.legacy_export_counts SET count = count + 1 WHERE entity = 'students'")
		}, want{exitNotReady, "NO-GO: 1 blocker; 279 items: ", []string{"P1.2.04"},
			map[string]string{"P1.2.04": "fail", "SO.2.01": "attested"},
			[]string{"✘ fail     P1.2.04", "data_record_counts: "}, false}},
		{"fixed again: GO", func() {
			execSQL(t, db, "UPDATE golive.legacy_export_counts SET count = count - 1 WHERE entity = 'students'")
		}, want{exitOK, "GO: 0 blockers", []string{}, map[string]string{"P1.2.04": "pass"}, nil, true}},
		// Single breaks of the seed system, each fixed again before the
		// next: NO-GO naming exactly the items of what broke (items not
		// due yet, such as P5.1.01, are failing_early and do not block).
		{"data defect: an account's role out of step with its RBAC role", func() {
			execSQL(t, db, "UPDATE users SET role = 'teacher' WHERE email = 'student7@school.edu'")
		}, want{exitNotReady, "NO-GO: 1 blocker", []string{"P1.2.10"},
			map[string]string{"P1.2.10": "fail", "P1.2.08": "pass", "P1.2.05": "pass"}, []string{"data_role_assignments: ", "role_mismatch"}, false}},
		{"data fixed: GO", func() {
			execSQL(t, db, "UPDATE users SET role = 'student' WHERE email = 'student7@school.edu'")
		}, want{exitOK, "GO: 0 blockers", []string{}, nil, nil, true}},
		{"app down: nginx answers 502", func() { stack.set(func() { stack.down = true }) },
			want{exitNotReady, "NO-GO: 9 blockers", []string{"P1.1.14", "P1.1.15", "P1.1.22", "P2.2.04", "P3.1.03", "P3.1.04", "P3.2.02", "P3.2.05", "P3.2.10"},
				map[string]string{"P1.1.22": "fail", "P5.1.01": "failing_early", "P1.1.11": "pass"}, []string{"app_health: "}, false}},
		{"app up: GO", func() { stack.set(func() { stack.down = false }) }, want{exitOK, "GO: 0 blockers", []string{}, nil, nil, true}},
		{"app degraded: its database unhealthy", func() { stack.set(func() { stack.health, stack.dbHealth = "degraded", "unhealthy" }) },
			want{exitNotReady, "NO-GO: 5 blockers", []string{"P1.1.22", "P2.2.04", "P3.1.03", "P3.1.04", "P3.2.05"},
				map[string]string{"P3.2.02": "pass", "P5.1.01": "failing_early"}, []string{"database"}, false}},
		{"app healthy: GO", func() { stack.set(func() { stack.health, stack.dbHealth = "healthy", "healthy" }) },
			want{exitOK, "GO: 0 blockers", []string{}, nil, nil, true}},
		{"backups aged: no dump for 27 hours", func() {
			newest, err := filepath.Glob(filepath.Join(stack.dumps, "backup_*.sql.gz"))
			require.NoError(t, err)
			require.Len(t, newest, 31)
			for _, ext := range []string{".sql.gz", ".meta"} { // sorted: the last is the newest
				require.NoError(t, os.Remove(strings.TrimSuffix(newest[30], ".sql.gz")+ext))
			}
		}, want{exitNotReady, "NO-GO: 4 blockers", []string{"P1.1.01", "P1.1.04", "P2.3.01", "P2.3.05"},
			map[string]string{"P1.1.03": "pass", "P5.1.03": "failing_early"}, []string{"dumps_daily: "}, false}},
		{"tonight's dump written: GO", func() {
			writeExampleDump(t, stack.dumps, time.Now().UTC().Add(-time.Hour), stack.dump)
		}, want{exitOK, "GO: 0 blockers", []string{}, map[string]string{"P1.1.02": "pass"}, nil, true}},
		{"failure marker: the backup script failed", func() {
			require.NoError(t, os.WriteFile(filepath.Join(stack.dumps, ".backup_error"), []byte("error=true\n"), 0o600))
		}, want{exitNotReady, "NO-GO: 1 blocker", []string{"P1.1.04"},
			map[string]string{"P1.1.04": "fail", "P1.1.01": "pass"}, []string{".backup_error"}, false}},
		{"marker removed by the next good run: GO", func() {
			require.NoError(t, os.Remove(filepath.Join(stack.dumps, ".backup_error")))
		}, want{exitOK, "GO: 0 blockers", []string{}, nil, nil, true}},
		{stepTruncated, func() {
			// Tonight's pg_dump died half-way; without pipefail the
			// script saw gzip's status 0 and wrote its sidecar.
			full := pgDump(t, db)
			writeExampleDump(t, stack.dumps, time.Now().UTC().Add(-30*time.Minute), gzipped(t, full[:len(full)*9/10]))
		}, want{exitNotReady, "NO-GO: 4 blockers", []string{"P1.1.02", "P2.3.02", "P2.3.04", "AX.2.04"},
			map[string]string{"P1.1.02": "fail", "AX.2.04": "fail", "P1.1.04": "pass", "P2.3.01": "pass"},
			[]string{"restore_drill: ", "truncated"}, false}},
		{stepTruncatedFixed, func() {
			newest, err := filepath.Glob(filepath.Join(stack.dumps, "backup_*.sql.gz"))
			require.NoError(t, err)
			for _, ext := range []string{".sql.gz", ".meta"} { // sorted: the last is the newest
				require.NoError(t, os.Remove(strings.TrimSuffix(newest[len(newest)-1], ".sql.gz")+ext))
			}
			writeExampleDump(t, stack.dumps, time.Now().UTC().Add(-20*time.Minute), stack.dump)
		}, want{exitOK, "GO: 0 blockers", []string{}, nil, nil, true}},
		{"failing report: grade entry fails on Firefox", func() {
			writePlaywright(t, filepath.Join(stack.reports, "e2e", "results.json"), time.Now().Add(-time.Hour), "teacher enters and updates a grade@firefox")
		}, want{exitNotReady, "NO-GO: 3 blockers", []string{"P1.4.01", "P1.4.05", "P1.4.22"},
			map[string]string{"P1.4.21": "pass", "P1.4.03": "pass"}, []string{"e2e_tests: "}, false}},
		{"report green again: GO", func() {
			writePlaywright(t, filepath.Join(stack.reports, "e2e", "results.json"), time.Now().Add(-time.Hour), "")
		}, want{exitOK, "GO: 0 blockers", []string{}, nil, nil, true}},
		{"a new migration: the database behind the head", func() {
			require.NoError(t, os.WriteFile(filepath.Join(migrations, "c1a2b3c4d5e6_add_academic_year_to_students.py"),
				[]byte(newMigration), 0o600))
		}, want{exitNotReady, "NO-GO: 1 blocker", []string{"P2.2.02"},
			map[string]string{"P2.2.02": "fail"}, []string{"at head: observed 64887d60dbfb, expected c1a2b3c4d5e6"}, false}},
		{"migration applied: GO", func() {
			execSQL(t, db, "ALTER TABLE students ADD COLUMN academic_year varchar(2); UPDATE alembic_version SET version_num = 'c1a2b3c4d5e6'")
		}, want{exitOK, "GO: 0 blockers", []string{}, nil, nil, true}},
		{"one attestation expires: the sign-off", func() {
			att, err := os.ReadFile(attPath)
			require.NoError(t, err)
			old := "    at: 2026-11-30T17:00:00Z\n"
			require.Contains(t, string(att), old)
			edited := strings.Replace(string(att), old, old+"    expires: 2026-12-01T06:00:00Z\n", 1)
			require.NoError(t, os.WriteFile(attPath, []byte(edited), 0o600))
			// Its own modification time, whatever the file system's
			// timestamp resolution.
			mt := time.Now().Add(time.Hour)
			require.NoError(t, os.Chtimes(attPath, mt, mt))
		}, want{exitNotReady, "NO-GO: 1 blocker", []string{"SO.2.01"},
			map[string]string{"SO.2.01": "missing", "P1.2.04": "pass"},
			[]string{"attestation by Ravi Natarajan (IT lead) expired at 2026-12-01T06:00:00Z"}, false}},
		// Last: Redis is not started again.
		{"redis down (the sign-off attested again)", func() {
			require.NoError(t, os.WriteFile(attPath, att0, 0o600))
			mt := time.Now().Add(2 * time.Hour)
			require.NoError(t, os.Chtimes(attPath, mt, mt))
			stopRedis()
		}, want{exitNotReady, "NO-GO: 2 blockers", []string{"P1.1.10", "P2.2.03"},
			map[string]string{"SO.2.01": "attested", "P4.2.04": "failing_early"}, []string{"cache_config: "}, false}},
	}
	// The steps after which the board restarts.
	restartBoard := map[string]bool{stepTruncated: true, stepTruncatedFixed: true}
	// Warnings of passing checks, in the JSON output (the table shows
	// failures only): a kept restore result with a newer, readable dump.
	jsonText := map[string][]string{
		"tonight's dump written: GO": {"not yet restore-tested"},
		stepTruncatedFixed:           {"not yet restore-tested"},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			step.change()

			code, out := check("table")
			assert.Equal(t, step.want.code, code, "exit code\n%s", out)
			assert.True(t, strings.HasPrefix(lastLine(out), step.want.verdict), "last line %q, want it to start with %q", lastLine(out), step.want.verdict)
			table := tableItems(t, out)
			assert.Len(t, table, len(tsvIDs), "every item printed once")
			for _, id := range tsvIDs {
				assert.Contains(t, table, id)
			}
			for id, s := range step.want.states {
				assert.Equal(t, s, table[id], "table state of %s", id)
			}
			if step.want.allAutomatedPass {
				for _, it := range checklist.Default().Items {
					if it.Kind.Automated() {
						assert.Equal(t, "pass", table[it.ID], "automated item %s on the healthy stack", it.ID)
					}
				}
			}
			for _, s := range step.want.text {
				assert.Contains(t, out, s)
			}

			_, js := check("json")
			st, states := statusStates(t, []byte(js))
			for _, s := range jsonText[step.name] {
				assert.Contains(t, js, s)
			}
			assert.Equal(t, step.want.blockers, st.Blockers)
			assert.Equal(t, table, states, "table and JSON agree")

			// The board and its API, running all along (restarted only
			// where the step says), show the same states and verdict once
			// Prometheus has scraped (pages run no check; they show the
			// latest results).
			if srv == nil || restartBoard[step.name] {
				startBoard()
			}
			fetch("/metrics")
			api, boardStates := statusStates(t, []byte(fetch("/api/v1/status")))
			assert.Equal(t, states, boardStates, "board API and check agree")
			assert.Equal(t, step.want.blockers, api.Blockers)
			page := fetch("/")
			// (strings.Contains: the page is too long for a failure message.)
			assert.True(t, strings.Contains(page, fmt.Sprintf(`id="verdict-text" class="verdict-text">%s<`, st.Verdict)), "the board's verdict is %s", st.Verdict)
			for id, s := range step.want.states {
				assert.True(t, strings.Contains(page, fmt.Sprintf(`data-item="%s" data-state="%s"`, id, s)), "board state of %s is %s", id, s)
			}
			metrics := fetch("/metrics")
			assert.Contains(t, metrics, fmt.Sprintf("golive_checklist_ready %d\n", map[bool]int{true: 1}[st.Ready]))
		})
	}
}
