package database

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// privateCluster starts a PostgreSQL cluster of the test's own, for what the
// shared server cannot be changed to show: pg_stat_statements loaded, WAL
// archiving on (with an archive_command that fails) and data checksums. It
// requires a password over TCP (scram-sha-256). It returns the DSN of its
// postgres database, without the password, and the password.
func privateCluster(t *testing.T) (string, string) {
	t.Helper()
	needServer(t)
	out, err := exec.Command("pg_config", "--bindir").Output()
	if err != nil {
		t.Skip("pg_config is not on PATH (PostgreSQL server binaries needed)")
	}
	bin := strings.TrimSpace(string(out))
	if _, err := os.Stat(filepath.Join(bin, "initdb")); err != nil {
		t.Skip("initdb is not installed")
	}
	dir, err := os.MkdirTemp("", "golive-pgcluster-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		// initdb refuses to run as root: run the cluster as postgres.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root and there is no postgres user to run a cluster as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		require.NoError(t, os.Chown(dir, uid, gid))
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	command := func(name string, args ...string) *exec.Cmd {
		c := exec.Command(filepath.Join(bin, name), args...)
		c.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		c.Dir = dir
		return c
	}
	data := filepath.Join(dir, "data")
	password := randomName("pw-")
	pwfile := filepath.Join(dir, "pwfile")
	require.NoError(t, os.WriteFile(pwfile, []byte(password+"\n"), 0o644))
	if out, err := command("initdb", "-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
		"--pwfile", pwfile, "--data-checksums", "-E", "UTF8").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var logs bytes.Buffer
	srv := command("postgres", "-D", data, "-p", fmt.Sprint(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "shared_preload_libraries=pg_stat_statements",
		"-c", "wal_level=replica", "-c", "archive_mode=on", "-c", "archive_command=/bin/false",
		"-c", "fsync=off", "-c", "shared_buffers=16MB", "-c", "max_connections=20")
	srv.Stdout, srv.Stderr = &logs, &logs
	require.NoError(t, srv.Start())
	t.Cleanup(func() {
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
	dsn := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	for range 300 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := pgx.Connect(ctx, strings.Replace(dsn, "postgres@", "postgres:"+password+"@", 1))
		cancel()
		if err == nil {
			c.Close(context.Background())
			return dsn, password
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("private cluster did not start:\n%s", logs.String())
	return "", ""
}

// With pg_stat_statements loaded, archiving failing and checksums on, the
// figures the shared server cannot show are read and judged.
func TestPrivateClusterFigures(t *testing.T) {
	dsn, password := privateCluster(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, strings.Replace(dsn, "postgres@", "postgres:"+password+"@", 1))
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
	out := runConfig(t, fmt.Sprintf(`postgres_targets:
  db: {dsn: "%[1]s", password_file: %[2]s}
  wrong: {dsn: "%[1]s", password_env: GOLIVE_TEST_WRONG_PW}
checks:
  - name: wrong
    sql: {target: wrong, query: "SELECT 1"}
  - name: pg
    postgres: {target: db, require_archiving: true}
  - name: idx
    postgres_indexes: {target: db, max_slow_statements: 0}
  - name: idx_warn
    postgres_indexes: {target: db, slow_statement_mean: 10s}
`, dsn, pwFile), 30*time.Second)
	wrong := out.result(t, "wrong")
	assert.Equal(t, collector.ReasonAuth, wrong.Reason, wrong.Message)
	assert.Contains(t, wrong.Message, "password authentication failed")
	for _, text := range []string{wrong.Message, out.metrics, out.logs, out.config} {
		assert.NotContains(t, text, password)
	}
	pg := out.result(t, "pg")
	assert.False(t, pg.Success())
	assert.Contains(t, pg.Message, "WAL archiving healthy: observed last failure")
	for _, want := range []string{
		`golive_postgres_archive_mode_enabled{check="pg"} 1`,
		`golive_postgres_archiver_last_failed_timestamp_seconds{check="pg"}`,
		`golive_postgres_data_checksums_enabled{check="pg"} 1`,
		`golive_postgres_checksum_failures_total{check="pg"} 0`,
		`golive_postgres_slow_statements{check="idx"} 1`,
		`golive_postgres_slowest_statement_mean_seconds{check="idx"} 0.6`,
		`golive_postgres_slow_statements{check="idx_warn"} 0`,
	} {
		assert.True(t, metricLine(out.metrics, want), "missing %s in\n%s", want, out.metrics)
	}
	assert.False(t, metricLine(out.metrics, `golive_postgres_figure_unavailable{check="idx"`), out.metrics)
	idx := out.result(t, "idx")
	assert.False(t, idx.Success())
	assert.Contains(t, idx.Message, "slow statements: observed 1")
	assert.True(t, out.result(t, "idx_warn").Success(), out.result(t, "idx_warn").Message)
}
