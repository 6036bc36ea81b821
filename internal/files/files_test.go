package files

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func write(t *testing.T, path, body string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a/TEST-one.xml", "a/TEST-two.xml", "a/notes.txt", "b/c/d/TEST-deep.xml", "b/TEST-top.xml", "single.json"} {
		write(t, filepath.Join(dir, p), "x")
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "a", "sub.xml"), 0o755)) // a folder named like a report
	// Symlinks: one to a report (counts), one to a folder (does not).
	require.NoError(t, os.Symlink(filepath.Join(dir, "b", "TEST-top.xml"), filepath.Join(dir, "a", "TEST-link.xml")))
	require.NoError(t, os.Symlink(filepath.Join(dir, "b", "c"), filepath.Join(dir, "a", "TEST-dir.xml")))
	j := func(ps ...string) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = filepath.Join(dir, p)
		}
		return out
	}
	ctx := context.Background()
	tests := []struct {
		name    string
		paths   []string
		pattern string
		want    []string
	}{
		{"file", j("single.json"), "", j("single.json")},
		{"folder with pattern", j("a"), "*.xml", j("a/TEST-link.xml", "a/TEST-one.xml", "a/TEST-two.xml")},
		{"folder without pattern", j("a"), "", j("a/TEST-link.xml", "a/TEST-one.xml", "a/TEST-two.xml", "a/notes.txt")},
		{"glob", j("a/TEST-*.xml"), "", j("a/TEST-link.xml", "a/TEST-one.xml", "a/TEST-two.xml")},
		{"glob skips folders", j("a/*.xml"), "", j("a/TEST-link.xml", "a/TEST-one.xml", "a/TEST-two.xml")},
		{"glob with a wildcard folder", j("*/TEST-*.xml"), "", j("a/TEST-link.xml", "a/TEST-one.xml", "a/TEST-two.xml", "b/TEST-top.xml")},
		{"double star", j("b/**/TEST-*.xml"), "", j("b/TEST-top.xml", "b/c/d/TEST-deep.xml")},
		{"double star from root", j("**/TEST-t*.xml"), "", j("a/TEST-two.xml", "b/TEST-top.xml")},
		{"double star follows no folder link", j("a/**/TEST-*.xml"), "", j("a/TEST-link.xml", "a/TEST-one.xml", "a/TEST-two.xml")},
		{"duplicates removed", append(j("a/TEST-one.xml"), j("a/*.xml", "a")...), "*.xml", j("a/TEST-link.xml", "a/TEST-one.xml", "a/TEST-two.xml")},
		{"glob matching nothing", j("nothing/*.xml"), "", nil},
		{"double star under missing folder", j("missing/**/x.xml"), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Expand(ctx, tt.paths, tt.pattern)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	_, err := Expand(ctx, j("does-not-exist.xml"), "")
	require.Error(t, err)
	assert.True(t, errors.Is(err, fs.ErrNotExist))

	_, err = Expand(ctx, j("a/[.xml"), "")
	require.Error(t, err)
	assert.Error(t, ValidatePattern("reports/[x"))
	assert.NoError(t, ValidatePattern("reports/**/TEST-*.xml"))

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = Expand(cancelled, j("a"), "")
	assert.ErrorIs(t, err, context.Canceled)
}

func TestCacheSkipsUnchangedFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.txt")
	write(t, path, "hello")
	c := NewCache[string]()
	parses := 0
	parse := func(r io.Reader) (string, error) {
		parses++
		b, err := io.ReadAll(r)
		if strings.Contains(string(b), "bad") {
			return "", errors.New("bad content")
		}
		return string(b), err
	}
	ctx := context.Background()

	res := c.Read(ctx, path, 0, parse)
	require.NoError(t, res.Err)
	assert.Equal(t, "hello", res.Value)
	assert.False(t, res.Cached)
	assert.EqualValues(t, 5, res.Size)

	res = c.Read(ctx, path, 0, parse)
	require.NoError(t, res.Err)
	assert.Equal(t, "hello", res.Value)
	assert.True(t, res.Cached)
	assert.Equal(t, 1, parses)

	// A new mtime with the same size is read again.
	later := time.Now().Add(time.Minute)
	write(t, path, "world")
	require.NoError(t, os.Chtimes(path, later, later))
	res = c.Read(ctx, path, 0, parse)
	assert.Equal(t, "world", res.Value)
	assert.False(t, res.Cached)
	assert.Equal(t, 2, parses)

	// Parse errors are kept for unchanged files.
	write(t, path, "bad content!")
	res = c.Read(ctx, path, 0, parse)
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), "parsing "+path)
	res = c.Read(ctx, path, 0, parse)
	require.Error(t, res.Err)
	assert.True(t, res.Cached)
	assert.Equal(t, 3, parses)

	// ReadInfo trusts the caller's stat and does not stat again: with the
	// info of the last read, it answers from the cache even once the file
	// is gone.
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.NoError(t, os.Remove(path))
	res = c.ReadInfo(ctx, path, info, 0, parse)
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), "bad content")
	assert.True(t, res.Cached)
	assert.Equal(t, info.ModTime(), res.ModTime)
	assert.Equal(t, 3, parses)
	res = c.Read(ctx, path, 0, parse)
	assert.ErrorIs(t, res.Err, fs.ErrNotExist, "Read stats the file itself")

	// Retain forgets files no longer listed.
	assert.Equal(t, 1, c.Len())
	c.Retain(nil)
	assert.Equal(t, 0, c.Len())
}

func TestCacheLimitsAndErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big.txt")
	write(t, path, strings.Repeat("x", 100))
	c := NewCache[int]()
	parse := func(r io.Reader) (int, error) {
		b, err := io.ReadAll(r)
		return len(b), err
	}
	ctx := context.Background()

	res := c.Read(ctx, path, 99, parse)
	require.Error(t, res.Err)
	assert.ErrorIs(t, res.Err, ErrTooLarge)
	assert.Equal(t, 0, c.Len(), "size refusals are not cached")

	res = c.Read(ctx, path, 100, parse)
	require.NoError(t, res.Err)
	assert.Equal(t, 100, res.Value)

	res = c.Read(ctx, filepath.Join(dir, "missing"), 0, parse)
	assert.ErrorIs(t, res.Err, fs.ErrNotExist)

	other := filepath.Join(dir, "other.txt")
	write(t, other, "abc")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	res = c.Read(cancelled, other, 0, parse)
	assert.ErrorIs(t, res.Err, context.Canceled)
	res = c.Read(ctx, other, 0, parse)
	require.NoError(t, res.Err)
	assert.False(t, res.Cached, "a cancelled read is not cached")
	assert.Equal(t, 3, res.Value)
}

func TestGuardReaderGrowth(t *testing.T) {
	g := &guardReader{ctx: context.Background(), r: strings.NewReader("abcdef"), left: 4}
	b, err := io.ReadAll(g)
	assert.ErrorIs(t, err, ErrTooLarge)
	assert.Equal(t, "abcd", string(b))
	assert.True(t, g.tooLarge)
}

// TestUnchangedFilesCostOneStatEach: expanding the paths and reading
// unchanged files stats each file once (the cache's stat), whether the
// files come from a glob, a ** glob or a folder (which costs one more
// stat, of the folder).
func TestUnchangedFilesCostOneStatEach(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"r/TEST-1.xml", "r/TEST-2.xml", "r/TEST-3.xml"} {
		write(t, filepath.Join(dir, p), "x")
	}
	stats := 0
	stat = func(p string) (fs.FileInfo, error) { stats++; return os.Stat(p) }
	t.Cleanup(func() { stat = os.Stat })
	parse := func(r io.Reader) (int, error) { return 0, nil }
	ctx := context.Background()
	for _, tc := range []struct {
		path  string
		stats int
	}{
		{filepath.Join(dir, "r", "*.xml"), 3},
		{filepath.Join(dir, "**", "TEST-*.xml"), 3},
		{filepath.Join(dir, "r"), 4},
	} {
		c := NewCache[int]()
		for scrape := 0; scrape < 2; scrape++ {
			stats = 0
			paths, err := Expand(ctx, []string{tc.path}, "")
			require.NoError(t, err)
			require.Len(t, paths, 3)
			for _, p := range paths {
				res := c.Read(ctx, p, 0, parse)
				require.NoError(t, res.Err)
				assert.Equal(t, scrape == 1, res.Cached)
			}
			assert.Equal(t, tc.stats, stats, "%s, scrape %d", tc.path, scrape)
		}
	}
}
