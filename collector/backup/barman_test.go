package backup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/testutil"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBarmanCorpus(t *testing.T) {
	list, err := ParseBarmanListBackups(corpus(t, "barman-list-backups.json"))
	require.NoError(t, err)
	require.Len(t, list["host1"], 3)
	b := list["host1"][0]
	assert.Equal(t, "20220227T070011", b.BackupID)
	assert.Equal(t, time.Unix(1645929164, 0), b.EndTime())
	assert.Equal(t, int64(36283487994), b.SizeBytes)
	assert.Equal(t, "DONE", b.Status)
	assert.Equal(t, "-", b.RetentionStatus)

	chk, err := ParseBarmanCheck(corpus(t, "barman-check.json"))
	require.NoError(t, err)
	assert.Len(t, chk["host1"], 23)
	assert.Equal(t, BarmanCheckResult{Status: "OK", Hint: "there are 0 failed backups"}, chk["host1"]["failed_backups"])

	_, err = ParseBarmanListBackups([]byte(`{"host1": {}}`))
	assert.Error(t, err)
	assert.Equal(t, time.Time{}, BarmanBackup{EndTimeTimestamp: "soon"}.EndTime())
}

func runBarman(t *testing.T, dir, yml string, now time.Time) (*collector.Report, error) {
	t.Helper()
	return runAt(t, dir, yml, newBarman, now)
}

// barmanNewest is when host1's newest backup of the corpus ended
// (20220227T070011, Sun Feb 27 02:32:44 2022 in the server's zone).
var barmanNewest = time.Unix(1645929164, 0)

func TestBarmanFromCorpusFiles(t *testing.T) {
	r, err := runBarman(t, testutil.Corpus(t, "backup"), `
- name: barman
  barman:
    file: barman-list-backups.json
    check_file: barman-check.json
    server: host1
    max_age: 26h
    min_retention: 2d
    min_count: 3
`, barmanNewest.Add(10*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, float64(barmanNewest.Unix()), value(t, r, "golive_backup_newest_timestamp_seconds", "barman", "host1", "full"))
	assert.Equal(t, 1645755950.0, value(t, r, "golive_backup_oldest_timestamp_seconds", "barman", "host1", "full"))
	assert.Equal(t, 3.0, value(t, r, "golive_backup_backups", "barman", "host1", "full"))
	assert.Equal(t, 0.0, value(t, r, "golive_backup_errored_backups", "barman", "host1", "full"))
	assert.Equal(t, 36283487994.0, value(t, r, "golive_backup_newest_repo_size_bytes", "barman", "host1", "full"))
	assert.Equal(t, 36283487994.0+36175268621+35992660809, value(t, r, "golive_backup_stored_size_bytes", "barman", "host1", "full"))
	_, hasDBSize := lookup(r, "golive_backup_newest_size_bytes", "barman", "host1", "full")
	assert.False(t, hasDBSize, "list-backups gives the backup's size on disk, not the database's")
	assert.Equal(t, 1.0, value(t, r, "golive_backup_barman_check_ok", "barman", "host1", "failed_backups"))
	assert.Equal(t, 1.0, value(t, r, "golive_backup_barman_check_ok", "barman", "host1", "backup_maximum_age"))

	assert.True(t, cond(t, r, "newest backup age").OK)
	assert.True(t, cond(t, r, "retention").OK)
	assert.True(t, cond(t, r, "backups kept").OK)
	bc := cond(t, r, "barman check")
	assert.True(t, bc.OK)
	assert.Equal(t, "23 of 23 OK", bc.Observed)
	assert.Empty(t, failed(r))

	// Two days later the newest backup is stale: reason stale, as for every
	// backup source.
	r, err = runBarman(t, testutil.Corpus(t, "backup"), "- name: barman\n  barman: {file: barman-list-backups.json, max_age: 26h}\n", barmanNewest.Add(50*time.Hour))
	require.NoError(t, err)
	age := cond(t, r, "newest backup age")
	assert.False(t, age.OK)
	assert.Equal(t, collector.ReasonStale, age.Reason)
	assert.Contains(t, age.Observed, "2d2h old (20220227T070011")
}

// A server whose backups failed, one still running and a Barman check that
// fails: each shows where docs/backup.md says.
func TestBarmanStatusesAndFailedChecks(t *testing.T) {
	dir := t.TempDir()
	list := `{"pg": [
	  {"backup_id": "20261201T010000", "end_time_timestamp": "", "status": "STARTED", "size_bytes": 0},
	  {"backup_id": "20261130T010000", "end_time_timestamp": "1764468000", "status": "FAILED", "size_bytes": 10},
	  {"backup_id": "20261129T010000", "end_time_timestamp": "1764381600", "status": "DONE", "size_bytes": 2048}
	], "other": []}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "list.json"), []byte(list), 0o600))
	check := `{"pg": {
	  "wal_level": {"hint": "", "status": "OK"},
	  "backup_maximum_age": {"hint": "interval provided: 1 day, latest backup age: 2 days", "status": "FAILED"},
	  "failed_backups": {"hint": "there are 1 failed backups", "status": "FAILED"}
	}}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "check.json"), []byte(check), 0o600))
	now := time.Unix(1764381600, 0).Add(30 * time.Hour)
	r, err := runBarman(t, dir, "- name: b\n  barman: {file: list.json, check_file: check.json, server: pg, max_age: 26h}\n", now)
	require.NoError(t, err)
	assert.Equal(t, 2.0, value(t, r, "golive_backup_backups", "barman", "pg", "full"), "the running backup is not counted yet")
	assert.Equal(t, 1.0, value(t, r, "golive_backup_errored_backups", "barman", "pg", "full"))
	assert.Equal(t, 1764381600.0, value(t, r, "golive_backup_newest_timestamp_seconds", "barman", "pg", "full"), "the FAILED backup is never the newest")
	assert.Equal(t, 0.0, value(t, r, "golive_backup_barman_check_ok", "barman", "pg", "failed_backups"))
	assert.Equal(t, 1.0, value(t, r, "golive_backup_barman_check_ok", "barman", "pg", "wal_level"))
	bc := cond(t, r, "barman check")
	assert.False(t, bc.OK)
	assert.Empty(t, bc.Reason, "no reason of its own: the check fails with condition_failed")
	assert.Equal(t, "1 of 3 OK; failed: backup_maximum_age (interval provided: 1 day, latest backup age: 2 days), failed_backups (there are 1 failed backups)", bc.Observed)
	assert.False(t, cond(t, r, "backups flagged with an error").OK)
	assert.False(t, cond(t, r, "backups in progress").OK)
	assert.ElementsMatch(t, []string{"newest backup age", "barman check"}, failed(r))

	// Without server:, every server is checked and named in the conditions.
	r, err = runBarman(t, dir, "- name: b\n  barman: {file: list.json}\n", now)
	require.NoError(t, err)
	assert.False(t, cond(t, r, "other: has a good backup").OK)
	assert.True(t, cond(t, r, "pg: has a good backup").OK)
}

// With command:, barman runs as `barman [-c F] -f json list-backups SERVER`
// and `... check SERVER`; barman check exits 1 when a check fails and its
// JSON is still read.
func TestBarmanCommand(t *testing.T) {
	dir := t.TempDir()
	corpusDir := testutil.Corpus(t, "backup")
	args := filepath.Join(dir, "args.txt")
	script := writeScript(t, dir, "barman", `echo "$@" >> `+args+`
case "$*" in
  *list-backups*) cat `+filepath.Join(corpusDir, "barman-list-backups.json")+` ;;
  *check*) echo '{"host1": {"wal_level": {"hint": "", "status": "FAILED"}}}'; exit 1 ;;
esac
`)
	r, err := runBarman(t, dir, "- name: b\n  barman:\n    command: "+script+"\n    config_file: barman.conf\n    server: host1\n    check: true\n", barmanNewest)
	require.NoError(t, err)
	assert.Equal(t, 3.0, value(t, r, "golive_backup_backups", "barman", "host1", "full"))
	assert.False(t, cond(t, r, "barman check").OK)
	b, err := os.ReadFile(args)
	require.NoError(t, err)
	conf := filepath.Join(dir, "barman.conf")
	assert.Equal(t, "-c "+conf+" -f json list-backups host1\n-c "+conf+" -f json check host1\n", string(b))

	// Without server: barman is asked for all.
	require.NoError(t, os.Remove(args))
	_, err = runBarman(t, dir, "- name: b\n  barman: {command: "+script+"}\n", barmanNewest)
	require.NoError(t, err)
	b, err = os.ReadFile(args)
	require.NoError(t, err)
	assert.Equal(t, "-f json list-backups all\n", string(b))
}

func TestBarmanFaults(t *testing.T) {
	dir := t.TempDir()
	fails := writeScript(t, dir, "fails.sh", "echo 'ERROR: Unknown server pg' >&2\nexit 1\n")
	checkFails := writeScript(t, dir, "checkfails.sh", `case "$*" in *check*) echo 'ERROR: cannot run check' >&2; exit 2 ;; esac
echo '{"pg": []}'
`)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "truncated.json"), []byte(`{"pg": [{"backup_id": "x"`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "list.json"), []byte(`{"pg": []}`), 0o600))
	for _, tc := range []struct {
		name, yml string
		reason    collector.Reason
		msg       string
	}{
		{"list-backups exits non-zero", "command: " + fails, collector.ReasonCommandFailed, "exited with status 1: ERROR: Unknown server pg"},
		{"check exits 2", "{command: " + checkFails + ", check: true}", collector.ReasonCommandFailed, "barman check: "},
		{"missing binary", "command: " + filepath.Join(dir, "nope"), collector.ReasonNotFound, "install it or set the path"},
		{"missing file", "file: gone.json", collector.ReasonNotFound, "gone.json"},
		{"truncated file", "file: truncated.json", collector.ReasonInvalidResponse, "barman list-backups file " + filepath.Join(dir, "truncated.json")},
		{"unknown server", "{file: list.json, server: other}", collector.ReasonNotFound, `server "other" is not in barman's backup list (servers: pg)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			yml := tc.yml
			if !strings.HasPrefix(yml, "{") {
				yml = "{" + yml + "}"
			}
			_, err := runBarman(t, dir, "- name: b\n  barman: "+yml+"\n", barmanNewest)
			require.Error(t, err)
			assert.Equal(t, tc.reason, collector.ReasonOf(err), err.Error())
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestBarmanConfigErrors(t *testing.T) {
	assert.Contains(t, loadErr(t, "- name: x\n  barman:\n    file: a.json\n    command: /usr/bin/barman\n"), "not both")
	assert.Contains(t, loadErr(t, "- name: x\n  barman:\n    file: a.json\n    check: true\n"), "give check_file")
	assert.Contains(t, loadErr(t, "- name: x\n  barman:\n    server: all\n"), "is not a Barman server name")
	assert.Contains(t, loadErr(t, "- name: x\n  barman:\n    server: 'a b'\n"), "is not a Barman server name")
	assert.Contains(t, loadErr(t, "- name: x\n  barman:\n    min_count: -1\n"), "must not be negative")
}
