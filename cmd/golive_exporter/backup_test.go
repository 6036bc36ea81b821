package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The backup issue's "done when": a user points the exporter at a folder of
// real pg_dump files; `check` shows backup age and a real restore into a
// scratch database with row counts against the source, and /metrics of the
// daemon shows the same, read back from the restore's state file after
// the restart in between.
func TestBackupDumpFolderAndRestoreEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL and its tools")
	}
	for _, tool := range []string{"pg_dump", "pg_restore", "psql"} {
		testutil.Tool(t, tool)
	}
	src := exampleDB(t)
	dir := t.TempDir()
	dumps := filepath.Join(dir, "dumps")
	require.NoError(t, os.Mkdir(dumps, 0o700))
	dumpAt := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second)
	dumpFile := filepath.Join(dumps, "backup_sms_"+dumpAt.Format("20060102_150405")+".dump")
	out, err := exec.Command("pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-d", src, "-Fc", "-f", dumpFile).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.NoError(t, os.Chmod(dumpFile, 0o600))

	prefix := "gl_e2e_" + strings.TrimPrefix(src, "golive_cmd_example_")[:8] + "_"
	cfgPath := filepath.Join(dir, "golive.yml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(fmt.Sprintf(`
postgres_targets:
  main: {dsn: "postgres://postgres@127.0.0.1:5432/%[1]s?sslmode=disable"}
  scratch: {dsn: "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"}
checks:
  - name: nightly_dumps
    items: [P1.1.01, P1.1.04, P5.1.03]
    dump_folder:
      glob: dumps/backup_*.dump
      name_pattern: backup_*_%%Y%%m%%d_%%H%%M%%S.dump
      name_timezone: UTC
      min_size: 1KiB
      max_age: 26h
  - name: restore_test
    items: [P1.1.02, P2.3.02, P2.3.04, AX.2.04]
    background: true
    interval: 1d
    timeout: 2m
    restore:
      glob: dumps/backup_*.dump
      target: scratch
      source_target: main
      scratch_prefix: %[2]s
      source_min_ratio: 1
      tables:
        - name: students
          min_rows: 100
        - name: courses
      max_duration: 2m
      state_file: restore-state.json
`, src, prefix)), 0o600))

	var stdout, stderr bytes.Buffer
	run([]string{"--config.file", cfgPath, "check", "--output", "json", "--timeout", "2m"}, &stdout, &stderr)
	st, states := statusStates(t, stdout.Bytes())
	for _, id := range []string{"P1.1.01", "P1.1.04", "P5.1.03", "P1.1.02", "P2.3.02", "P2.3.04", "AX.2.04"} {
		assert.Equal(t, "pass", states[id], "%s\n%s", id, stderr.String())
	}
	var restore *collector.Result
	for i := range st.Checks {
		if st.Checks[i].Check == "restore_test" {
			restore = &st.Checks[i]
		}
	}
	require.NotNil(t, restore)
	conds := map[string]collector.Condition{}
	for _, c := range restore.Conditions {
		conds[c.Name] = c
	}
	assert.True(t, conds["restore"].OK, "%+v", restore.Conditions)
	assert.Regexp(t, `^\d+ restored, \d+ in the source$`, conds["table students rows against source"].Observed)
	assert.True(t, conds["scratch database dropped"].OK)
	_, kept := conds["result kept across a restart"]
	assert.False(t, kept, "the first run restores for real")
	assertNoScratchDatabases(t, prefix)

	// The daemon, started after it, reports that restore from the state
	// file: no second restore, the same last success.
	stateBefore, err := os.ReadFile(filepath.Join(dir, "restore-state.json"))
	require.NoError(t, err, "the check run wrote the restore state")
	e := startExporter(t, "--config.file", cfgPath)
	var body string
	require.Eventually(t, func() bool {
		body = e.metrics()
		return strings.Contains(body, `golive_restore_success{check="restore_test"} 1`)
	}, 60*time.Second, 50*time.Millisecond, "no restore result in /metrics:\n%s", e.logs)
	assert.Regexp(t, regexp.MustCompile(`(?m)^golive_restore_last_success_timestamp_seconds\{check="restore_test"\} \S+$`), body)
	assert.Regexp(t, regexp.MustCompile(`(?m)^golive_restore_table_rows\{check="restore_test",table="students"\} [1-9]\d*$`), body)
	m := regexp.MustCompile(`(?m)^golive_backup_newest_timestamp_seconds\{check="nightly_dumps",source="dump_folder",stanza="",type="dump"\} (\S+)$`).FindStringSubmatch(body)
	require.NotNil(t, m, "no newest backup time in /metrics")
	newest, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	assert.Equal(t, float64(dumpAt.Unix()), newest, "the time in the dump's name")
	stateAfter, err := os.ReadFile(filepath.Join(dir, "restore-state.json"))
	require.NoError(t, err)
	assert.Equal(t, string(stateBefore), string(stateAfter), "the daemon reported the kept result and restored nothing")
	assert.Contains(t, body, `golive_check_success{check="nightly_dumps",kind="dump_folder"} 1`)
	assert.Contains(t, body, `golive_check_success{check="restore_test",kind="restore"} 1`)
	assertNoScratchDatabases(t, prefix)

	// Every restore family (table rows, steps, dump time and size) passes
	// promtool's lint.
	for _, fam := range []string{"golive_restore_table_rows", "golive_restore_source_table_rows", "golive_restore_step_success",
		"golive_restore_dump_timestamp_seconds", "golive_restore_dump_size_bytes", "golive_restore_rows_checked", "golive_restore_duration_seconds"} {
		assert.Contains(t, body, "\n"+fam+"{", "no %s in /metrics", fam)
	}
	assertPromtoolClean(t, testutil.Tool(t, "promtool"), body)
}

func assertNoScratchDatabases(t *testing.T, prefix string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, testutil.AdminDSN)
	require.NoError(t, err)
	defer c.Close(ctx)
	var n int
	require.NoError(t, c.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE starts_with(datname, $1)", prefix).Scan(&n))
	assert.Zero(t, n, "scratch databases %s* left behind", prefix)
}
