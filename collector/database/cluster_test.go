package database

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cluster is a PostgreSQL cluster of the test's own.
type cluster struct {
	*testutil.PGHome
	t        *testing.T
	dsn      string // postgres database, without the password
	password string
	settings []string
	stops    []func()
}

// withPassword returns dsn with the cluster's password in it.
func (c *cluster) withPassword(dsn string) string {
	return strings.Replace(dsn, "postgres@", "postgres:"+c.password+"@", 1)
}

// start runs postgres on data and a free port until the test ends (or
// stop), and returns the DSN of its postgres database (without the
// password).
func (c *cluster) start(data string, settings ...string) string {
	t := c.t
	addr := testutil.FreeAddr(t)
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	args := []string{"-D", data, "-p", port, "-k", c.Dir, "-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "shared_buffers=16MB", "-c", "max_connections=20"}
	for _, s := range settings {
		args = append(args, "-c", s)
	}
	var logs bytes.Buffer
	srv := c.Cmd("postgres", args...)
	srv.Stdout, srv.Stderr = &logs, &logs
	require.NoError(t, srv.Start())
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = srv.Process.Signal(syscall.SIGINT) // fast shutdown
			done := make(chan struct{})
			go func() { _ = srv.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				_ = srv.Process.Kill()
				<-done
			}
		})
	}
	t.Cleanup(stop)
	c.stops = append(c.stops, stop)
	dsn := fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable", addr)
	for range 300 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, c.withPassword(dsn))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return dsn
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("postgres did not start:\n%s", logs.String())
	return ""
}

// stopAll stops every server the cluster started.
func (c *cluster) stopAll() {
	for _, stop := range c.stops {
		stop()
	}
}

// privateCluster starts a PostgreSQL cluster of the test's own, for what the
// shared server cannot be changed to show: pg_stat_statements loaded, WAL
// archiving on (with an archive_command that fails until the test repairs
// it), data checksums, and a password required over TCP (scram-sha-256).
func privateCluster(t *testing.T) *cluster {
	t.Helper()
	needServer(t)
	c := &cluster{t: t, PGHome: testutil.NewPGHome(t, "golive-pgcluster-")}
	data := filepath.Join(c.Dir, "data")
	c.password = testutil.RandomName("pw-")
	pwfile := filepath.Join(c.Dir, "pwfile")
	require.NoError(t, os.WriteFile(pwfile, []byte(c.password+"\n"), 0o644))
	if out, err := c.Cmd("initdb", "-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
		"--pwfile", pwfile, "--data-checksums", "-E", "UTF8").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	// Archiving fails until the test creates archive_ok: an archive
	// destination that is missing, then repaired.
	c.settings = []string{"shared_preload_libraries=pg_stat_statements", "wal_level=replica",
		"archive_mode=on", "archive_command=test -f " + filepath.Join(c.Dir, "archive_ok")}
	c.dsn = c.start(data, c.settings...)
	return c
}

// With pg_stat_statements loaded, archiving failing and checksums on, the
// figures the shared server cannot show are read and judged.
func TestPrivateClusterFigures(t *testing.T) {
	c := privateCluster(t)
	dsn, password := c.dsn, c.password
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.withPassword(dsn))
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, s := range []string{
		"CREATE EXTENSION pg_stat_statements",
		"SELECT pg_sleep(0.6)",
		"CREATE TABLE wal_filler AS SELECT generate_series(1, 1000) g",
		"SELECT pg_switch_wal()",
	} {
		_, err := conn.Exec(ctx, s)
		require.NoError(t, err, s)
	}
	// Wait for the archiver to try, and fail, to archive the switched file.
	var failed int64
	for range 200 {
		require.NoError(t, conn.QueryRow(ctx, "SELECT failed_count FROM pg_stat_archiver").Scan(&failed))
		if failed > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.Positive(t, failed, "the archiver never failed")

	pwFile := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(pwFile, []byte(password+"\n"), 0o600))
	t.Setenv("GOLIVE_TEST_WRONG_PW", "Wrong-"+password)
	t.Setenv("GOLIVE_TEST_GOOD_PW", password)
	// wrong uses the deprecated password_env (still read), ref the
	// password_ref that replaces it: the cluster checks passwords (scram).
	out := collectortest.RunConfig(t, fmt.Sprintf(`postgres_targets:
  db: {dsn: "%[1]s", password_file: %[2]s}
  wrong: {dsn: "%[1]s", password_env: GOLIVE_TEST_WRONG_PW}
  ref: {dsn: "%[1]s", password_ref: GOLIVE_TEST_GOOD_PW}
  wrongref: {dsn: "%[1]s", password_ref: GOLIVE_TEST_WRONG_PW}
checks:
  - name: wrong
    postgres: {target: wrong}
  - name: wrongref
    postgres_indexes: {target: wrongref, slow_statement_mean: 10s}
  - name: ref
    postgres_indexes: {target: ref, slow_statement_mean: 10s}
  - name: pg
    postgres: {target: db, require_archiving: true, max_archive_age: 1h}
  - name: idx
    postgres_indexes: {target: db, max_slow_statements: 0}
  - name: idx_warn
    postgres_indexes: {target: db, slow_statement_mean: 10s}
`, dsn, pwFile), 30*time.Second)
	wrong := out.Result(t, "wrong")
	assert.Equal(t, collector.ReasonAuth, wrong.Reason, wrong.Message)
	assert.Contains(t, wrong.Message, "password authentication failed")
	assert.Equal(t, collector.ReasonAuth, out.Result(t, "wrongref").Reason, out.Result(t, "wrongref").Message)
	assert.True(t, out.Result(t, "ref").Success(), out.Result(t, "ref").Message)
	for _, text := range []string{wrong.Message, out.Metrics, out.Logs, out.Config} {
		assert.NotContains(t, text, password)
	}
	pg := out.Result(t, "pg")
	assert.False(t, pg.Success())
	assert.Contains(t, pg.Message, "WAL archiving healthy: observed last failure")
	failedConds := map[string]bool{}
	for _, cond := range pg.Conditions {
		if !cond.OK {
			failedConds[cond.Name] = true
		}
		if cond.Name == "WAL archived recently" {
			assert.Equal(t, collector.ReasonStale, cond.Reason, "a too-old figure is stale")
		}
	}
	assert.Equal(t, map[string]bool{"WAL archiving healthy": true, "WAL archived recently": true}, failedConds)
	for _, want := range []string{
		`golive_postgres_archive_mode_enabled{check="pg"} 1`,
		`golive_postgres_archiver_last_failed_timestamp_seconds{check="pg"}`,
		`golive_postgres_data_checksums_enabled{check="pg"} 1`,
		`golive_postgres_checksum_failures_total{check="pg"} 0`,
		`golive_postgres_slow_statements{check="idx_warn"} 0`,
	} {
		assert.True(t, out.HasLine(want), "missing %s in\n%s", want, out.Metrics)
	}
	assert.False(t, out.HasLine(`golive_postgres_figure_unavailable{check="idx"`), out.Metrics)
	idx := out.Result(t, "idx")
	assert.False(t, idx.Success())
	assert.Contains(t, idx.Message, "slow statements: observed")
	// pg_sleep(0.6) at least; on a loaded machine other statements may be
	// slow too.
	assert.GreaterOrEqual(t, out.Value(t, `golive_postgres_slow_statements{check="idx"}`), 1.0)
	assert.GreaterOrEqual(t, out.Value(t, `golive_postgres_slowest_statement_mean_seconds{check="idx"}`), 0.6)
	assert.True(t, out.Result(t, "idx_warn").Success(), out.Result(t, "idx_warn").Message)

	// Archiving repaired: the archiver retries the failed file and succeeds,
	// so the last success is newer than the last failure and recent.
	require.NoError(t, os.WriteFile(filepath.Join(c.Dir, "archive_ok"), nil, 0o644))
	var healed bool
	for i := range 600 {
		// The archiver gave up retrying until woken: a newly finished
		// segment wakes it (again each second, should it miss one).
		if i%20 == 0 {
			_, err := conn.Exec(ctx, "INSERT INTO wal_filler VALUES (0); SELECT pg_switch_wal()")
			require.NoError(t, err)
		}
		require.NoError(t, conn.QueryRow(ctx, "SELECT coalesce(last_archived_time >= last_failed_time, false) FROM pg_stat_archiver").Scan(&healed))
		if healed {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.True(t, healed, "the archiver never succeeded after the repair")
	out = collectortest.RunConfig(t, fmt.Sprintf("postgres_targets:\n  db: {dsn: %q, password_file: %s}\nchecks:\n  - name: pg\n    postgres: {target: db, require_archiving: true, max_archive_age: 1h}\n", dsn, pwFile), 30*time.Second)
	pg = out.Result(t, "pg")
	assert.True(t, pg.Success(), pg.Message)
	assert.True(t, out.HasLine(`golive_postgres_archiver_last_archived_timestamp_seconds{check="pg"}`), out.Metrics)
	assert.GreaterOrEqual(t, out.Value(t, `golive_postgres_archiver_archived_total{check="pg"}`), 1.0)
}

// A streaming replica: in recovery, role replica, replication lag read.
func TestPrivateClusterReplica(t *testing.T) {
	c := privateCluster(t)
	u, err := url.Parse(c.dsn)
	require.NoError(t, err)
	replica := filepath.Join(c.Dir, "replica")
	conninfo := fmt.Sprintf("host=127.0.0.1 port=%s user=postgres password=%s", u.Port(), c.password)
	if out, err := c.Cmd("pg_basebackup", "-d", conninfo, "-D", replica, "-R", "-X", "stream").CombinedOutput(); err != nil {
		t.Fatalf("pg_basebackup: %v\n%s", err, out)
	}
	dsn := c.start(replica, "archive_mode=off", "hot_standby=on")
	pwFile := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(pwFile, []byte(c.password), 0o600))
	out := collectortest.RunConfig(t, fmt.Sprintf(`postgres_targets:
  replica: {dsn: "%s", password_file: %s}
checks:
  - name: replica
    postgres: {target: replica, expect_role: replica, max_replication_lag: 1h}
  - name: primary_expected
    postgres: {target: replica, expect_role: primary}
`, dsn, pwFile), 30*time.Second)
	res := out.Result(t, "replica")
	assert.True(t, res.Success(), res.Message)
	assert.True(t, out.HasLine(`golive_postgres_in_recovery{check="replica"} 1`), out.Metrics)
	assert.True(t, out.HasLine(`golive_postgres_replication_lag_seconds{check="replica"}`), out.Metrics)
	wrong := out.Result(t, "primary_expected")
	assert.False(t, wrong.Success())
	assert.Contains(t, wrong.Message, "role: observed replica, expected primary")

	// Lagging: replay paused on the replica while the primary commits. The
	// lag is the age of the newest replayed transaction, so it grows until
	// it passes max_replication_lag and the check fails; resumed, the
	// replica catches up and the check passes again.
	ctx := context.Background()
	primary, err := pgx.Connect(ctx, c.withPassword(c.dsn))
	require.NoError(t, err)
	defer primary.Close(ctx)
	standby, err := pgx.Connect(ctx, c.withPassword(dsn))
	require.NoError(t, err)
	defer standby.Close(ctx)
	_, err = primary.Exec(ctx, "CREATE TABLE lag_probe (id int); INSERT INTO lag_probe VALUES (1)")
	require.NoError(t, err)
	waitFor(t, standby, "the first row replayed", "SELECT count(*) = 1 FROM lag_probe")
	_, err = standby.Exec(ctx, "SELECT pg_wal_replay_pause()")
	require.NoError(t, err)
	waitFor(t, standby, "replay paused", "SELECT pg_get_wal_replay_pause_state() = 'paused'")
	_, err = primary.Exec(ctx, "INSERT INTO lag_probe VALUES (2)")
	require.NoError(t, err)
	waitFor(t, standby, "WAL received and not replayed", "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()")
	lagYML := fmt.Sprintf(`postgres_targets:
  replica: {dsn: "%s", password_file: %s}
checks:
  - name: lag
    postgres: {target: replica, expect_role: replica, max_replication_lag: 1s}
`, dsn, pwFile)
	var lagging collector.Result
	for range 100 {
		out = collectortest.RunConfig(t, lagYML, 30*time.Second)
		if lagging = out.Result(t, "lag"); !lagging.Success() {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.False(t, lagging.Success(), "the paused replica never reported lag")
	assert.Equal(t, collector.ReasonConditionFailed, lagging.Reason, lagging.Message)
	assert.Contains(t, lagging.Message, "replication lag: observed")
	assert.Contains(t, lagging.Message, "expected <= 1s")
	assert.Greater(t, out.Value(t, `golive_postgres_replication_lag_seconds{check="lag"}`), 1.0)

	_, err = standby.Exec(ctx, "SELECT pg_wal_replay_resume()")
	require.NoError(t, err)
	waitFor(t, standby, "the second row replayed", "SELECT count(*) = 2 FROM lag_probe")
	waitFor(t, standby, "replay caught up", "SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()")
	out = collectortest.RunConfig(t, lagYML, 30*time.Second)
	caughtUp := out.Result(t, "lag")
	assert.True(t, caughtUp.Success(), caughtUp.Message)
	assert.True(t, out.HasLine(`golive_postgres_replication_lag_seconds{check="lag"} 0`), out.Metrics)

	// A replica that holds back every commit (recovery_min_apply_delay) has
	// received WAL but replayed no transaction since it started: its lag is
	// unknown, reported unavailable and warned about, never a 0.
	delayed := filepath.Join(c.Dir, "delayed")
	if out, err := c.Cmd("pg_basebackup", "-d", conninfo, "-D", delayed, "-R", "-X", "stream").CombinedOutput(); err != nil {
		t.Fatalf("pg_basebackup: %v\n%s", err, out)
	}
	delayedDSN := c.start(delayed, "archive_mode=off", "hot_standby=on", "recovery_min_apply_delay=1h")
	held, err := pgx.Connect(ctx, c.withPassword(delayedDSN))
	require.NoError(t, err)
	defer held.Close(ctx)
	_, err = primary.Exec(ctx, "INSERT INTO lag_probe VALUES (3)")
	require.NoError(t, err)
	waitFor(t, held, "WAL received and held back", "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn() AND pg_last_xact_replay_timestamp() IS NULL")
	out = collectortest.RunConfig(t, fmt.Sprintf("postgres_targets:\n  held: {dsn: %q, password_file: %s}\nchecks:\n  - name: held\n    postgres: {target: held, max_replication_lag: 1s}\n", delayedDSN, pwFile), 30*time.Second)
	res = out.Result(t, "held")
	assert.Equal(t, collector.StatusWarn, res.Status, res.Message)
	assert.Contains(t, res.Message, "replication lag: observed unknown")
	assert.True(t, out.HasLine(`golive_postgres_figure_unavailable{check="held",figure="replication_lag"} 1`), out.Metrics)
	assert.False(t, out.HasLine(`golive_postgres_replication_lag_seconds{check="held"}`), out.Metrics)
}

// waitFor polls a boolean query until it is true (for up to about 20 s).
func waitFor(t *testing.T, conn *pgx.Conn, what, query string) {
	t.Helper()
	for range 400 {
		var ok bool
		err := conn.QueryRow(context.Background(), query).Scan(&ok)
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("gave up waiting for %s (%s)", what, query)
}

// Data corruption: a damaged page of a checksummed cluster is counted in
// pg_stat_database.checksum_failures and fails the check.
func TestPrivateClusterChecksumFailure(t *testing.T) {
	c := privateCluster(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.withPassword(c.dsn))
	require.NoError(t, err)
	var rel string
	for _, s := range []string{
		"CREATE TABLE corrupt_me AS SELECT g AS id, repeat('x', 50) AS filler FROM generate_series(1, 100) g",
		"CHECKPOINT",
	} {
		_, err := conn.Exec(ctx, s)
		require.NoError(t, err, s)
	}
	require.NoError(t, conn.QueryRow(ctx, "SELECT pg_relation_filepath('corrupt_me')").Scan(&rel))
	conn.Close(ctx)
	c.stopAll()
	// Damage tuple data in the first page, then start again so the page is
	// read from disk.
	f, err := os.OpenFile(filepath.Join(c.Dir, "data", rel), os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt(bytes.Repeat([]byte{0xAB}, 64), 7000)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	dsn := c.start(filepath.Join(c.Dir, "data"), "archive_mode=off")
	conn, err = pgx.Connect(ctx, c.withPassword(dsn))
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "SELECT count(*) FROM corrupt_me")
	require.ErrorContains(t, err, "invalid page")
	// The failure reaches pg_stat_database when the backend reports its
	// statistics.
	_, _ = conn.Exec(ctx, "SELECT pg_stat_force_next_flush()")
	pwFile := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(pwFile, []byte(c.password), 0o600))
	yml := fmt.Sprintf("postgres_targets:\n  db: {dsn: %q, password_file: %s}\nchecks:\n  - name: pg\n    postgres: {target: db}\n", dsn, pwFile)
	var out collectortest.Run
	for range 100 {
		out = collectortest.RunConfig(t, yml, 30*time.Second)
		if !out.Result(t, "pg").Success() {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	res := out.Result(t, "pg")
	require.False(t, res.Success(), "checksum failure never reported")
	assert.Contains(t, res.Message, "checksum failures: observed 1, expected 0")
	assert.True(t, out.HasLine(`golive_postgres_checksum_failures_total{check="pg"} 1`), out.Metrics)
}

// TLS settings against a server with a certificate of the test's CA:
// verify-full with sslrootcert passes, a client certificate (sslcert,
// sslkey) authenticates a role that pg_hba admits only by certificate, and
// a wrong CA or a missing client certificate fails with its reason.
func TestPrivateClusterTLS(t *testing.T) {
	c := privateCluster(t)
	certUser := testutil.RandomName("golive_cert_")
	pki := testutil.WritePKI(t, c.Dir, certUser)
	// PostgreSQL reads its key only when its own user owns it.
	c.Chown(t, pki.CA, pki.ServerCert, pki.ServerKey)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.withPassword(c.dsn))
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "CREATE ROLE "+certUser+" LOGIN")
	require.NoError(t, err)
	// A least-privilege role with a password, for verify-full.
	pwUser := testutil.RandomName("golive_pw_")
	_, err = conn.Exec(ctx, "CREATE ROLE "+pwUser+" LOGIN PASSWORD '"+c.password+"'")
	require.NoError(t, err)
	conn.Close(ctx)
	data := filepath.Join(c.Dir, "data")
	hba, err := os.ReadFile(filepath.Join(data, "pg_hba.conf"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(data, "pg_hba.conf"),
		append([]byte("hostssl all "+certUser+" 127.0.0.1/32 cert\n"), hba...), 0o600))
	c.stopAll()
	dsn := c.start(data, append(append([]string(nil), c.settings...), "archive_mode=off", "ssl=on",
		"ssl_cert_file="+pki.ServerCert, "ssl_key_file="+pki.ServerKey, "ssl_ca_file="+pki.CA)...)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	pwFile := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(pwFile, []byte(c.password), 0o600))
	certDSN := fmt.Sprintf("postgres://%s@127.0.0.1:%s/postgres", certUser, u.Port())
	pwDSN := fmt.Sprintf("postgres://%s@127.0.0.1:%s/postgres", pwUser, u.Port())
	const onTLS = `"SELECT ssl::int FROM pg_stat_ssl WHERE pid = pg_backend_pid()", equals: 1`
	out := collectortest.RunConfig(t, fmt.Sprintf(`postgres_targets:
  verify: {dsn: %[1]q, password_file: %[2]s, sslmode: verify-full, sslrootcert: %[3]s}
  mtls: {dsn: %[4]q, sslmode: verify-full, sslrootcert: %[3]s, sslcert: %[5]s, sslkey: %[6]s}
  wrong_ca: {dsn: %[1]q, password_file: %[2]s, sslmode: verify-full, sslrootcert: %[7]s}
  no_client_cert: {dsn: %[4]q, sslmode: verify-full, sslrootcert: %[3]s}
checks:
  - {name: verify, sql: {target: verify, query: %[8]s}}
  - {name: mtls, sql: {target: mtls, query: %[8]s}}
  - {name: mtls_health, postgres: {target: mtls}}
  - {name: wrong_ca, postgres: {target: wrong_ca}}
  - {name: no_client_cert, postgres: {target: no_client_cert}}
`, pwDSN, pwFile, pki.CA, certDSN, pki.ClientCert, pki.ClientKey, writeSelfSigned(t), onTLS), 30*time.Second)
	for _, name := range []string{"verify", "mtls", "mtls_health"} {
		res := out.Result(t, name)
		assert.True(t, res.Success(), "%s: %s: %s", name, res.Reason, res.Message)
	}
	wrong := out.Result(t, "wrong_ca")
	assert.False(t, wrong.Success())
	assert.Equal(t, collector.ReasonTLS, wrong.Reason, wrong.Message)
	noCert := out.Result(t, "no_client_cert")
	assert.False(t, noCert.Success())
	assert.Equal(t, collector.ReasonAuth, noCert.Reason, noCert.Message)
	assert.NotContains(t, out.Metrics+out.Logs+wrong.Message, c.password)
}
