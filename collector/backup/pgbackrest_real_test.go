package backup

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// cluster is a throwaway PostgreSQL cluster with pgBackRest archiving.
type cluster struct {
	*testutil.PGHome
	t    *testing.T
	conf string
	pgbr string
}

// run runs a command (a server binary or a path) as the cluster's owner.
func (c *cluster) run(name string, args ...string) string {
	c.t.Helper()
	// Generous: the machine may be loaded; pgBackRest waits for WAL.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	start := time.Now()
	out, err := c.CmdContext(ctx, name, args...).CombinedOutput()
	c.t.Logf("%s %s: %s", filepath.Base(name), strings.Join(args[len(args)-1:], " "), time.Since(start).Round(time.Millisecond))
	if err != nil {
		pglog, _ := os.ReadFile(filepath.Join(c.Dir, "log", "postgres.log"))
		c.t.Fatalf("%s %v: %v\n%s\npostgres log:\n%s", name, args, err, out, pglog)
	}
	return string(out)
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("the pgBackRest test starts its own PostgreSQL cluster; skipped with -short")
	}
	pgbr, err := exec.LookPath("pgbackrest")
	if err != nil {
		testutil.MissingTool(t, "pgbackrest is not installed: %v", err)
	}
	c := &cluster{t: t, PGHome: testutil.NewPGHome(t, "golive-pgbr-"), pgbr: pgbr}
	port := freePort(t)
	data := filepath.Join(c.Dir, "data")
	c.conf = filepath.Join(c.Dir, "pgbackrest.conf")
	for _, d := range []string{"repo", "log", "lock", "sock", "spool"} {
		require.NoError(t, os.Mkdir(filepath.Join(c.Dir, d), 0o750))
	}
	conf := fmt.Sprintf(`[global]
repo1-path=%[1]s/repo
repo1-retention-full=2
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=golive-test-only
log-path=%[1]s/log
lock-path=%[1]s/lock
spool-path=%[1]s/spool
log-level-console=warn
log-level-file=off
start-fast=y
compress-type=none

[demo]
pg1-path=%[2]s
pg1-port=%[3]d
pg1-socket-path=%[1]s/sock
`, c.Dir, data, port)
	require.NoError(t, os.WriteFile(c.conf, []byte(conf), 0o640))
	// Hand everything to the owner before the tools run as that user.
	c.Chown(t, c.Dir)
	c.run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "--no-instructions")
	extra := fmt.Sprintf(`
port = %d
listen_addresses = ''
unix_socket_directories = '%s/sock'
wal_level = replica
archive_mode = on
archive_command = '%s --config=%s --stanza=demo archive-push %%p'
max_wal_senders = 2
fsync = off
shared_buffers = 16MB
`, port, c.Dir, pgbr, c.conf)
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(extra)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	c.run("pg_ctl", "-D", data, "-l", filepath.Join(c.Dir, "log", "postgres.log"), "-w", "-t", "30", "start")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c.CmdContext(ctx, "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop").Run() //nolint:errcheck
	})
	return c
}

func TestPgBackRestReal(t *testing.T) {
	c := startCluster(t)
	c.run(c.pgbr, "--config="+c.conf, "--stanza=demo", "stanza-create")
	c.run(c.pgbr, "--config="+c.conf, "--stanza=demo", "--type=full", "backup")
	before := time.Now()

	yml := fmt.Sprintf(`
- name: pgbr
  timeout: 30s
  pgbackrest:
    command: %s
    config_file: %s
    stanza: demo
    max_age: 26h
    max_full_age: 7d
    min_count: 1
    require_encryption: true
`, c.pgbr, c.conf)
	r, err := runPgBackRest(t, c.Dir, yml, time.Now())
	require.NoError(t, err)
	assert.Empty(t, failed(r), "%+v", r.Conditions())
	assert.Equal(t, 0.0, value(t, r, "golive_backup_status_code", "pgbackrest", "demo"))
	assert.Equal(t, 1.0, value(t, r, "golive_backup_backups", "pgbackrest", "demo", "full"))
	assert.Equal(t, 0.0, value(t, r, "golive_backup_errored_backups", "pgbackrest", "demo", "full"))
	newest := value(t, r, "golive_backup_newest_timestamp_seconds", "pgbackrest", "demo", "full")
	assert.InDelta(t, float64(before.Unix()), newest, 120)
	assert.Greater(t, value(t, r, "golive_backup_newest_size_bytes", "pgbackrest", "demo", "full"), 1e6)
	assert.Greater(t, value(t, r, "golive_backup_newest_repo_size_bytes", "pgbackrest", "demo", "full"), 1e6)
	assert.Equal(t, 1.0, value(t, r, "golive_backup_repo_encrypted", "pgbackrest", "demo", "1"))
	assert.Equal(t, 1.0, value(t, r, "golive_backup_wal_archive_timeline", "pgbackrest", "demo", "max"))
	assert.Equal(t, 0.0, value(t, r, "golive_backup_lock_held", "pgbackrest", "demo", "backup"))
	assert.True(t, cond(t, r, "WAL archive").OK)

	t.Run("pgbackrest verify in the restore check", func(t *testing.T) {
		r, err := runRestore(t, c.Dir, fmt.Sprintf("- name: rv\n  background: true\n  interval: 1d\n  timeout: 30s\n  restore:\n    pgbackrest_verify:\n      stanza: demo\n      command: %s\n      config_file: %s\n", c.pgbr, c.conf))
		require.NoError(t, err)
		assert.Empty(t, failed(r), "%+v", r.Conditions())
		assert.Equal(t, 1.0, value(t, r, "golive_restore_step_success", "pgbackrest_verify"))
		assert.Equal(t, 1.0, value(t, r, "golive_restore_success"))
	})

	t.Run("repository path vanishes", func(t *testing.T) {
		require.NoError(t, os.Rename(filepath.Join(c.Dir, "repo"), filepath.Join(c.Dir, "repo.gone")))
		// pgBackRest (2.45 from Debian) reports it as stanza status 1
		// rather than exiting non-zero: the check fails on that status.
		r, err := runPgBackRest(t, c.Dir, yml, time.Now())
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"stanza status", "has a good backup", "newest backup age", "newest full backup age", "backups kept"}, failed(r))
		assert.Equal(t, "code 1: missing stanza path (repo1: missing stanza path)", cond(t, r, "stanza status").Observed)
		assert.Equal(t, 1.0, value(t, r, "golive_backup_status_code", "pgbackrest", "demo"))
	})
}
