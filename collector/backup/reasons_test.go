package backup

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every too-old backup figure is stale, as in every kind (a test report
// past max_age is stale too): the newest dump, the newest pgBackRest and
// WAL-G backup, the restore job's result.
func TestBackupAgeIsStale(t *testing.T) {
	dir := t.TempDir()
	dumps := filepath.Join(dir, "dumps")
	require.NoError(t, os.MkdirAll(dumps, 0o700))
	dump := filepath.Join(dumps, "backup_sms.sql")
	require.NoError(t, os.WriteFile(dump, []byte(strings.Repeat("-- dump\n", 200)+"-- PostgreSQL database dump complete\n"), 0o600))
	old := time.Now().Add(-72 * time.Hour)
	require.NoError(t, os.Chtimes(dump, old, old))
	marker := filepath.Join(dir, "restore.json")
	require.NoError(t, os.WriteFile(marker, []byte(fmt.Sprintf(`{"status":"success","finished_at":%q,"duration_seconds":42,"rows_checked":1200}`, old.UTC().Format(time.RFC3339))), 0o600))
	pgbr := filepath.Join(dir, "pgbackrest.json")
	// The corpus' backup of 2018, made a good one: only its age fails.
	good := strings.Replace(string(corpus(t, "pgbackrest-info-backup-set-detail.json")), `"error":true`, `"error":false`, 1)
	require.NoError(t, os.WriteFile(pgbr, []byte(good), 0o600))
	walg := filepath.Join(dir, "walg.json")
	require.NoError(t, os.WriteFile(walg, corpus(t, "walg-backup-list-detail.json"), 0o600))

	out := collectortest.RunConfig(t, fmt.Sprintf(`checks:
  - {name: dumps, dump_folder: {glob: %q, max_age: 26h}}
  - {name: marker, restore_result: {file: %q, max_age: 26h}}
  - {name: pgbackrest, pgbackrest: {file: %q, max_age: 26h}}
  - {name: walg, walg: {file: %q, max_age: 26h}}
`, filepath.Join(dumps, "backup_*.sql"), marker, pgbr, walg), 20*time.Second)
	for _, name := range []string{"dumps", "marker", "pgbackrest", "walg"} {
		res := out.Result(t, name)
		assert.Equal(t, collector.StatusFail, res.Status, name)
		assert.Equal(t, collector.ReasonStale, res.Reason, "%s: %s", name, res.Message)
		assert.Contains(t, res.Message, "old")
	}
}

// A backup tool that fails because the database refused its login, has
// too many clients or a certificate problem says so in its output: the
// check fails with auth, unavailable or tls, not command_failed.
func TestBackupCommandOutputReasons(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		stderr string
		want   collector.Reason
	}{
		{`ERROR: [028]: unable to connect to 'dbname='postgres' port=5432': connection to server on socket "/run/postgresql/.s.PGSQL.5432" failed: FATAL:  password authentication failed for user "pgbackrest"`, collector.ReasonAuth},
		{`ERROR: [028]: unable to connect to 'dbname='postgres' port=5432': connection to server on socket "/run/postgresql/.s.PGSQL.5432" failed: FATAL:  sorry, too many clients already`, collector.ReasonUnavailable},
		{`ERROR: [039]: HTTP request failed with 403 (Forbidden): AccessDenied`, collector.ReasonAuth},
		{`ERROR: [095]: unable to load info file '/var/lib/pgbackrest/backup/main/backup.info' or '/var/lib/pgbackrest/backup/main/backup.info.copy'`, collector.ReasonCommandFailed},
	} {
		script := writeScript(t, dir, "pgbackrest-"+string(tc.want), "#!/bin/sh\necho '"+strings.ReplaceAll(tc.stderr, "'", `'"'"'`)+"' >&2\nexit 28\n")
		c, env := loadCheck(t, dir, "- name: pgbr\n  pgbackrest:\n    command: "+script+"\n")
		chk, err := newPgBackRest(c, env)
		require.NoError(t, err)
		_, err = collectortest.RunCheck(t, chk)
		require.Error(t, err)
		assert.Equal(t, tc.want, collector.ReasonOf(err), err.Error())
	}
}

// The restore test logs in to the scratch server: a refused login is auth
// and a server with no room for the role is unavailable, as in the
// postgres kinds.
func TestRestoreLoginReasons(t *testing.T) {
	needTools(t, "psql")
	admin := adminConn(t)
	full := "golive_bk_full_" + randSuffix(t)
	_, err := admin.Exec(t.Context(), "CREATE ROLE "+full+" LOGIN CREATEDB CONNECTION LIMIT 0")
	require.NoError(t, err)
	t.Cleanup(func() { admin.Exec(t.Context(), "DROP ROLE IF EXISTS "+full) }) //nolint:errcheck
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "dumps"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dumps", "backup_sms.sql"), []byte(strings.Repeat("-- dump\n", 200)+"-- PostgreSQL database dump complete\n"), 0o600))
	for role, want := range map[string]collector.Reason{"golive_bk_nobody_" + randSuffix(t): collector.ReasonAuth, full: collector.ReasonUnavailable} {
		yml := fmt.Sprintf("- name: restore_test\n  background: true\n  interval: 1d\n  timeout: 50s\n  restore:\n    glob: dumps/*.sql\n    dsn: postgres://%s@127.0.0.1:5432/postgres?sslmode=disable\n    scratch_prefix: golive_bk_r_%s_\n", role, randSuffix(t))
		_, err := runRestore(t, dir, yml)
		require.Error(t, err, role)
		assert.Equal(t, want, collector.ReasonOf(err), err.Error())
	}
}

// pgBackRest's file: mode names the file it read and says what is wrong
// with it in the words the other parsers use: truncated, binary.
func TestPgBackRestFileMessages(t *testing.T) {
	dir := t.TempDir()
	whole := corpus(t, "pgbackrest-info-backup-set-detail.json")
	for _, tc := range []struct {
		name string
		body []byte
		want string
	}{
		{"truncated", whole[:len(whole)/2], "is truncated: the JSON ends early; was it written completely?"},
		{"binary", append([]byte{0x1f, 0x8b, 0x08, 0x00}, whole[:64]...), "is binary (NUL bytes), not pgbackrest info --output=json"},
		{"empty", nil, "is empty; expected a JSON array of stanzas"},
		{"text", []byte("stanza: main\n    status: ok\n"), `is not a JSON array (starts with "stanza: main"); write it with pgbackrest info --output=json`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".json")
			require.NoError(t, os.WriteFile(path, tc.body, 0o600))
			c, env := loadCheck(t, dir, "- name: pgbr\n  pgbackrest:\n    file: "+path+"\n")
			chk, err := newPgBackRest(c, env)
			require.NoError(t, err)
			_, err = collectortest.RunCheck(t, chk)
			require.Error(t, err)
			assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err))
			assert.Contains(t, err.Error(), "pgbackrest info file "+path+" "+tc.want)
		})
	}
}
