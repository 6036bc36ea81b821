package backup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testServer = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

func randSuffix(t testing.TB) string {
	b := make([]byte, 4)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("restore tests need PostgreSQL and its tools; skipped with -short")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			testutil.MissingTool(t, "%s is not installed: %v", tool, err)
		}
	}
}

func adminConn(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, testServer)
	require.NoError(t, err, "the restore tests need PostgreSQL on 127.0.0.1:5432 (trust, user postgres)")
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// sourceDB creates a database with two tables and returns its name.
func sourceDB(t *testing.T, admin *pgx.Conn) string {
	t.Helper()
	ctx := context.Background()
	name := "golive_bk_src_" + randSuffix(t)
	_, err := admin.Exec(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err)
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") }) //nolint:errcheck
	conn, err := pgx.Connect(ctx, strings.Replace(testServer, "/postgres?", "/"+name+"?", 1))
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, q := range []string{
		"CREATE TABLE students (id int PRIMARY KEY, name text NOT NULL)",
		"INSERT INTO students SELECT g, 'student ' || g FROM generate_series(1, 1234) g",
		"CREATE SCHEMA school",
		"CREATE TABLE school.courses (id int PRIMARY KEY, title text)",
		"INSERT INTO school.courses SELECT g, 'course ' || g FROM generate_series(1, 17) g",
	} {
		_, err := conn.Exec(ctx, q)
		require.NoError(t, err, q)
	}
	return name
}

// scratchDatabases lists the databases starting with prefix.
func scratchDatabases(t *testing.T, admin *pgx.Conn, prefix string) []string {
	t.Helper()
	rows, err := admin.Query(context.Background(), "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", prefix)
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return names
}

func pgDump(t *testing.T, db string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("pg_dump", append([]string{"-h", "127.0.0.1", "-U", "postgres", "-d", db}, args...)...)
	out, err := cmd.Output()
	require.NoError(t, err)
	return out
}

func runRestore(t *testing.T, dir, yml string) (*collector.Report, error) {
	t.Helper()
	c, env := loadCheck(t, dir, yml)
	chk, err := newRestore(c, env)
	require.NoError(t, err)
	return runRestoreCheck(t, chk)
}

func runRestoreCheck(t *testing.T, chk collector.Check) (*collector.Report, error) {
	t.Helper()
	r := &collector.Report{}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	return r, chk.Run(ctx, r)
}

func TestRestoreRealDumps(t *testing.T) {
	needTools(t, "pg_dump", "pg_restore", "psql", "gzip")
	admin := adminConn(t)
	src := sourceDB(t, admin)
	dir := t.TempDir()
	dumps := filepath.Join(dir, "dumps")
	require.NoError(t, os.Mkdir(dumps, 0o700))
	stamp := time.Now().UTC().Add(-time.Hour).Format("20060102_150405")
	custom := filepath.Join(dumps, "backup_"+src+"_"+stamp+".dump")
	require.NoError(t, os.WriteFile(custom, pgDump(t, src, "-Fc"), 0o600))
	plain := filepath.Join(dumps, "backup_"+src+"_"+stamp+".sql.gz")
	require.NoError(t, os.WriteFile(plain, gzipped(t, string(pgDump(t, src, "-Fp"))), 0o600))
	prefix := "gl_rt_" + randSuffix(t) + "_"
	t.Cleanup(func() {
		for _, n := range scratchDatabases(t, admin, prefix) {
			admin.Exec(context.Background(), "DROP DATABASE "+n+" WITH (FORCE)") //nolint:errcheck
		}
	})

	t.Run("dump folder", func(t *testing.T) {
		r, err := runDumpFolder(t, dir, `
- name: dumps
  dump_folder:
    glob: dumps/backup_*
    name_pattern: backup_*_%Y%m%d_%H%M%S.*
    name_timezone: UTC
    max_age: 26h
    min_size: 1KiB
`, time.Now())
		require.NoError(t, err)
		assert.Empty(t, failed(r))
		assert.Equal(t, 2.0, value(t, r, "golive_backup_backups", "dump_folder", "", "dump"))
	})

	restoreYML := func(glob string) string {
		return fmt.Sprintf(`
- name: restore_test
  background: true
  interval: 1d
  timeout: 50s
  restore:
    glob: %s
    dsn: %s
    scratch_prefix: %s
    source_dsn: %s
    source_min_ratio: 1
    tables:
      - name: students
        min_rows: 1000
      - name: school.courses
        min_rows: 17
`, glob, testServer, prefix, strings.Replace(testServer, "/postgres?", "/"+src+"?", 1))
	}

	for _, glob := range []string{"dumps/*.dump", "dumps/*.sql.gz"} {
		t.Run("restore "+glob, func(t *testing.T) {
			r, err := runRestore(t, dir, restoreYML(glob))
			require.NoError(t, err)
			assert.Empty(t, failed(r), "%+v", r.Conditions())
			assert.Equal(t, 1.0, value(t, r, "golive_restore_success"))
			assert.Equal(t, 1234.0, value(t, r, "golive_restore_table_rows", "students"))
			assert.Equal(t, 17.0, value(t, r, "golive_restore_table_rows", "school.courses"))
			assert.Equal(t, 1234.0, value(t, r, "golive_restore_source_table_rows", "students"))
			assert.Equal(t, 1251.0, value(t, r, "golive_restore_rows_checked"))
			for _, step := range []string{"dump_check", "restore", "row_count", "drop"} {
				assert.Equal(t, 1.0, value(t, r, "golive_restore_step_success", step), step)
			}
			attempt := value(t, r, "golive_restore_last_attempt_timestamp_seconds")
			assert.Equal(t, attempt, value(t, r, "golive_restore_last_success_timestamp_seconds"))
			assert.Empty(t, scratchDatabases(t, admin, prefix), "scratch database left behind")
		})
	}

	t.Run("state file keeps the result across a restart", func(t *testing.T) {
		yml := restoreYML("dumps/*.dump") + "    state_file: restore-state.json\n"
		r, err := runRestore(t, dir, yml)
		require.NoError(t, err)
		require.Empty(t, failed(r), "%+v", r.Conditions())
		attempt := value(t, r, "golive_restore_last_attempt_timestamp_seconds")
		// A new instance (restart): the same figures without a restore.
		r, err = runRestore(t, dir, yml)
		require.NoError(t, err)
		assert.Empty(t, failed(r), "%+v", r.Conditions())
		assert.Equal(t, attempt, value(t, r, "golive_restore_last_attempt_timestamp_seconds"))
		assert.Equal(t, attempt, value(t, r, "golive_restore_last_success_timestamp_seconds"))
		assert.Equal(t, 1234.0, value(t, r, "golive_restore_table_rows", "students"))
		assert.Equal(t, 1234.0, value(t, r, "golive_restore_source_table_rows", "students"))
		assert.Equal(t, 1.0, value(t, r, "golive_restore_step_success", "drop"))
		assert.True(t, cond(t, r, "table students rows against source").OK)
		assert.True(t, cond(t, r, "result kept across a restart").OK)
		assert.Empty(t, scratchDatabases(t, admin, prefix))
	})

	t.Run("directory format", func(t *testing.T) {
		out := filepath.Join(dir, "dirfmt", "backup_"+src+"_"+stamp)
		require.NoError(t, os.MkdirAll(filepath.Dir(out), 0o700))
		pgDump(t, src, "-Fd", "-f", out)
		r, err := runDumpFolder(t, dir, "- name: d\n  dump_folder:\n    glob: dirfmt/backup_*\n    max_age: 1h\n", time.Now())
		require.NoError(t, err)
		assert.Empty(t, failed(r), "%+v", r.Conditions())
		assert.Equal(t, "backup_"+src+"_"+stamp+": directory", cond(t, r, "newest dump format").Observed)
		r, err = runRestore(t, dir, restoreYML("dirfmt/backup_*"))
		require.NoError(t, err)
		assert.Empty(t, failed(r), "%+v", r.Conditions())
		assert.Equal(t, 1234.0, value(t, r, "golive_restore_table_rows", "students"))
	})

	t.Run("a hanging pg_restore is killed and the scratch database dropped", func(t *testing.T) {
		bin := t.TempDir()
		writeScript(t, bin, "pg_restore", "if [ \"$1\" = --list ]; then exit 0; fi\nsleep 60 &\nsleep 60\n")
		c, env := loadCheck(t, dir, restoreYML("dumps/*.dump")+"    bin_dir: "+bin+"\n")
		chk, err := newRestore(c, env)
		require.NoError(t, err)
		r := &collector.Report{}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- chk.Run(ctx, r) }()
		select {
		case err = <-done:
		case <-time.After(40 * time.Second):
			t.Fatal("Run did not return after its deadline")
		}
		require.Error(t, err)
		assert.Equal(t, collector.ReasonTimeout, collector.ReasonOf(err), err.Error())
		assert.True(t, cond(t, r, "scratch database dropped").OK)
		assert.Equal(t, 0.0, value(t, r, "golive_restore_success"))
		assert.Empty(t, scratchDatabases(t, admin, prefix))
	})

	t.Run("servers from postgres_targets", func(t *testing.T) {
		cfg := fmt.Sprintf(`postgres_targets:
  scratch:
    dsn: %s
  prod:
    dsn: %s
checks:
- name: restore_test
  background: true
  interval: 1d
  timeout: 50s
  restore:
    glob: dumps/*.dump
    target: scratch
    source_target: prod
    scratch_prefix: %s
    source_min_ratio: 1
    tables:
      - name: students
`, testServer, strings.Replace(testServer, "/postgres?", "/"+src+"?", 1), prefix)
		c, err := config.Load([]byte(cfg), filepath.Join(dir, "golive.yml"))
		require.NoError(t, err)
		chk, err := newRestore(c.Checks[0], collector.Env{Config: c})
		require.NoError(t, err)
		r, err := runRestoreCheck(t, chk)
		require.NoError(t, err)
		assert.Empty(t, failed(r), "%+v", r.Conditions())
		assert.Equal(t, 1234.0, value(t, r, "golive_restore_source_table_rows", "students"))
		assert.Empty(t, scratchDatabases(t, admin, prefix))
	})

	t.Run("truncated gzip dump fails the check", func(t *testing.T) {
		bad := filepath.Join(dir, "trunc")
		require.NoError(t, os.Mkdir(bad, 0o700))
		data, err := os.ReadFile(plain)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(bad, "backup.sql.gz"), data[:len(data)/2], 0o600))
		r, err := runRestore(t, dir, restoreYML("trunc/*.sql.gz"))
		require.NoError(t, err)
		assert.Equal(t, []string{"dump readable"}, failed(r))
		assert.Contains(t, cond(t, r, "dump readable").Observed, "exited with status")
		assert.Equal(t, 0.0, value(t, r, "golive_restore_success"))
		assert.Empty(t, scratchDatabases(t, admin, prefix))
	})

	t.Run("corrupt gzip dump fails the check", func(t *testing.T) {
		bad := filepath.Join(dir, "corrupt")
		require.NoError(t, os.Mkdir(bad, 0o700))
		data, err := os.ReadFile(plain)
		require.NoError(t, err)
		data = append([]byte(nil), data...)
		for i := len(data) / 3; i < len(data)/3+64 && i < len(data)-8; i++ {
			data[i] ^= 0xff // flipped bits inside the deflate stream, length intact
		}
		require.NoError(t, os.WriteFile(filepath.Join(bad, "backup.sql.gz"), data, 0o600))
		r, err := runRestore(t, dir, restoreYML("corrupt/*.sql.gz"))
		require.NoError(t, err)
		assert.Equal(t, []string{"dump readable"}, failed(r))
		assert.Equal(t, 0.0, value(t, r, "golive_restore_step_success", "dump_check"))
		assert.Equal(t, 0.0, value(t, r, "golive_restore_success"))
		assert.Empty(t, scratchDatabases(t, admin, prefix))
	})

	t.Run("empty folder fails with not_found", func(t *testing.T) {
		require.NoError(t, os.Mkdir(filepath.Join(dir, "empty"), 0o700))
		r, err := runRestore(t, dir, restoreYML("empty/*.dump"))
		require.Error(t, err)
		assert.Equal(t, collector.ReasonNotFound, collector.ReasonOf(err))
		assert.Contains(t, err.Error(), "no dump matches")
		assert.Equal(t, 0.0, value(t, r, "golive_restore_success"))
		assert.Empty(t, scratchDatabases(t, admin, prefix))
	})

	t.Run("plain dump cut at a line fails the check", func(t *testing.T) {
		bad := filepath.Join(dir, "cut")
		require.NoError(t, os.Mkdir(bad, 0o700))
		sql := string(pgDump(t, src, "-Fp"))
		cut := sql[:strings.LastIndex(sql, "-- PostgreSQL database dump complete")]
		require.NoError(t, os.WriteFile(filepath.Join(bad, "backup.sql.gz"), gzipped(t, cut), 0o600))
		r, err := runRestore(t, dir, restoreYML("cut/*.sql.gz"))
		require.NoError(t, err)
		assert.Equal(t, []string{"dump readable"}, failed(r))
		assert.Contains(t, cond(t, r, "dump readable").Observed, "truncated")
	})

	t.Run("truncated custom dump fails the restore and leaves no scratch database", func(t *testing.T) {
		bad := filepath.Join(dir, "tcustom")
		require.NoError(t, os.Mkdir(bad, 0o700))
		data, err := os.ReadFile(custom)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(bad, "backup.dump"), data[:len(data)*3/4], 0o600))
		c, env := loadCheck(t, dir, restoreYML("tcustom/*.dump"))
		chk, err := newRestore(c, env)
		require.NoError(t, err)
		// An earlier success stays visible after a failure.
		chk.(*restoreCheck).lastSuccess = time.Unix(1700000000, 0)
		r, err := runRestoreCheck(t, chk)
		require.NoError(t, err)
		assert.NotEmpty(t, failed(r))
		assert.Subset(t, []string{"dump readable", "restore"}, failed(r))
		assert.Equal(t, 0.0, value(t, r, "golive_restore_success"))
		assert.Equal(t, 1700000000.0, value(t, r, "golive_restore_last_success_timestamp_seconds"))
		assert.Empty(t, scratchDatabases(t, admin, prefix))
	})

	t.Run("missing table and too few rows fail", func(t *testing.T) {
		yml := strings.Replace(restoreYML("dumps/*.dump"), "min_rows: 17", "min_rows: 18\n      - name: public.nope", 1)
		r, err := runRestore(t, dir, yml)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"table school.courses rows", "table public.nope restored", "table public.nope rows against source"}, failed(r))
		assert.Equal(t, 0.0, value(t, r, "golive_restore_step_success", "row_count"))
		assert.Empty(t, scratchDatabases(t, admin, prefix))
	})

	t.Run("slower than max_duration fails", func(t *testing.T) {
		r, err := runRestore(t, dir, restoreYML("dumps/*.dump")+"    max_duration: 1ms\n")
		require.NoError(t, err)
		assert.Equal(t, []string{"restore duration"}, failed(r))
		assert.Equal(t, 0.0, value(t, r, "golive_restore_success"))
	})

	t.Run("leftover scratch database is dropped, other names are not", func(t *testing.T) {
		left := prefix + "20200101000000_1"
		keep := prefix + "keep"
		for _, n := range []string{left, keep} {
			_, err := admin.Exec(context.Background(), "CREATE DATABASE "+n)
			require.NoError(t, err)
		}
		r, err := runRestore(t, dir, restoreYML("dumps/*.dump"))
		require.NoError(t, err)
		assert.Empty(t, failed(r))
		assert.Equal(t, []string{keep}, scratchDatabases(t, admin, prefix))
		_, err = admin.Exec(context.Background(), "DROP DATABASE "+keep)
		require.NoError(t, err)
	})

	t.Run("a scratch database in use by another exporter is not dropped", func(t *testing.T) {
		// The other exporter's advisory lock lives in another maintenance
		// database (template1): only its session in the scratch database
		// tells this run that the database is in use.
		busy := prefix + "20200101000000_2"
		_, err := admin.Exec(context.Background(), "CREATE DATABASE "+busy)
		require.NoError(t, err)
		defer admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+busy+" WITH (FORCE)") //nolint:errcheck
		restoring, err := pgx.Connect(context.Background(), strings.Replace(testServer, "/postgres?", "/"+busy+"?", 1))
		require.NoError(t, err)
		r, err := runRestore(t, dir, restoreYML("dumps/*.dump"))
		require.NoError(t, err)
		assert.Empty(t, failed(r))
		assert.Equal(t, []string{busy}, scratchDatabases(t, admin, prefix))
		require.NoError(t, restoring.Close(context.Background()))
		// Once nobody is connected (the backend ends a moment after the
		// client closes), it is a leftover.
		require.Eventually(t, func() bool {
			var n int
			err := admin.QueryRow(context.Background(), "SELECT count(*) FROM pg_stat_activity WHERE datname = $1", busy).Scan(&n)
			return err == nil && n == 0
		}, 20*time.Second, 10*time.Millisecond)
		r, err = runRestore(t, dir, restoreYML("dumps/*.dump"))
		require.NoError(t, err)
		assert.Empty(t, failed(r))
		assert.Empty(t, scratchDatabases(t, admin, prefix))
	})

	t.Run("a restore running elsewhere is not overlapped", func(t *testing.T) {
		other, err := pgx.Connect(context.Background(), testServer)
		require.NoError(t, err)
		defer other.Close(context.Background())
		_, err = other.Exec(context.Background(), "SELECT pg_advisory_lock(hashtext($1))", "golive_restore:"+prefix)
		require.NoError(t, err)
		_, err = runRestore(t, dir, restoreYML("dumps/*.dump"))
		require.Error(t, err)
		assert.Equal(t, collector.ReasonUnavailable, collector.ReasonOf(err))
		assert.Contains(t, err.Error(), "another restore test")
	})

	t.Run("two runs at once take turns", func(t *testing.T) {
		c, env := loadCheck(t, dir, restoreYML("dumps/*.dump"))
		chk, err := newRestore(c, env)
		require.NoError(t, err)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		reps := make([]*collector.Report, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reps[i] = &collector.Report{}
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
				defer cancel()
				errs[i] = chk.Run(ctx, reps[i])
			}()
		}
		wg.Wait()
		for i := range 2 {
			require.NoError(t, errs[i])
			assert.Empty(t, failed(reps[i]))
		}
		assert.Empty(t, scratchDatabases(t, admin, prefix))
	})
}

func TestRestoreConfig(t *testing.T) {
	for _, tc := range []struct{ yml, msg string }{
		{"glob: /x/*.dump\n    scratch_prefix: 'Prod'", "is not a safe prefix"},
		{"glob: /x/*.dump\n    dsn: postgres://h/x\n    scratch_prefix: ab", "is not a safe prefix"},
		{"glob: /x/*.dump", "dsn: missing"},
		{"dsn: postgres://h/postgres", "glob: missing"},
		{"glob: /x/*\n    dsn: postgres://h/golive_restore_x", "starts with the scratch prefix"},
		{"glob: /x/*\n    dsn: postgres://h/postgres\n    tables: [{name: 'a;drop table b'}]", "is not a table name"},
		{"glob: /x/*\n    dsn: postgres://h/postgres\n    source_min_ratio: 2\n    tables: [{name: a}]", "between 0 and 1"},
		{"glob: /x/*\n    dsn: postgres://h/postgres\n    password: a\n    password_file: b", "password is given more than once"},
		{"pgbackrest_verify: {}", "pgbackrest_verify.stanza: missing"},
		{"glob: /x/*.dump\n    dsn: postgres://h/postgres", "checks[0].background: a restore test is too slow for a scrape"},
		{"glob: /x/*.dump\n    target: nope", `target: "nope" is not defined`},
		{"glob: /x/*.dump\n    dsn: postgres://h/postgres\n    target: x", "either dsn or target"},
		{"glob: /x/*.dump\n    dsn: postgres://h/postgres\n    source_target: nope\n    tables: [{name: a}]", `source_target: "nope" is not defined`},
	} {
		assert.Contains(t, loadErr(t, "- name: r\n  restore:\n    "+tc.yml+"\n"), tc.msg)
	}
}

func TestDropScratchRefusesOtherNames(t *testing.T) {
	err := dropScratch(context.Background(), nil, "production", "golive_restore_")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refusing to drop")
}

func TestResolveServer(t *testing.T) {
	assert.Equal(t, "disable", dsnParam(testServer, "sslmode"))
	assert.Equal(t, "", dsnParam("postgres://h/db", "sslmode"))
	assert.Equal(t, "verify-full", dsnParam("host=h sslmode=verify-full dbname=x", "sslmode"))
	assert.Equal(t, "/a b/ca.pem", dsnParam(`host=h sslrootcert='/a b/ca.pem'`, "sslrootcert"))

	ca, _, _ := testutil.SelfSignedCert(t, t.TempDir())
	srv, err := resolveServer(connSpec{dsn: "postgres://app@db.example:6432/postgres?sslmode=disable", password: "pw",
		sslMode: "verify-full", sslRootCert: ca, connectTimeout: 3 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, "db.example", srv.conn.Host)
	assert.Equal(t, "pw", srv.conn.Password)
	assert.NotNil(t, srv.conn.TLSConfig, "sslmode verify-full beside the DSN wins over its disable")
	for _, want := range []string{"PGHOST=db.example", "PGPORT=6432", "PGUSER=app", "PGPASSWORD=pw", "PGSSLMODE=verify-full", "PGSSLROOTCERT=" + ca, "PGCONNECT_TIMEOUT=3"} {
		assert.Contains(t, srv.env, want)
	}
	_, err = resolveServer(connSpec{dsn: "postgres://u:S3cretSentinel@h:notaport/db"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "S3cretSentinel")
}

// A postgres_targets entry with tls: gives pgx prometheus/common's TLS
// settings and the tools (pg_restore, psql) the same through libpq's
// environment (internal/pgtls); what the tools cannot take is refused
// with what to write.
func TestResolveServerTLSTarget(t *testing.T) {
	dir := t.TempDir()
	pki := testutil.WritePKI(t, dir, "app")
	load := func(tls string) *config.Config {
		cfg, err := config.Load([]byte(`postgres_targets:
  db: {dsn: "postgres://app@10.0.0.5:6432/postgres", password: pw, tls: `+tls+`}
checks:
  - {name: p, postgres: {target: db}}
`), filepath.Join(dir, "golive.yml"))
		require.NoError(t, err)
		return cfg
	}
	cfg := load("{ca_file: ca.pem, cert_file: client.pem, key_file: client.key, server_name: db.example}")
	srv, err := resolveServer(connFrom(cfg, "db", "", "", "", ""))
	require.NoError(t, err)
	require.NotNil(t, srv.conn.TLSConfig)
	assert.Equal(t, "db.example", srv.conn.TLSConfig.ServerName)
	assert.False(t, srv.conn.TLSConfig.InsecureSkipVerify)
	assert.Empty(t, srv.conn.Fallbacks, "no plain attempt")
	assert.Equal(t, "pw", srv.conn.Password)
	for _, want := range []string{"PGHOST=db.example", "PGHOSTADDR=10.0.0.5", "PGPORT=6432", "PGUSER=app", "PGPASSWORD=pw",
		"PGSSLMODE=verify-full", "PGSSLROOTCERT=" + pki.CA, "PGSSLCERT=" + pki.ClientCert, "PGSSLKEY=" + pki.ClientKey, "PGSSLMINPROTOCOLVERSION=TLSv1.2"} {
		assert.Contains(t, srv.env, want)
	}
	_, err = resolveServer(connFrom(load("{ca_ref: PG_CA}"), "db", "", "", "", ""))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "postgres target db: tls: gives the ca inline or as a *_ref, and pg_restore and psql read it from a file only; write ca_file")
}

// A password given in a file or in the DSN never shows in the error.
func TestRestoreKeepsPasswordsOut(t *testing.T) {
	if _, err := exec.LookPath("gzip"); err != nil {
		testutil.MissingTool(t, "gzip is not installed: %v", err)
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pw"), []byte("S3cretSentinel\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "d.sql.gz"), gzipped(t, sqlDump), 0o600))
	for _, yml := range []string{
		"dsn: postgres://postgres@127.0.0.1:1/postgres?sslmode=disable\n    password_file: pw",
		"dsn: postgres://postgres:S3cretSentinel@127.0.0.1:1/postgres?sslmode=disable",
		"dsn: 'host=127.0.0.1 port=1 password=S3cretSentinel dbname=postgres sslmode=disable'",
	} {
		c, env := loadCheck(t, dir, "- name: r\n  background: true\n  interval: 1d\n  restore:\n    glob: '*.sql.gz'\n    state_file: state.json\n    "+yml+"\n")
		chk, err := newRestore(c, env)
		require.NoError(t, err)
		r, err := runRestoreCheck(t, chk)
		require.Error(t, err)
		assert.Equal(t, collector.ReasonConnRefused, collector.ReasonOf(err), err.Error())
		assert.NotContains(t, err.Error(), "S3cretSentinel")
		for _, cnd := range r.Conditions() {
			assert.NotContains(t, cnd.Observed, "S3cretSentinel")
		}
		cfgYAML, err := env.Config.Marshal()
		require.NoError(t, err)
		assert.NotContains(t, string(cfgYAML), "S3cretSentinel", "password in the DSN shown by the config endpoint")
		state, err := os.ReadFile(filepath.Join(dir, "state.json"))
		require.NoError(t, err)
		assert.NotContains(t, string(state), "S3cretSentinel", "password in the restore state file")
		fi, err := os.Stat(filepath.Join(dir, "state.json"))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the state file is the exporter's alone")
	}
}
