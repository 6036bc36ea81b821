package database

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serverDir makes a folder the PostgreSQL server's own OS user may write
// and read (the tests run as another user), removed when the test ends:
// where an attack's COPY ... TO writes, and the file pg_read_file reads.
func serverDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "golive-sqlattack-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o777))
	return dir
}

// otherSession opens a session of the superuser in db that the test keeps
// until it ends, and returns it with its backend pid: the session an
// attack tries to terminate.
func otherSession(t *testing.T, db string) (*pgx.Conn, uint32) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, testutil.DSN(db))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close(ctx) })
	return c, c.PgConn().PID()
}

// attack is a query a data check must not be able to abuse, and how the
// test sees whether it did harm.
type attack struct {
	name  string
	query string
	// harmed reports the damage done, "" when none.
	harmed func(t *testing.T) string
}

// attacks are the harmful queries of the issue: a shell command, a server
// file written, another session ended, a commit through dblink, the
// configuration reloaded, a checkpoint.
func attacks(t *testing.T, db string) []attack {
	dir := serverDir(t)
	program := filepath.Join(dir, "program_ran")
	written := filepath.Join(dir, "copied")
	other, pid := otherSession(t, db)
	exists := func(path, what string) func(*testing.T) string {
		return func(*testing.T) string {
			if _, err := os.Stat(path); err == nil {
				return what
			}
			return ""
		}
	}
	return []attack{
		{"copy_to_program", fmt.Sprintf(`COPY (SELECT 1) TO PROGRAM 'touch %s'`, program), exists(program, "COPY TO PROGRAM ran a shell command")},
		{"copy_to_file", fmt.Sprintf(`COPY (SELECT 1) TO '%s'`, written), exists(written, "COPY TO wrote a server file")},
		{"terminate_backend", fmt.Sprintf(`SELECT pg_terminate_backend(%d)::int`, pid), func(t *testing.T) string {
			if err := other.Ping(context.Background()); err != nil {
				return "another session was terminated: " + err.Error()
			}
			return ""
		}},
		{"dblink_exec", fmt.Sprintf(`SELECT length(dblink_exec('host=127.0.0.1 port=5432 user=postgres dbname=%s', 'INSERT INTO victims VALUES (1)'))`, db), func(t *testing.T) string {
			var n int
			execInScan(t, db, "SELECT count(*) FROM victims", &n)
			if n != 0 {
				return "dblink_exec committed a write"
			}
			return ""
		}},
		{"reload_conf", `SELECT pg_reload_conf()::int`, nil},
		{"checkpoint", `CHECKPOINT`, nil},
	}
}

// attackDB is a database with the dblink extension (as a superuser would
// install it) and a table the attacks try to write.
func attackDB(t *testing.T) string {
	return testDB(t, "CREATE EXTENSION IF NOT EXISTS dblink", "CREATE TABLE victims (id int)", "CREATE TABLE students (id int)",
		"INSERT INTO students SELECT generate_series(1, 5)")
}

// SQL data checks refuse to run as a role that could escape the read-only
// transaction: a superuser, or a member (directly, through another role,
// or without inheriting) of pg_execute_server_program,
// pg_write_server_files, pg_read_server_files or pg_signal_backend. The
// check fails with reason config and says what to do; the query never
// runs, so the attacks of the issue do no harm. allow_privileged_role:
// true runs it anyway; a least-privilege role runs.
func TestSQLRefusesPrivilegedRole(t *testing.T) {
	db := attackDB(t)
	role := func(options string) string {
		return testutil.RoleDSN(testutil.CreateRole(t, "golive_priv_", options, db), db)
	}
	mid := testutil.CreateRole(t, "golive_mid_", "NOLOGIN IN ROLE pg_write_server_files")
	t.Setenv("PGUSER", "postgres")
	// A DSN that names the superuser is refused at load already
	// (config.TestSQLPrivilegedRoleRefusedAtLoad).
	_, err := config.Load([]byte(pgConfig(testutil.DSN(db), "  - name: q\n    sql: {target: db, query: SELECT 1}\n")), "test.yml")
	require.ErrorContains(t, err, "allow_privileged_role: true")
	tests := []struct {
		name    string
		dsn     string
		allow   bool
		refused []string // what the message names; nil when the check runs
	}{
		// The role comes from the environment: the configuration cannot
		// tell, the server can.
		{"superuser from PGUSER", "postgres://127.0.0.1:5432/" + db + "?sslmode=disable", false, []string{"superuser", `"postgres"`}},
		{"superuser role created", role("SUPERUSER"), false, []string{"superuser"}},
		{"member of a superuser role", role("IN ROLE postgres"), false, []string{"superuser"}},
		{"pg_execute_server_program", role("IN ROLE pg_execute_server_program"), false, []string{"pg_execute_server_program"}},
		{"pg_write_server_files", role("IN ROLE pg_write_server_files"), false, []string{"pg_write_server_files"}},
		{"pg_read_server_files", role("IN ROLE pg_read_server_files"), false, []string{"pg_read_server_files"}},
		{"pg_signal_backend", role("IN ROLE pg_signal_backend"), false, []string{"pg_signal_backend"}},
		{"through another role", role("IN ROLE " + mid), false, []string{"pg_write_server_files"}},
		{"without inheriting", role("NOINHERIT IN ROLE pg_execute_server_program, pg_signal_backend"), false, []string{"pg_execute_server_program", "pg_signal_backend"}},
		{"superuser allowed explicitly", testutil.DSN(db), true, nil},
		{"least privilege", testutil.MonitorRole(t, db), false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The attacks run only where they must be refused: as a
			// superuser they would succeed.
			var harm []attack
			if tc.refused != nil {
				harm = attacks(t, db)
			}
			yml := fmt.Sprintf("postgres_targets:\n  db: {dsn: %q, allow_privileged_role: %t}\nchecks:\n  - name: count\n    sql: {target: db, query: \"SELECT count(*) FROM students\", equals: 5}\n", tc.dsn, tc.allow)
			for _, a := range harm {
				yml += fmt.Sprintf("  - name: %s\n    sql: {target: db, query: %q}\n", a.name, a.query)
			}
			out := collectortest.RunConfig(t, yml, 60*time.Second)
			count := out.Result(t, "count")
			if tc.refused == nil {
				assert.True(t, count.Success(), "%s: %s", count.Reason, count.Message)
				return
			}
			assert.False(t, count.Success())
			assert.Equal(t, collector.ReasonConfig, count.Reason, count.Message)
			for _, want := range append(tc.refused, "CREATE ROLE", "IN ROLE pg_monitor", "GRANT SELECT ON ALL TABLES IN SCHEMA public", "allow_privileged_role: true") {
				assert.Contains(t, count.Message, want)
			}
			assert.NotContains(t, count.Message, "\n")
			assert.Contains(t, out.Logs, "level=ERROR", "the refusal is logged as an error")
			for _, a := range harm {
				res := out.Result(t, a.name)
				assert.False(t, res.Success(), a.name)
				assert.Equal(t, collector.ReasonConfig, res.Reason, "%s: %s", a.name, res.Message)
				assert.Contains(t, res.Message, "refusing", a.name)
				if a.harmed != nil {
					assert.Empty(t, a.harmed(t), a.name)
				}
			}
		})
	}
}

// With a least-privilege role (pg_monitor plus SELECT, what the example
// and the documentation create), every attack of the issue fails in
// PostgreSQL itself and does no harm, while a plain data check passes.
func TestSQLLeastPrivilegeAttacksFail(t *testing.T) {
	db := attackDB(t)
	dsn := testutil.MonitorRole(t, db)
	harm := attacks(t, db)
	yml := pgConfig(dsn, "  - name: count\n    sql: {target: db, query: \"SELECT count(*) FROM students\", equals: 5}\n")
	for _, a := range harm {
		yml += fmt.Sprintf("  - name: %s\n    sql: {target: db, query: %q}\n", a.name, a.query)
	}
	out := collectortest.RunConfig(t, yml, 60*time.Second)
	assert.True(t, out.Result(t, "count").Success(), out.Result(t, "count").Message)
	for _, a := range harm {
		res := out.Result(t, a.name)
		assert.False(t, res.Success(), a.name)
		assert.Equal(t, collector.ReasonPermission, res.Reason, "%s: %s", a.name, res.Message)
		t.Logf("%s: %s: %s", a.name, res.Reason, res.Message)
		if a.harmed != nil {
			assert.Empty(t, a.harmed(t), a.name)
		}
	}
}

// After each run the session is reset (DISCARD ALL) before its connection
// goes back to the pool: an advisory lock a query took is released, so
// nobody else waits on it and the next run succeeds.
func TestSQLSessionReset(t *testing.T) {
	db := testDB(t)
	dsn := testutil.MonitorRole(t, db)
	const key = 7341
	yml := fmt.Sprintf("postgres_targets:\n  db: {dsn: %q, max_connections: 1}\nchecks:\n", dsn) + fmt.Sprintf(`  - name: locker
    sql: {target: db, query: "SELECT count(*) FROM (SELECT pg_advisory_lock(%[1]d), set_config('work_mem', '77MB', false)) s", equals: 1}
  - name: other
    timeout: 3s
    sql: {target: db, query: "SELECT pg_try_advisory_lock(%[1]d)::int + (current_setting('work_mem') <> '77MB')::int", equals: 2, lock_timeout: 500ms}
`, key)
	cfg := loadConfig(t, yml)
	s := newScheduler(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for run := range 3 {
		for _, r := range s.RunAll(ctx, nil) {
			assert.True(t, r.Success(), "run %d: %s: %s %s", run, r.Check, r.Reason, r.Message)
		}
		var held int
		execInScan(t, db, fmt.Sprintf("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %d", key), &held)
		assert.Zero(t, held, "run %d: an advisory lock is still held on the pooled connection", run)
		// Another session can take the lock at once. It gives it back in
		// the same statement: a lock left to its session's end is held
		// until the backend exits, after the client has gone, and the next
		// run's "other" check would find it taken (seen under load).
		var got bool
		execInScan(t, db, fmt.Sprintf("SELECT got FROM (SELECT pg_try_advisory_lock(%[1]d) AS got OFFSET 0) s WHERE NOT got OR pg_advisory_unlock(%[1]d)", key), &got)
		assert.True(t, got, "run %d: the advisory lock is held by the exporter's idle connection", run)
	}
}

// A failing query's message is short and on one line, and never carries
// what the query read from a file or table: even as a superuser
// (allow_privileged_role), pg_read_file of a file with a sentinel is not
// shown on the board (the result's message), in the metrics or in the
// logs, whichever way the content reaches the error.
func TestSQLErrorNeverShowsData(t *testing.T) {
	db := testDB(t, "CREATE TABLE secrets (v text)", "INSERT INTO secrets VALUES ('Row-Sentinel-77c1')")
	dir := serverDir(t)
	const sentinel = "File-Sentinel-5b9e"
	file := filepath.Join(dir, "secret.txt")
	require.NoError(t, os.WriteFile(file, []byte(sentinel+" first line\nsecond line "+sentinel+"\n"+strings.Repeat("filler ", 200)+"\n"), 0o644))
	queries := map[string]string{
		"cast_int":      fmt.Sprintf(`SELECT pg_read_file('%s')::int`, file),
		"cast_regclass": fmt.Sprintf(`SELECT count(*) FROM pg_class WHERE oid = pg_read_file('%s')::regclass`, file),
		"cast_json":     fmt.Sprintf(`SELECT (pg_read_file('%s')::json->>'a')::int`, file),
		"raise":         fmt.Sprintf(`DO $$ BEGIN RAISE EXCEPTION '%%', pg_read_file('%s'); END $$`, file),
		"raise_code":    fmt.Sprintf(`DO $$ BEGIN RAISE EXCEPTION USING MESSAGE = pg_read_file('%s'), ERRCODE = '42P01'; END $$`, file),
		"row_value":     `SELECT v::int FROM secrets`,
		"row_label":     `SELECT v::regclass::oid::int FROM secrets`,
	}
	yml := fmt.Sprintf("postgres_targets:\n  db: {dsn: %q, allow_privileged_role: true}\nchecks:\n", testutil.DSN(db))
	for name, q := range queries {
		yml += fmt.Sprintf("  - name: %s\n    sql: {target: db, query: %q}\n", name, q)
	}
	yml += "  - name: missing_table\n    sql: {target: db, query: \"SELECT count(*) FROM no_such_table\"}\n"
	yml += "  - name: bad_literal\n    sql: {target: db, query: \"SELECT 'twelve'::int\"}\n"
	out := collectortest.RunConfig(t, yml, 60*time.Second)
	for name := range queries {
		res := out.Result(t, name)
		assert.False(t, res.Success(), name)
		assert.NotEqual(t, collector.ReasonNone, res.Reason, name)
		for _, secret := range []string{sentinel, "Row-Sentinel-77c1", "second line", "filler"} {
			assert.NotContains(t, res.Message, secret, name)
		}
		assert.NotContains(t, res.Message, "\n", name)
		assert.LessOrEqual(t, len(res.Message), 400, "%s: %s", name, res.Message)
		assert.Contains(t, res.Message, "SQLSTATE", name)
		t.Logf("%s: %s: %s", name, res.Reason, res.Message)
	}
	for _, secret := range []string{sentinel, "Row-Sentinel-77c1"} {
		assert.NotContains(t, out.Metrics, secret)
		assert.NotContains(t, out.Logs, secret)
	}
	// What the configuration itself says stays: the table it names, the
	// literal it casts.
	assert.Contains(t, out.Result(t, "missing_table").Message, `relation "no_such_table" does not exist`)
	assert.Equal(t, collector.ReasonNotFound, out.Result(t, "missing_table").Reason)
	assert.Contains(t, out.Result(t, "bad_literal").Message, `invalid input syntax for type integer: "twelve"`)
}
