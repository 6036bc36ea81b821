package collectortest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The report and loadtest kinds read their files through internal/files,
// which reads a file again when it changed during the read. These helpers
// rewrite a file from the read hook (files.Cache.SetReadHook) the way a
// tool does that truncates and writes in place.

// RewriteFile replaces path's content in place (same inode) and gives it a
// modification time of its own: an hour ago plus n seconds, so that each
// version is told apart by its mtime.
func RewriteFile(t testing.TB, path, body string, n int) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	mt := time.Now().Add(-time.Hour).Truncate(time.Second).Add(time.Duration(n) * time.Second)
	require.NoError(t, os.Chtimes(path, mt, mt))
}

// RewriteOnFirstRead writes before to path, then installs a read hook that
// rewrites it to after during the first read only. The count of reads it
// saw is returned: a check that read the file again reads 2.
func RewriteOnFirstRead(t testing.TB, setHook func(func(string)), path, before, after string) *int {
	t.Helper()
	RewriteFile(t, path, before, 0)
	reads := new(int)
	setHook(func(string) {
		if *reads++; *reads == 1 {
			RewriteFile(t, path, after, *reads)
		}
	})
	return reads
}

// AssertChangingFileFails rewrites path during every read, alternately to
// a and b: run must fail with invalid_response after reading it twice,
// naming the file. The hook is removed afterwards.
func AssertChangingFileFails(t testing.TB, setHook func(func(string)), path, a, b string, run func() error) {
	t.Helper()
	RewriteFile(t, path, a, 10)
	reads := 0
	setHook(func(string) {
		reads++
		body := a
		if reads%2 == 1 {
			body = b
		}
		RewriteFile(t, path, body, 10+reads)
	})
	err := run()
	setHook(nil)
	require.Error(t, err)
	assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err))
	assert.Contains(t, err.Error(), filepath.Base(path)+": file changed while it was read, twice in a row")
	assert.Equal(t, 2, reads)
}
