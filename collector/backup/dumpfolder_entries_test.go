package backup

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// One unreadable old entry in a dump folder (a symbolic link loop, a link
// to nothing, a FIFO that would block a read) is skipped and named in a
// warning; the check fails only when the newest dump itself is unreadable.
func TestDumpFolderUnreadableEntries(t *testing.T) {
	oldName := func(last time.Time) string {
		return "backup_app_" + last.AddDate(0, 0, -20).Format("20060102_150405") + ".sql.gz"
	}
	newName := func(last time.Time) string { return "backup_app_" + last.Format("20060102_150405") + ".sql.gz" }
	loop := func(t *testing.T, p string) {
		require.NoError(t, os.Remove(p))
		require.NoError(t, os.Symlink(filepath.Base(p), p))
	}
	dangling := func(t *testing.T, p string) {
		require.NoError(t, os.Remove(p))
		require.NoError(t, os.Symlink("moved-away.sql.gz", p))
	}
	fifo := func(t *testing.T, p string) {
		require.NoError(t, os.Remove(p))
		mkfifo(t, p)
	}
	for _, tc := range []struct {
		name    string
		entry   func(last time.Time) string
		break_  func(t *testing.T, p string)
		failed  []string
		why     string
		backups float64
	}{
		{"a symbolic link loop among old dumps", oldName, loop, nil, "too many levels of symbolic links", 39},
		{"a link to nothing among old dumps", oldName, dangling, nil, "a symbolic link to nothing (moved-away.sql.gz)", 39},
		{"a FIFO among old dumps", oldName, fifo, nil, "not a regular file or folder", 39},
		{"the newest dump a symbolic link loop", newName, loop, []string{"newest dump readable"}, "too many levels of symbolic links", 39},
		{"the newest dump a FIFO", newName, fifo, []string{"newest dump readable"}, "not a regular file or folder", 39},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, last := goodFolder(t)
			name := tc.entry(last)
			tc.break_(t, filepath.Join(dir, "dumps", name))
			r, err := runDumpFolder(t, dir, folderYML, last.Add(time.Hour))
			require.NoError(t, err)
			assert.Equal(t, tc.failed, failed(r), "%+v", r.Conditions())
			w := cond(t, r, "dump folder entries readable")
			assert.True(t, w.Warning)
			assert.False(t, w.OK)
			assert.Equal(t, "skipped 1 of 40: "+name+" ("+tc.why+")", w.Observed)
			assert.Equal(t, 1.0, value(t, r, "golive_backup_unreadable_entries", "dump_folder", ""))
			assert.Equal(t, tc.backups, value(t, r, "golive_backup_backups", "dump_folder", "", "dump"))
			if tc.failed != nil {
				assert.Equal(t, name+": "+tc.why, cond(t, r, "newest dump readable").Observed)
			}
		})
	}

	t.Run("every entry readable", func(t *testing.T) {
		dir, last := goodFolder(t)
		r, err := runDumpFolder(t, dir, folderYML, last.Add(time.Hour))
		require.NoError(t, err)
		for _, c := range r.Conditions() {
			assert.NotEqual(t, "dump folder entries readable", c.Name, "no warning without a skipped entry")
		}
		assert.Equal(t, 0.0, value(t, r, "golive_backup_unreadable_entries", "dump_folder", ""))
	})
}

// countingCheck is a dump_folder check over folderYML whose opens of dump
// files go through a seam: it records the names opened and fails those in
// deny with "permission denied" (the tests run as root, which may read
// any file).
type countingCheck struct {
	chk    *dumpFolderCheck
	mu     sync.Mutex
	opened []string
	deny   map[string]bool
}

func newCountingCheck(t *testing.T, dir string, now time.Time) *countingCheck {
	t.Helper()
	c, env := loadCheck(t, dir, folderYML)
	chk, err := newDumpFolder(c, env)
	require.NoError(t, err)
	cc := &countingCheck{chk: chk.(*dumpFolderCheck), deny: map[string]bool{}}
	cc.chk.now = func() time.Time { return now }
	cc.chk.lister.open = func(p string) (io.ReadCloser, error) {
		cc.mu.Lock()
		defer cc.mu.Unlock()
		cc.opened = append(cc.opened, filepath.Base(p))
		if cc.deny[filepath.Base(p)] {
			return nil, &fs.PathError{Op: "open", Path: p, Err: syscall.EACCES}
		}
		return os.Open(p)
	}
	return cc
}

// run runs the check once and returns its report and the names it opened.
func (cc *countingCheck) run(t *testing.T) (*collector.Report, []string) {
	t.Helper()
	cc.mu.Lock()
	cc.opened = nil
	cc.mu.Unlock()
	r := &collector.Report{}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, cc.chk.Run(ctx, r))
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return r, append([]string(nil), cc.opened...)
}

// A run opens only the newest dump and the files that are new or changed
// since the last run; a folder of thousands is not opened a thousand times
// a scrape.
func TestDumpFolderOpensOnlyNewestAndChanged(t *testing.T) {
	dir, last := goodFolder(t)
	folder := filepath.Join(dir, "dumps")
	name := func(at time.Time) string { return "backup_app_" + at.Format("20060102_150405") + ".sql.gz" }
	newest, old := name(last), name(last.AddDate(0, 0, -10))
	cc := newCountingCheck(t, dir, last.Add(26*time.Hour))

	r, opened := cc.run(t)
	assert.Empty(t, failed(r), "%+v", r.Conditions())
	assert.Len(t, opened, 40, "the first run reads every dump's first bytes once")

	_, opened = cc.run(t)
	assert.Equal(t, []string{newest}, opened, "nothing changed: only the newest is read again")

	next := last.AddDate(0, 0, 1)
	writeDump(t, folder, name(next), gzipped(t, sqlDump), 0o600, next)
	r, opened = cc.run(t)
	assert.Equal(t, []string{name(next)}, opened, "a new dump")
	assert.Equal(t, name(next)+": gzip", cond(t, r, "newest dump format").Observed)

	require.NoError(t, os.Chtimes(filepath.Join(folder, old), next, next))
	_, opened = cc.run(t)
	assert.ElementsMatch(t, []string{old, name(next)}, opened, "a changed modification time")

	writeDump(t, folder, old, []byte("not a dump at all, and longer"), 0o600, next)
	_, opened = cc.run(t)
	assert.ElementsMatch(t, []string{old, name(next)}, opened, "a changed size")

	require.NoError(t, os.Remove(filepath.Join(folder, old)))
	_, opened = cc.run(t)
	assert.Equal(t, []string{name(next)}, opened, "a removed dump")
	assert.Len(t, cc.chk.lister.formats, 40, "the remembered formats follow the folder")

	// A file whose permissions change is read again (its change time moved);
	// one that could not be read is read again each run, not remembered.
	cc.deny[newest] = true
	require.NoError(t, os.Chmod(filepath.Join(folder, newest), 0o400))
	r, opened = cc.run(t)
	assert.ElementsMatch(t, []string{newest, name(next)}, opened)
	assert.Equal(t, "skipped 1 of 40: "+newest+" (permission denied)", cond(t, r, "dump folder entries readable").Observed)
	r, opened = cc.run(t)
	assert.ElementsMatch(t, []string{newest, name(next)}, opened)
	assert.False(t, cond(t, r, "dump folder entries readable").OK)
	delete(cc.deny, newest)
	r, opened = cc.run(t)
	assert.ElementsMatch(t, []string{newest, name(next)}, opened)
	assert.Empty(t, failed(r))
	for _, c := range r.Conditions() {
		assert.NotEqual(t, "dump folder entries readable", c.Name, "readable again")
	}
}

// A file the exporter may not read: skipped with a warning when old, a
// failure when it is the newest.
func TestDumpFolderPermissionDenied(t *testing.T) {
	dir, last := goodFolder(t)
	name := func(at time.Time) string { return "backup_app_" + at.Format("20060102_150405") + ".sql.gz" }
	cc := newCountingCheck(t, dir, last.Add(time.Hour))
	cc.deny[name(last.AddDate(0, 0, -3))] = true
	r, _ := cc.run(t)
	assert.Empty(t, failed(r), "%+v", r.Conditions())
	assert.Equal(t, "skipped 1 of 40: "+name(last.AddDate(0, 0, -3))+" (permission denied)", cond(t, r, "dump folder entries readable").Observed)

	cc.deny[name(last)] = true
	r, _ = cc.run(t)
	assert.Equal(t, []string{"newest dump readable"}, failed(r))
	assert.Equal(t, name(last)+": permission denied", cond(t, r, "newest dump readable").Observed)
	assert.Equal(t, 2.0, value(t, r, "golive_backup_unreadable_entries", "dump_folder", ""))

	// Every dump unreadable (after a restart, so that each is opened): the
	// check fails with the newest one's error.
	cc = newCountingCheck(t, dir, last.Add(time.Hour))
	for i := range 40 {
		cc.deny[name(last.AddDate(0, 0, -i))] = true
	}
	r = &collector.Report{}
	err := cc.chk.Run(context.Background(), r)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no readable dump among the 40 entries matching")
	assert.Contains(t, err.Error(), name(last)+": open ")
	assert.True(t, errors.Is(err, fs.ErrPermission))
}

// The restore check takes no older dump when the newest is unreadable.
func TestRestoreNewestUnreadable(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-30 * time.Hour).UTC()
	writeDump(t, dir, "backup_app_"+old.Format("20060102_150405")+".sql.gz", gzipped(t, sqlDump), 0o600, old)
	newest := "backup_app_" + old.Add(24*time.Hour).Format("20060102_150405") + ".sql.gz"
	require.NoError(t, os.Symlink(newest, filepath.Join(dir, newest)))
	r, err := runRestore(t, dir, "- name: r\n  background: true\n  interval: 1d\n  restore:\n    glob: 'backup_*.sql.gz'\n"+
		"    name_pattern: backup_*_%Y%m%d_%H%M%S.sql.gz\n    name_timezone: UTC\n    dsn: postgres://postgres@127.0.0.1:1/postgres?sslmode=disable\n")
	require.NoError(t, err, "no connection is tried")
	assert.Equal(t, []string{"dump readable"}, failed(r))
	assert.Equal(t, newest+": too many levels of symbolic links", cond(t, r, "dump readable").Observed)
	assert.Equal(t, 0.0, value(t, r, "golive_restore_step_success", "dump_check"))
	assert.Equal(t, 0.0, value(t, r, "golive_restore_success"))
	assert.True(t, cond(t, r, "dump folder entries readable").Warning)
}
