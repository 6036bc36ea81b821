package database

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

func pgConfig(dsn, checks string) string {
	return fmt.Sprintf("postgres_targets:\n  db:\n    dsn: %s\n    connect_timeout: 2s\nchecks:\n%s", dsn, checks)
}

func TestPostgresHealth(t *testing.T) {
	db := testDB(t)
	tests := []struct {
		name     string
		check    string
		wantOK   bool
		failCond string
	}{
		{"defaults pass", "    postgres: {target: db}", true, ""},
		{"primary expected", "    postgres: {target: db, expect_role: primary}", true, ""},
		{"replica expected", "    postgres: {target: db, expect_role: replica}", false, "role"},
		{"connections cap", "    postgres: {target: db, max_connections_ratio: 0.0001}", false, "connections"},
		{"archiving required", "    postgres: {target: db, require_archiving: true}", false, "WAL archiving on"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := collectortest.RunConfig(t, pgConfig(testutil.DSN(db), "  - name: pg\n"+tc.check), 30*time.Second)
			res := out.Result(t, "pg")
			assert.Equal(t, tc.wantOK, res.Success(), "message: %s", res.Message)
			if tc.failCond != "" {
				assert.Equal(t, collector.ReasonConditionFailed, res.Reason)
				assert.Contains(t, res.Message, tc.failCond)
			}
			for _, want := range []string{
				`golive_postgres_up{check="pg"} 1`,
				`golive_postgres_probe_duration_seconds_bucket{check="pg",le="0.5"}`,
				`golive_postgres_probe_duration_seconds_count{check="pg"} 3`,
				`golive_postgres_probe_p95_seconds{check="pg"}`,
				`golive_postgres_probe_window_probes{check="pg"} 3`,
				`golive_postgres_connect_duration_seconds{check="pg"}`,
				`golive_postgres_server_version_num{check="pg"}`,
				`golive_postgres_in_recovery{check="pg"} 0`,
				`golive_postgres_start_timestamp_seconds{check="pg"}`,
				`golive_postgres_connections{check="pg"}`,
				`golive_postgres_max_connections{check="pg"}`,
				`golive_postgres_oldest_transaction_age_seconds{check="pg"}`,
				`golive_postgres_database_size_bytes{check="pg"}`,
				`golive_postgres_archive_mode_enabled{check="pg"}`,
				`golive_postgres_archiver_failed_total{check="pg"}`,
				`golive_postgres_checksum_failures_total{check="pg"} 0`,
				`golive_postgres_data_checksums_enabled{check="pg"}`,
				`golive_postgres_pool_connections{check="pg",state="max"} 2`,
			} {
				assert.True(t, out.HasLine(want), "missing %s in\n%s", want, out.Metrics)
			}
			assert.NotContains(t, out.Metrics, `golive_postgres_figure_unavailable`)
		})
	}
}

func TestPostgresLongTransaction(t *testing.T) {
	db := testDB(t)
	holdTransaction(t, db, "SELECT txid_current()")
	time.Sleep(1100 * time.Millisecond)
	out := collectortest.RunConfig(t, pgConfig(testutil.DSN(db), "  - name: pg\n    postgres: {target: db, max_transaction_age: 1s}"), 30*time.Second)
	res := out.Result(t, "pg")
	require.False(t, res.Success())
	assert.Contains(t, res.Message, "oldest transaction")
}

// A role without pg_monitor sees less: what it cannot see is reported
// unavailable, and the check neither crashes nor lies with a zero.
func TestPostgresLeastPrivilege(t *testing.T) {
	needServer(t)
	plain, monitor := testutil.RandomName("golive_plain_"), testutil.RandomName("golive_mon_")
	execIn(t, "postgres", "CREATE ROLE "+plain+" LOGIN", "CREATE ROLE "+monitor+" LOGIN IN ROLE pg_monitor")
	t.Cleanup(func() { execIn(t, "postgres", "DROP ROLE IF EXISTS "+plain, "DROP ROLE IF EXISTS "+monitor) })
	db := testDB(t)
	dsn := func(role string) string {
		return "postgres://" + role + "@127.0.0.1:5432/" + db + "?sslmode=disable"
	}
	out := collectortest.RunConfig(t, pgConfig(dsn(plain), "  - name: pg\n    postgres: {target: db}"), 30*time.Second)
	res := out.Result(t, "pg")
	assert.True(t, res.Success(), res.Message)
	assert.True(t, out.HasLine(`golive_postgres_figure_unavailable{check="pg",figure="oldest_transaction"} 1`), out.Metrics)
	assert.False(t, out.HasLine(`golive_postgres_oldest_transaction_age_seconds`))

	out = collectortest.RunConfig(t, pgConfig(dsn(monitor), "  - name: pg\n    postgres: {target: db}"), 30*time.Second)
	res = out.Result(t, "pg")
	assert.True(t, res.Success(), res.Message)
	assert.True(t, out.HasLine(`golive_postgres_oldest_transaction_age_seconds{check="pg"}`), out.Metrics)

	// Index health reads catalogs and statistics views every role may read;
	// a table the role was not granted fails its check with the grant to
	// give, and the other checks keep their results.
	execIn(t, db, "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)", "INSERT INTO alembic_version VALUES ('3c')",
		"REVOKE ALL ON alembic_version FROM PUBLIC")
	out = collectortest.RunConfig(t, pgConfig(dsn(monitor), `  - name: pg
    postgres: {target: db}
  - name: idx
    postgres_indexes: {target: db}
  - name: mig
    postgres_migrations: {target: db, tool: alembic, expected_head: 3c}`), 30*time.Second)
	assert.True(t, out.Result(t, "pg").Success(), out.Result(t, "pg").Message)
	assert.True(t, out.Result(t, "idx").Success(), out.Result(t, "idx").Message)
	assert.True(t, out.HasLine(`golive_postgres_invalid_indexes{check="idx"} 0`), out.Metrics)
	mig := out.Result(t, "mig")
	assert.Equal(t, collector.ReasonPermission, mig.Reason, mig.Message)
	assert.Contains(t, mig.Message, "grant the monitoring role pg_monitor and SELECT on the tables the check reads")

	execIn(t, db, "GRANT SELECT ON alembic_version TO "+monitor)
	out = collectortest.RunConfig(t, pgConfig(dsn(monitor), "  - name: mig\n    postgres_migrations: {target: db, tool: alembic, expected_head: 3c}"), 30*time.Second)
	assert.True(t, out.Result(t, "mig").Success(), out.Result(t, "mig").Message)
}

// Faults: a refused port, a listener that never answers, a query outliving
// its timeout and a role without privileges each fail their own check with
// a clear reason, within the timeout, while the other checks keep passing.
func TestPostgresFaults(t *testing.T) {
	db := testDB(t, "CREATE TABLE secret_table (id int)", "INSERT INTO secret_table VALUES (1)")
	plain := testutil.RandomName("golive_noprivs_")
	execIn(t, "postgres", "CREATE ROLE "+plain+" LOGIN")
	t.Cleanup(func() { execIn(t, "postgres", "DROP ROLE IF EXISTS "+plain) })
	execIn(t, db, "REVOKE ALL ON secret_table FROM PUBLIC")
	yml := fmt.Sprintf(`postgres_targets:
  good: {dsn: "%s"}
  refused: {dsn: "postgres://postgres@%s/postgres?sslmode=disable", connect_timeout: 2s}
  silent: {dsn: "postgres://postgres@%s/postgres?sslmode=disable", connect_timeout: 30s}
  noprivs: {dsn: "postgres://%s@127.0.0.1:5432/%s?sslmode=disable"}
checks:
  - name: ok
    sql: {target: good, query: "SELECT 1", equals: 1}
  - name: refused
    postgres: {target: refused}
  - name: silent
    timeout: 1s
    postgres: {target: silent}
  - name: slow_query
    timeout: 5s
    sql: {target: good, query: "SELECT 1 FROM pg_sleep(5)", statement_timeout: 300ms}
  - name: no_privilege
    sql: {target: noprivs, query: "SELECT count(*) FROM secret_table"}
`, testutil.MonitorRole(t, db), testutil.FreeAddr(t), testutil.ServeTCP(t, func(net.Conn) {}), plain, db)
	out := collectortest.RunConfig(t, yml, 20*time.Second)
	assert.True(t, out.Result(t, "ok").Success())
	cases := map[string]collector.Reason{
		"refused":      collector.ReasonConnRefused,
		"silent":       collector.ReasonTimeout,
		"slow_query":   collector.ReasonTimeout,
		"no_privilege": collector.ReasonPermission,
	}
	for name, reason := range cases {
		res := out.Result(t, name)
		assert.False(t, res.Success(), name)
		assert.Equal(t, reason, res.Reason, "%s: %s", name, res.Message)
		assert.NotEmpty(t, res.Message)
	}
	assert.Contains(t, out.Result(t, "slow_query").Message, "statement_timeout")
	assert.Contains(t, out.Result(t, "no_privilege").Message, "permission denied")
	assert.True(t, out.HasLine(`golive_postgres_up{check="refused"} 0`), out.Metrics)
	assert.True(t, out.HasLine(`golive_check_failure_reason{check="silent",kind="postgres",reason="timeout"} 1`), out.Metrics)
}

// The password never shows: not in errors, metrics, logs or the config
// endpoint, whether it comes inline in the DSN, from a file or from the
// environment.
func TestPostgresSecretNeverShown(t *testing.T) {
	const sentinel = "S3ntinel-pw-4f2a9c"
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pwFile, []byte(sentinel+"\n"), 0o600))
	t.Setenv("GOLIVE_TEST_PG_PASSWORD", sentinel)
	refused, silent := testutil.FreeAddr(t), testutil.ServeTCP(t, func(net.Conn) {})
	yml := fmt.Sprintf(`postgres_targets:
  inline: {dsn: "postgres://app:%[1]s@%[2]s/app?sslmode=disable", connect_timeout: 1s}
  kv: {dsn: "host=127.0.0.1 port=%[4]s user=app password=%[1]s dbname=app sslmode=disable", connect_timeout: 1s}
  badparam: {dsn: "postgres://app:%[1]s@%[2]s/app?target_session_attrs=bogus"}
  file: {dsn: "postgres://app@%[3]s/app?sslmode=disable", password_file: %[5]s, connect_timeout: 1s}
  env: {dsn: "postgres://app@%[2]s/app?sslmode=disable", password_env: GOLIVE_TEST_PG_PASSWORD}
checks:
  - {name: inline, postgres: {target: inline}}
  - {name: kv, postgres: {target: kv}}
  - {name: badparam, postgres: {target: badparam}}
  - {name: file, timeout: 1s, sql: {target: file, query: "SELECT 1"}}
  - {name: env, postgres_indexes: {target: env}}
`, sentinel, refused, silent, strings.Split(refused, ":")[1], pwFile)
	out := collectortest.RunConfig(t, yml, 20*time.Second)
	for _, r := range out.Results {
		assert.False(t, r.Success(), r.Check)
		assert.NotContains(t, r.Message, sentinel, r.Check)
	}
	assert.NotContains(t, out.Metrics, sentinel)
	assert.NotContains(t, out.Logs, sentinel)
	assert.NotContains(t, out.Config, sentinel)
	assert.Contains(t, out.Config, "app:<secret>@")
	assert.Contains(t, out.Config, "password=<secret>")
}

// TLS settings: sslmode require encrypts; verify-full without the server's
// CA fails with reason tls.
func TestPostgresTLS(t *testing.T) {
	db := testDB(t)
	dsn := "postgres://postgres@127.0.0.1:5432/" + db
	var ssl string
	execInScan(t, db, "SHOW ssl", &ssl)
	if ssl != "on" {
		t.Skip("the development PostgreSQL has ssl off")
	}
	yml := fmt.Sprintf(`postgres_targets:
  tls: {dsn: "%[3]s", sslmode: require}
  verify: {dsn: "%[1]s", sslmode: verify-full, sslrootcert: %[2]s}
checks:
  - {name: tls, sql: {target: tls, query: "SELECT ssl::int FROM pg_stat_ssl WHERE pid = pg_backend_pid()", equals: 1}}
  - {name: verify, postgres: {target: verify}}
`, dsn, writeSelfSigned(t), testutil.MonitorRole(t, db))
	out := collectortest.RunConfig(t, yml, 30*time.Second)
	assert.True(t, out.Result(t, "tls").Success(), out.Result(t, "tls").Message)
	v := out.Result(t, "verify")
	assert.False(t, v.Success())
	assert.Equal(t, collector.ReasonTLS, v.Reason, v.Message)
}

// execInScan runs one query in db and scans its row.
func execInScan(t testing.TB, db, q string, dest ...any) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, testutil.DSN(db))
	require.NoError(t, err)
	defer c.Close(ctx)
	require.NoError(t, c.QueryRow(ctx, q).Scan(dest...))
}

// A scrape with a deadline answers by it even when a target never answers;
// the hung run ends with the scrape's deadline and leaves nothing behind.
func TestPostgresScrapeDeadline(t *testing.T) {
	needServer(t)
	yml := fmt.Sprintf(`postgres_targets:
  silent: {dsn: "postgres://golive_monitor@%s/postgres?sslmode=disable", connect_timeout: 30s}
checks:
  - name: silent
    timeout: 30s
    postgres: {target: silent}
  - name: silent_sql
    timeout: 30s
    sql: {target: silent, query: "SELECT 1"}
`, testutil.ServeTCP(t, func(net.Conn) {}))
	cfg, err := config.Load([]byte(yml), "t.yml")
	require.NoError(t, err)
	s := collector.New(cfg, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	results := s.Collect(ctx) // returns by the deadline (the run is clamped to it)
	cancel()
	for _, r := range results {
		assert.False(t, r.Success(), r.Check)
		assert.Contains(t, []collector.Reason{collector.ReasonScrapeDeadline, collector.ReasonTimeout}, r.Reason, r.Message)
	}
	s.Close() // waits for the runs in flight, which end with the deadline
}

// delayProxy forwards loopback TCP to target, holding every chunk from the
// server back by delay: a slow database for the p95 condition.
func delayProxy(t *testing.T, target string, delay time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	var wg sync.WaitGroup
	t.Cleanup(func() {
		close(done)
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			wg.Add(2)
			go func() { // client to server, as is
				defer wg.Done()
				_, _ = io.Copy(s, c)
				s.Close()
			}()
			go func() { // server to client, late
				defer wg.Done()
				defer c.Close()
				buf := make([]byte, 64*1024)
				for {
					n, err := s.Read(buf)
					if n > 0 {
						select {
						case <-time.After(delay):
						case <-done:
							return
						}
						if _, werr := c.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
			go func() {
				<-done
				c.Close()
				s.Close()
			}()
		}
	}()
	return ln.Addr().String()
}

// A slow server makes the recent-window p95 exceed max_p95: the check fails
// on that condition and the histogram shows where the probes fell.
func TestPostgresSlowProbes(t *testing.T) {
	db := testDB(t)
	addr := delayProxy(t, "127.0.0.1:5432", 30*time.Millisecond)
	out := collectortest.RunConfig(t, pgConfig("postgres://postgres@"+addr+"/"+db+"?sslmode=disable", `  - name: pg
    timeout: 20s
    postgres: {target: db, max_p95: 10ms}
`), 30*time.Second)
	res := out.Result(t, "pg")
	require.False(t, res.Success())
	assert.Equal(t, collector.ReasonConditionFailed, res.Reason)
	assert.Contains(t, res.Message, "probe p95")
	assert.True(t, out.HasLine(`golive_postgres_probe_duration_seconds_bucket{check="pg",le="0.01"} 0`), out.Metrics)
	assert.True(t, out.HasLine(`golive_postgres_probe_duration_seconds_bucket{check="pg",le="+Inf"} 3`), out.Metrics)
}

// A refused login is auth and a full server ("too many connections") is
// unavailable in every PostgreSQL kind, as docs/core.md's reason table
// says.
func TestPostgresReasonsAcrossKinds(t *testing.T) {
	db := testDB(t)
	full := testutil.RandomName("golive_full_")
	execIn(t, "postgres", "CREATE ROLE "+full+" LOGIN CONNECTION LIMIT 0")
	t.Cleanup(func() { execIn(t, "postgres", "DROP ROLE IF EXISTS "+full) })
	unknown := testutil.RandomName("golive_nobody_")
	yml := fmt.Sprintf(`postgres_targets:
  full: {dsn: "postgres://%[1]s@127.0.0.1:5432/%[3]s?sslmode=disable"}
  unknown: {dsn: "postgres://%[2]s@127.0.0.1:5432/%[3]s?sslmode=disable"}
checks:
  - {name: full_postgres, postgres: {target: full}}
  - {name: full_sql, sql: {target: full, query: "SELECT 1"}}
  - {name: full_migrations, postgres_migrations: {target: full, tool: alembic, expected_head: abc}}
  - {name: full_indexes, postgres_indexes: {target: full}}
  - {name: unknown_postgres, postgres: {target: unknown}}
  - {name: unknown_sql, sql: {target: unknown, query: "SELECT 1"}}
  - {name: unknown_migrations, postgres_migrations: {target: unknown, tool: alembic, expected_head: abc}}
  - {name: unknown_indexes, postgres_indexes: {target: unknown}}
`, full, unknown, db)
	out := collectortest.RunConfig(t, yml, 30*time.Second)
	for _, kind := range []string{"postgres", "sql", "migrations", "indexes"} {
		f := out.Result(t, "full_"+kind)
		assert.Equal(t, collector.ReasonUnavailable, f.Reason, "%s: %s", kind, f.Message)
		assert.Contains(t, f.Message, "too many connections")
		u := out.Result(t, "unknown_"+kind)
		assert.Equal(t, collector.ReasonAuth, u.Reason, "%s: %s", kind, u.Message)
	}
}
