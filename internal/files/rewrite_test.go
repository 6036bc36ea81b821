package files

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two versions of a report of the same length: a reader that gets the
// start of one and the rest of the other sees a mix of both.
var (
	versionA = strings.Repeat("A", 4096) + strings.Repeat("a", 4096)
	versionB = strings.Repeat("B", 4096) + strings.Repeat("b", 4096)
)

// rewrite replaces the file's content in place (same inode, as a writer
// that truncates and writes does) and gives it a modification time of its
// own, whatever the file system's timestamp resolution.
func rewrite(t *testing.T, path, body string, n int) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	mt := time.Date(2026, 11, 30, 8, 0, n, 0, time.UTC)
	require.NoError(t, os.Chtimes(path, mt, mt))
}

// shape sums a read up: its first and last byte, "Ab" for a mix.
func shape(s string) string {
	if len(s) != len(versionA) {
		return "wrong length"
	}
	return s[:1] + s[len(s)-1:]
}

// readHalves reads the first 4096 bytes, calls mid, then the rest.
func readHalves(mid func()) func(r io.Reader) (string, error) {
	return func(r io.Reader) (string, error) {
		first := make([]byte, 4096)
		if _, err := io.ReadFull(r, first); err != nil {
			return "", err
		}
		mid()
		rest, err := io.ReadAll(r)
		return string(first) + string(rest), err
	}
}

// A report rewritten while it is read is never taken as a mix of the two
// versions: the read that saw the file change is done again, and when the
// file changes during that one too the read fails (ErrChangedWhileRead),
// nothing is cached, and the next read takes the file as it then is.
func TestCacheFileRewrittenWhileRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.txt")
	ctx := context.Background()

	t.Run("rewritten once: read again, the new version", func(t *testing.T) {
		rewrite(t, path, versionA, 1)
		c := NewCache[string]()
		reads := 0
		res := c.Read(ctx, path, 0, readHalves(func() {
			reads++
			if reads == 1 {
				rewrite(t, path, versionB, 2)
			}
		}))
		require.NoError(t, res.Err)
		assert.Equal(t, "Bb", shape(res.Value), "the whole new version, not a mix")
		assert.Equal(t, 2, reads, "read once more")
		assert.Equal(t, time.Date(2026, 11, 30, 8, 0, 2, 0, time.UTC), res.ModTime.UTC())
		again := c.Read(ctx, path, 0, readHalves(func() { t.Fatal("the unchanged file is read again") }))
		assert.True(t, again.Cached)
		assert.Equal(t, "Bb", shape(again.Value))
	})

	t.Run("rewritten during both reads: fails, nothing kept", func(t *testing.T) {
		rewrite(t, path, versionA, 3)
		c := NewCache[string]()
		reads := 0
		res := c.Read(ctx, path, 0, readHalves(func() {
			reads++
			body := versionA
			if reads%2 == 1 {
				body = versionB
			}
			rewrite(t, path, body, 3+reads)
		}))
		require.ErrorIs(t, res.Err, ErrChangedWhileRead)
		assert.Contains(t, res.Err.Error(), path)
		assert.Contains(t, res.Err.Error(), "changed while it was read")
		assert.Equal(t, 2, reads, "read twice, no more")
		assert.Empty(t, res.Value)
		assert.Zero(t, c.Len(), "a read that saw the file change is not kept")

		res = c.Read(ctx, path, 0, readHalves(func() {}))
		require.NoError(t, res.Err)
		assert.Equal(t, "Aa", shape(res.Value), "the file as it is once the writer is done")
	})
}
