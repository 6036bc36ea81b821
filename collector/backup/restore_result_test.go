package backup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runRestoreResult(t *testing.T, yml string, now time.Time) (*collector.Report, error) {
	t.Helper()
	dir, _ := filepath.Abs("testdata")
	return runAt(t, dir, yml, newRestoreResult, now)
}

func TestRestoreResultMarker(t *testing.T) {
	finished := time.Date(2026, 11, 28, 3, 12, 0, 0, time.UTC)
	r, err := runRestoreResult(t, "- name: rr\n  restore_result:\n    file: restore-result-success.json\n    max_age: 8d\n", finished.Add(24*time.Hour))
	require.NoError(t, err)
	assert.Empty(t, failed(r))
	assert.Equal(t, float64(finished.Unix()), value(t, r, "golive_restore_last_success_timestamp_seconds"))
	assert.Equal(t, float64(finished.Unix()), value(t, r, "golive_restore_last_attempt_timestamp_seconds"))
	assert.Equal(t, 312.5, value(t, r, "golive_restore_duration_seconds"))
	assert.Equal(t, 48211.0, value(t, r, "golive_restore_rows_checked"))
	assert.Equal(t, 1.0, value(t, r, "golive_restore_success"))

	r, err = runRestoreResult(t, "- name: rr\n  restore_result:\n    file: restore-result-success.json\n    max_age: 8d\n", finished.Add(9*24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []string{"restore result age"}, failed(r))

	r, err = runRestoreResult(t, "- name: rr\n  restore_result:\n    file: restore-result-success.json\n    max_duration: 5m\n", finished)
	require.NoError(t, err)
	assert.Equal(t, []string{"restore duration"}, failed(r))
	assert.Equal(t, "5m13s", cond(t, r, "restore duration").Observed)

	r, err = runRestoreResult(t, "- name: rr\n  restore_result:\n    file: restore-result-failed.json\n", finished)
	require.NoError(t, err)
	assert.Equal(t, []string{"restore result"}, failed(r))
	assert.Equal(t, `status "false": pg_restore: error: could not read input file: end of file`, cond(t, r, "restore result").Observed)
	assert.Equal(t, 1764299520.0, value(t, r, "golive_restore_last_attempt_timestamp_seconds"))
	_, has := lookup(r, "golive_restore_last_success_timestamp_seconds")
	assert.False(t, has)
}

func TestRestoreResultJUnit(t *testing.T) {
	r, err := runRestoreResult(t, "- name: rr\n  restore_result:\n    file: restore-junit.xml\n", time.Now())
	require.NoError(t, err)
	assert.Equal(t, 4.0, value(t, r, "golive_restore_result_tests"))
	assert.Equal(t, 2.0, value(t, r, "golive_restore_result_failures"))
	assert.Equal(t, "4 tests, 2 failed", cond(t, r, "restore result").Observed)
	assert.Equal(t, 0.0, value(t, r, "golive_restore_success"))

}

// TestRestoreResultJUnitCharsets: the restore_result check reads a JUnit
// report with the test report parser, so a report the report kind accepts
// (ISO-8859-1, as Java tools write it) is not refused here (issue 13).
func TestRestoreResultJUnitCharsets(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct {
		body         string
		tests, fails float64
	}{
		"iso-8859-1":   {"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<testsuite name=\"restaura\xe7\xe3o\"><testcase name=\"tabelas \xe9l\xe8ves\"/><testcase name=\"contagem\"><failure message=\"diferen\xe7a\"/></testcase></testsuite>\n", 2, 1},
		"windows-1252": {"<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n<testsuite name=\"\x80\"><testcase name=\"a\"/><testcase name=\"b\"><error/></testcase><testcase name=\"c\"><skipped/></testcase></testsuite>\n", 3, 1},
		"utf-8":        {"<testsuite><testcase name=\"a\"/><testcase name=\"b\"><skipped/></testcase></testsuite>", 2, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := filepath.Join(dir, name+".xml")
			require.NoError(t, os.WriteFile(f, []byte(tc.body), 0o644))
			r, err := runRestoreResult(t, "- name: rr\n  restore_result:\n    file: "+f+"\n", time.Now())
			require.NoError(t, err)
			assert.Equal(t, tc.tests, value(t, r, "golive_restore_result_tests"))
			assert.Equal(t, tc.fails, value(t, r, "golive_restore_result_failures"))
		})
	}
	for _, bad := range []string{"", "<html></html>", "<testsuites><testcase>"} {
		f := filepath.Join(dir, "bad.xml")
		require.NoError(t, os.WriteFile(f, []byte(bad), 0o644))
		_, err := runRestoreResult(t, "- name: rr\n  restore_result:\n    file: "+f+"\n    format: junit\n", time.Now())
		require.Error(t, err, bad)
		assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err), bad)
	}
}

func TestRestoreResultFaults(t *testing.T) {
	_, err := runRestoreResult(t, "- name: rr\n  restore_result:\n    file: nope.json\n", time.Now())
	require.Error(t, err)
	assert.Equal(t, collector.ReasonNotFound, collector.ReasonOf(err))
	assert.Contains(t, err.Error(), "has the restore job run")

	dir := t.TempDir()
	for name, body := range map[string]string{
		"not json":  "done",
		"no status": `{"finished_at":"2026-01-01T00:00:00Z"}`,
		"bad time":  `{"status":"ok","finished_at":"yesterday"}`,
		"truncated": `{"status":"ok",`,
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		_, err := runRestoreResult(t, "- name: rr\n  restore_result:\n    file: "+p+"\n    format: json\n", time.Now())
		require.Error(t, err, name)
		assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err), name)
	}
	assert.Contains(t, loadErr(t, "- name: rr\n  restore_result:\n    file: x\n    format: yaml\n"), "unknown format")
	assert.Contains(t, loadErr(t, "- name: rr\n  restore_result: {}\n"), "file: missing")
}
