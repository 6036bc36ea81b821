package backup

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pgBinDir finds the newest PostgreSQL server binaries (initdb, pg_ctl).
func pgBinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// cluster is a throwaway PostgreSQL cluster with pgBackRest archiving.
type cluster struct {
	t     *testing.T
	base  string
	conf  string
	asPG  bool
	pgBin string
	pgbr  string
}

// run runs a command as the postgres OS user when the test runs as root
// (initdb and the server refuse root).
func (c *cluster) run(name string, args ...string) string {
	c.t.Helper()
	if c.asPG {
		args = append([]string{"-u", "postgres", "--", name}, args...)
		name = "runuser"
	}
	// Generous: the machine may be loaded; pgBackRest waits for WAL.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	c.t.Logf("%s %s: %s", filepath.Base(name), strings.Join(args[len(args)-1:], " "), time.Since(start).Round(time.Millisecond))
	if err != nil {
		pglog, _ := os.ReadFile(filepath.Join(c.base, "log", "postgres.log"))
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
	bin := pgBinDir()
	if bin == "" {
		testutil.MissingTool(t, "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (initdb, pg_ctl)")
	}
	c := &cluster{t: t, pgBin: bin, pgbr: pgbr, asPG: os.Geteuid() == 0}
	c.base, err = os.MkdirTemp("", "golive-pgbr-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(c.base) })
	if c.asPG {
		u, err := user.Lookup("postgres")
		if err != nil {
			testutil.MissingTool(t, "running as root needs the postgres OS user (from the postgresql package) for initdb: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		require.NoError(t, os.Chown(c.base, uid, gid))
		defer func() {
			filepath.Walk(c.base, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, uid, gid) }) //nolint:errcheck
		}()
	}
	port := freePort(t)
	data := filepath.Join(c.base, "data")
	c.conf = filepath.Join(c.base, "pgbackrest.conf")
	for _, d := range []string{"repo", "log", "lock", "sock", "spool"} {
		require.NoError(t, os.Mkdir(filepath.Join(c.base, d), 0o750))
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
`, c.base, data, port)
	require.NoError(t, os.WriteFile(c.conf, []byte(conf), 0o640))
	// Hand everything to postgres before the tools run as that user.
	if c.asPG {
		u, _ := user.Lookup("postgres")
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		filepath.Walk(c.base, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, uid, gid) }) //nolint:errcheck
	}
	c.run(filepath.Join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "--no-instructions")
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
`, port, c.base, pgbr, c.conf)
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(extra)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	c.run(filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(c.base, "log", "postgres.log"), "-w", "-t", "30", "start")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		args := []string{filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"}
		if c.asPG {
			args = append([]string{"runuser", "-u", "postgres", "--"}, args...)
		}
		exec.CommandContext(ctx, args[0], args[1:]...).Run() //nolint:errcheck
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
	r, err := runPgBackRest(t, c.base, yml, time.Now())
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
		r, err := runRestore(t, c.base, fmt.Sprintf("- name: rv\n  background: true\n  interval: 1d\n  timeout: 30s\n  restore:\n    pgbackrest_verify:\n      stanza: demo\n      command: %s\n      config_file: %s\n", c.pgbr, c.conf))
		require.NoError(t, err)
		assert.Empty(t, failed(r), "%+v", r.Conditions())
		assert.Equal(t, 1.0, value(t, r, "golive_restore_step_success", "pgbackrest_verify"))
		assert.Equal(t, 1.0, value(t, r, "golive_restore_success"))
	})

	t.Run("repository path vanishes", func(t *testing.T) {
		require.NoError(t, os.Rename(filepath.Join(c.base, "repo"), filepath.Join(c.base, "repo.gone")))
		// pgBackRest (2.45 from Debian) reports it as stanza status 1
		// rather than exiting non-zero: the check fails on that status.
		r, err := runPgBackRest(t, c.base, yml, time.Now())
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"stanza status", "has a good backup", "newest backup age", "newest full backup age", "backups kept"}, failed(r))
		assert.Equal(t, "code 1: missing stanza path (repo1: missing stanza path)", cond(t, r, "stanza status").Observed)
		assert.Equal(t, 1.0, value(t, r, "golive_backup_status_code", "pgbackrest", "demo"))
	})
}
