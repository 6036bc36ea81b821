package backup

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sqlDump = "--\n-- PostgreSQL database dump\n--\nCREATE TABLE t (id int);\n--\n-- PostgreSQL database dump complete\n--\n"

func gzipped(t testing.TB, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}

// writeDump writes a dump with a modification time.
func writeDump(t *testing.T, dir, name string, data []byte, mode os.FileMode, mtime time.Time) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, mode))
	require.NoError(t, os.Chmod(p, mode))
	require.NoError(t, os.Chtimes(p, mtime, mtime))
	return p
}

// openPath makes dir and its test-owned parents traversable by others
// (t.TempDir creates them 0700).
func openPath(t *testing.T, dir string) {
	t.Helper()
	for d := dir; strings.HasPrefix(d, os.TempDir()+"/") && d != os.TempDir(); d = filepath.Dir(d) {
		require.NoError(t, os.Chmod(d, 0o755))
	}
}

func runDumpFolder(t *testing.T, dir, yml string, now time.Time) (*collector.Report, error) {
	t.Helper()
	return runAt(t, dir, yml, newDumpFolder, now)
}

const folderYML = `
- name: dumps
  dump_folder:
    glob: dumps/backup_*.sql.gz
    name_pattern: backup_*_%Y%m%d_%H%M%S.sql.gz
    name_timezone: UTC
    max_age: 26h
    min_retention: 30d
    min_count: 3
    min_size: 20B
    failure_marker: .backup_error
`

// goodFolder writes 40 nightly dumps (one a day at 02:00 UTC) and returns
// the config folder and the time of the newest.
func goodFolder(t *testing.T) (string, time.Time) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "dumps")
	require.NoError(t, os.Mkdir(folder, 0o700))
	first := time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC)
	var last time.Time
	for i := 0; i < 40; i++ {
		ts := first.AddDate(0, 0, i)
		// The modification time differs from the name's: the name wins.
		writeDump(t, folder, "backup_app_"+ts.Format("20060102_150405")+".sql.gz", gzipped(t, sqlDump), 0o600, ts.Add(3*time.Minute))
		last = ts
	}
	// Not dumps: a sidecar, a hidden file and a file the glob misses.
	require.NoError(t, os.WriteFile(filepath.Join(folder, "backup_app_"+last.Format("20060102_150405")+".sql.gz.json"), []byte(`{"status":"success"}`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(folder, "notes.txt"), []byte("x"), 0o644))
	return dir, last
}

func TestDumpFolderGood(t *testing.T) {
	dir, last := goodFolder(t)
	r, err := runDumpFolder(t, dir, folderYML, last.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Empty(t, failed(r))
	for _, c := range r.Conditions() {
		assert.True(t, c.OK, "%s: %s", c.Name, c.Observed)
	}
	size := float64(len(gzipped(t, sqlDump)))
	assert.Equal(t, 40.0, value(t, r, "golive_backup_backups", "dump_folder", "", "dump"))
	assert.Equal(t, float64(last.Unix()), value(t, r, "golive_backup_newest_timestamp_seconds", "dump_folder", "", "dump"))
	assert.Equal(t, float64(time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC).Unix()), value(t, r, "golive_backup_oldest_timestamp_seconds", "dump_folder", "", "dump"))
	assert.Equal(t, size, value(t, r, "golive_backup_newest_size_bytes", "dump_folder", "", "dump"))
	assert.Equal(t, 40*size, value(t, r, "golive_backup_stored_size_bytes", "dump_folder", "", "dump"))
	assert.Equal(t, 0.0, value(t, r, "golive_backup_failure_marker_present", "dump_folder", ""))
	assert.Equal(t, 0.0, value(t, r, "golive_backup_insecure_files", "dump_folder", ""))
	assert.Contains(t, cond(t, r, "newest dump's sidecar").Observed, `status "success"`)

	// A cut-off after the newest dump fails; one before passes.
	r, err = runDumpFolder(t, dir, folderYML+"    taken_after: "+last.Add(time.Minute).Format(time.RFC3339)+"\n", last.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []string{"backup after cut-off"}, failed(r))
	r, err = runDumpFolder(t, dir, folderYML+"    taken_after: "+last.Add(-time.Minute).Format(time.RFC3339)+"\n", last.Add(2*time.Hour))
	require.NoError(t, err)
	assert.True(t, cond(t, r, "backup after cut-off").OK)
	assert.Contains(t, loadErr(t, "- name: d\n  dump_folder:\n    glob: /x/*\n    taken_after: tomorrow\n"), `"tomorrow" is not a time`)

	// A day later without a new dump: too old.
	r, err = runDumpFolder(t, dir, folderYML, last.Add(27*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []string{"newest backup age"}, failed(r))
	assert.Contains(t, cond(t, r, "newest backup age").Observed, "1d3h old")
}

func TestDumpFolderFaults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(t *testing.T, folder, newest string)
		failed []string
	}{
		{"failure marker", func(t *testing.T, folder, _ string) {
			require.NoError(t, os.WriteFile(filepath.Join(folder, ".backup_error"), []byte("pg_dump: error: connection refused\n"), 0o600))
		}, []string{"no failure marker"}},
		{"world readable", func(t *testing.T, folder, newest string) {
			require.NoError(t, os.Chmod(newest, 0o644))
			openPath(t, folder)
		}, []string{"dumps not readable by everyone"}},
		{"world readable in a closed folder", func(t *testing.T, folder, newest string) {
			require.NoError(t, os.Chmod(newest, 0o644))
			openPath(t, folder)
			require.NoError(t, os.Chmod(folder, 0o750))
		}, nil},
		{"too small", func(t *testing.T, _, newest string) {
			require.NoError(t, os.WriteFile(newest, gzipped(t, "")[:10], 0o600))
		}, []string{"newest dump size"}},
		{"not gzip", func(t *testing.T, _, newest string) {
			require.NoError(t, os.WriteFile(newest, []byte(sqlDump), 0o600))
		}, []string{"newest dump format"}},
		{"sidecar failed", func(t *testing.T, _, newest string) {
			require.NoError(t, os.WriteFile(newest+".json", []byte(`{"status":"failed","message":"disk full"}`), 0o600))
		}, []string{"newest dump's sidecar"}},
		{"sidecar size differs", func(t *testing.T, _, newest string) {
			require.NoError(t, os.WriteFile(newest+".json", []byte(`{"status":"ok","size":1}`), 0o600))
		}, []string{"newest dump's sidecar"}},
		{"sidecar corrupt", func(t *testing.T, _, newest string) {
			require.NoError(t, os.WriteFile(newest+".json", []byte(`{"status":`), 0o600))
		}, []string{"newest dump's sidecar"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, last := goodFolder(t)
			folder := filepath.Join(dir, "dumps")
			newest := filepath.Join(folder, "backup_app_"+last.Format("20060102_150405")+".sql.gz")
			tc.break_(t, folder, newest)
			r, err := runDumpFolder(t, dir, folderYML, last.Add(time.Hour))
			require.NoError(t, err)
			assert.Equal(t, tc.failed, failed(r))
		})
	}
	t.Run("marker observed", func(t *testing.T) {
		dir, last := goodFolder(t)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "dumps", ".backup_error"), []byte("pg_dump: error: connection refused\n"), 0o600))
		r, err := runDumpFolder(t, dir, folderYML, last.Add(time.Hour))
		require.NoError(t, err)
		assert.Contains(t, cond(t, r, "no failure marker").Observed, "pg_dump: error: connection refused")
		assert.Equal(t, 1.0, value(t, r, "golive_backup_failure_marker_present", "dump_folder", ""))
	})
	t.Run("empty folder", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.Mkdir(filepath.Join(dir, "dumps"), 0o700))
		_, err := runDumpFolder(t, dir, folderYML, time.Now())
		require.Error(t, err)
		assert.Equal(t, collector.ReasonNotFound, collector.ReasonOf(err))
		assert.Contains(t, err.Error(), "no dump matches")
	})
	t.Run("vanished folder", func(t *testing.T) {
		_, err := runDumpFolder(t, t.TempDir(), folderYML, time.Now())
		require.Error(t, err)
		assert.Equal(t, collector.ReasonNotFound, collector.ReasonOf(err))
		assert.Contains(t, err.Error(), "dump folder")
	})
}

func TestDumpFolderMtimeAndIsolation(t *testing.T) {
	dir := t.TempDir()
	mt := time.Date(2026, 11, 2, 3, 4, 5, 0, time.UTC)
	writeDump(t, dir, "nightly.dump", append([]byte("PGDMP"), make([]byte, 100)...), 0o600, mt)
	writeDump(t, dir, "backup_app_20261101_020000.dump", append([]byte("PGDMP"), make([]byte, 50)...), 0o600, mt.Add(time.Hour))
	r, err := runDumpFolder(t, dir, `
- name: dumps
  dump_folder:
    glob: '*.dump'
    name_pattern: backup_*_%Y%m%d_%H%M%S.dump
    name_timezone: UTC
    isolated_from: /proc
`, mt.Add(time.Hour))
	require.NoError(t, err)
	// nightly.dump has no timestamp in its name: its mtime makes it the newest.
	assert.Equal(t, float64(mt.Unix()), value(t, r, "golive_backup_newest_timestamp_seconds", "dump_folder", "", "dump"))
	assert.Equal(t, 105.0, value(t, r, "golive_backup_newest_size_bytes", "dump_folder", "", "dump"))
	w := cond(t, r, "dump names carry a timestamp")
	assert.False(t, w.OK)
	assert.True(t, w.Warning)
	assert.Equal(t, "nightly.dump: custom", cond(t, r, "newest dump format").Observed)
	assert.True(t, cond(t, r, "dumps isolated from the data directory").OK)
	assert.Equal(t, 1.0, value(t, r, "golive_backup_isolated", "dump_folder", ""))

	r, err = runDumpFolder(t, dir, "- name: dumps\n  dump_folder:\n    glob: '*.dump'\n    isolated_from: .\n", mt)
	require.NoError(t, err)
	assert.Equal(t, []string{"dumps isolated from the data directory"}, failed(r))
}

func TestNameTime(t *testing.T) {
	c, env := loadCheck(t, "/", "- name: d\n  dump_folder:\n    glob: /x/*\n    name_pattern: 'db-%Y-%m-%d_%H%M.sql'\n    name_timezone: Europe/Berlin\n")
	l, err := newDumpLister(&c.Spec().(*DumpFolderCheck).DumpSelection, env.Config)
	require.NoError(t, err)
	got, ok := nameTime(l.nameRE, "db-2026-07-01_0230.sql", l.location)
	require.True(t, ok)
	assert.Equal(t, time.Date(2026, 7, 1, 0, 30, 0, 0, time.UTC), got.UTC())
	_, ok = nameTime(l.nameRE, "db-2026-13-01_0230.sql", l.location)
	assert.False(t, ok, "month 13")
	_, ok = nameTime(l.nameRE, "db-2026-07-01_0230.sql.gz", l.location)
	assert.False(t, ok)

	assert.Contains(t, loadErr(t, "- name: d\n  dump_folder:\n    glob: /x/*\n    name_pattern: 'db-%H%M.sql'\n"), "needs at least %Y, %m and %d")
	assert.Contains(t, loadErr(t, "- name: d\n  dump_folder:\n    glob: /x/*\n    name_pattern: 'db-%Y%m%d%j.sql'\n"), "%j is not supported")
	assert.Contains(t, loadErr(t, "- name: d\n  dump_folder:\n    glob: '/x/[a'\n"), "not a valid glob")
	assert.Contains(t, loadErr(t, "- name: d\n  dump_folder:\n    glob: /x/*\n    name_timezone: Mars/Olympus\n"), "unknown time zone")
	assert.Contains(t, loadErr(t, "- name: d\n  dump_folder: {}\n"), "glob: missing")
}

func TestNewestSettled(t *testing.T) {
	now := time.Date(2026, 11, 29, 2, 0, 30, 0, time.UTC)
	old := dump{Name: "old", ModTime: now.Add(-24 * time.Hour)}
	writing := dump{Name: "writing", ModTime: now.Add(-10 * time.Second)}
	assert.Equal(t, "old", newestSettled([]dump{old, writing}, now).Name)
	assert.Equal(t, "writing", newestSettled([]dump{writing}, now).Name)
	assert.Equal(t, "writing", newestSettled([]dump{old, writing}, now.Add(time.Minute)).Name)
}

// A message from a file (marker, sidecar, restore result) shows as its
// first line, trimmed, cut to maxMessageLen bytes without splitting a
// character.
func TestMessageLine(t *testing.T) {
	assert.Equal(t, "disk full", messageLine("  disk full \r\nmore"))
	long := "x" + strings.Repeat("é", 150) // 301 bytes: byte 200 is inside an é
	want := "x" + strings.Repeat("é", 99)
	assert.Equal(t, want, messageLine(long))
	_, obs := evalSidecar([]byte(`{"status":"failed","message":"`+long+`"}`), "x.json", dump{IsDir: true})
	assert.Equal(t, `status "failed": `+want, obs)
}
