package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const keptChecklistTSV = "id\tphase\tsection\tgroup\titem\tautomation\thow_it_is_verified\n" +
	"P1.1.02\tP1\tInfrastructure Verification\tDatabase Backup\tBackup tested and verified (restore successful)\tprobe\trestore verification\n" +
	"AX.2.04\tAX\tB. Rollback Plan (If Needed)\tB. Rollback Plan (If Needed)\tBackup data verified and accessible\tprobe\trestore verification of the newest backup succeeded\n"

// The false GO, as a user meets it: last night's restore test left
// its result in the state file; this morning's nightly `pg_dump | gzip`
// died half-way. `check` on go-live morning said GO from the kept result;
// it must say NO-GO, naming the newest dump.
func TestCheckKeptRestoreResultAndTruncatedNewerDump(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL and its tools")
	}
	for _, tool := range []string{"pg_dump", "psql", "gzip", "sh"} {
		testutil.Tool(t, tool)
	}
	src := testutil.CreateDatabase(t, "golive_cmd_kept_")
	execSQL(t, src, "CREATE TABLE students (id int PRIMARY KEY, name text NOT NULL);"+
		"INSERT INTO students SELECT g, 'student ' || g FROM generate_series(1, 500) g")
	dir := t.TempDir()
	dumps := filepath.Join(dir, "dumps")
	require.NoError(t, os.Mkdir(dumps, 0o700))
	// nightly runs the cron line of deploy/examples/backups/dumps.yml; cut
	// keeps only the first bytes of pg_dump's output, as a pg_dump that
	// died does in a pipe without pipefail.
	nightly := func(at time.Time, cut bool) string {
		name := "backup_" + src + "_" + at.UTC().Format("20060102_150405") + ".sql.gz"
		pipe := "pg_dump -h 127.0.0.1 -U postgres -d " + src
		if cut {
			pipe += " | head -c 4000"
		}
		out, err := exec.Command("sh", "-c", pipe+" | gzip > "+filepath.Join(dumps, name)).CombinedOutput()
		require.NoError(t, err, "%s", out)
		mtime := at.Add(time.Minute)
		require.NoError(t, os.Chtimes(filepath.Join(dumps, name), mtime, mtime))
		return name
	}
	nightly(time.Now().Add(-20*time.Hour), false)

	prefix := "gl_kept_" + strings.TrimPrefix(src, "golive_cmd_kept_")[:8] + "_"
	cfgPath := filepath.Join(dir, "golive.yml")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "checklist.tsv"), []byte(keptChecklistTSV), 0o600))
	require.NoError(t, os.WriteFile(cfgPath, []byte(fmt.Sprintf(`
checklist:
  file: checklist.tsv
postgres_targets:
  main: {dsn: "postgres://postgres@127.0.0.1:5432/%[1]s?sslmode=disable"}
  scratch: {dsn: "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"}
checks:
  - name: restore_test
    items: [P1.1.02, AX.2.04]
    background: true
    interval: 1d
    timeout: 2m
    restore:
      glob: dumps/backup_*.sql.gz
      name_pattern: backup_*_%%Y%%m%%d_%%H%%M%%S.sql.gz
      name_timezone: UTC
      target: scratch
      source_target: main
      scratch_prefix: %[2]s
      tables:
        - name: students
          min_rows: 100
      state_file: restore-state.json
`, src, prefix)), 0o600))

	check := func() (int, map[string]collector.Condition, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := run([]string{"--config.file", cfgPath, "check", "--output", "json", "--timeout", "2m"}, &stdout, &stderr)
		st, _ := statusStates(t, stdout.Bytes())
		conds := map[string]collector.Condition{}
		for _, r := range st.Checks {
			if r.Check == "restore_test" {
				for _, c := range r.Conditions {
					conds[c.Name] = c
				}
			}
		}
		return code, conds, st.Verdict + "\n" + stderr.String()
	}

	// Last night: a real restore, kept in the state file.
	code, conds, out := check()
	require.Equal(t, exitOK, code, "GO after a real restore: %s", out)
	require.True(t, conds["restore"].OK, "%+v", conds)
	assertNoScratchDatabases(t, prefix)

	// This morning's dump died half-way.
	newest := nightly(time.Now().Add(-time.Hour), true)
	code, conds, out = check()
	assert.Equal(t, exitNotReady, code, "a truncated newest dump behind a kept restore result is NO-GO: %s", out)
	c, ok := conds["newest dump readable"]
	require.True(t, ok, "%+v", conds)
	assert.False(t, c.OK)
	assert.Contains(t, c.Observed, newest)
	assertNoScratchDatabases(t, prefix)
}
