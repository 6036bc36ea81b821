// Package files finds and reads report files for the report checks (test
// results, load-test results): it expands the configured paths (files,
// folders, globs with **), bounds how much of a file is read, and keeps the
// parsed value of every file keyed by path, size and modification time, so a
// scrape that finds nothing new costs one stat per file. It also writes the
// exporter's own state files atomically (WriteAtomic).
package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultMaxSize is the largest report file read when a check sets no limit.
const DefaultMaxSize int64 = 64 << 20

// ErrTooLarge is returned (wrapped) for a file larger than the size limit.
var ErrTooLarge = errors.New("file is larger than the size limit")

// stat is os.Stat; a test counts the stats a scrape costs through it.
var stat = os.Stat

// maxWalkEntries bounds how many directory entries one ** pattern visits, so
// a pattern rooted at / cannot walk the whole disk.
const maxWalkEntries = 200000

// Expand turns configured paths into the sorted, de-duplicated list of
// regular files they name. Each path is one of:
//   - a file;
//   - a folder: the files directly inside it whose base name matches
//     folderPattern (e.g. "*.xml"; "" means every file);
//   - a glob (filepath.Match syntax), where a "**" path element matches any
//     number of folders, e.g. "reports/**/TEST-*.xml".
//
// A plain path that does not exist is an error wrapping fs.ErrNotExist; a
// glob that matches nothing is not an error (the caller decides whether no
// files at all is a failure). Expand stops when ctx is done.
func Expand(ctx context.Context, paths []string, folderPattern string) ([]string, error) {
	if folderPattern != "" {
		if _, err := filepath.Match(folderPattern, ""); err != nil {
			return nil, fmt.Errorf("folder pattern %q: %w", folderPattern, err)
		}
	}
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		p = filepath.Clean(p)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !hasMeta(p) {
			info, err := stat(p)
			if err != nil {
				return nil, fmt.Errorf("report path %s: %w", p, err)
			}
			if !info.IsDir() {
				add(p)
				continue
			}
			entries, err := os.ReadDir(p)
			if err != nil {
				return nil, fmt.Errorf("reading folder %s: %w", p, err)
			}
			for _, e := range entries {
				if ok, _ := filepath.Match(folderPattern, e.Name()); folderPattern != "" && !ok {
					continue
				}
				if full := filepath.Join(p, e.Name()); isRegularEntry(full, e) {
					add(full)
				}
			}
			continue
		}
		matches, err := glob(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			add(m)
		}
	}
	sort.Strings(out)
	return out, nil
}

// ValidatePattern reports whether p is a usable path or glob, for config
// validation.
func ValidatePattern(p string) error {
	if p == "" {
		return errors.New("empty path")
	}
	for _, el := range strings.Split(filepath.ToSlash(p), "/") {
		if el == "**" {
			continue
		}
		if _, err := filepath.Match(el, ""); err != nil {
			return fmt.Errorf("bad glob element %q: %w", el, err)
		}
	}
	return nil
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[`) }

// isRegularEntry says whether the directory entry at path is a regular
// file. The entry's type already says so for a regular file; only a
// symlink needs a stat (which follows it on purpose), so an unchanged
// folder costs the read of the folder and one stat per file (the cache's).
func isRegularEntry(path string, e fs.DirEntry) bool {
	if e.Type().IsRegular() {
		return true
	}
	if e.Type()&fs.ModeSymlink == 0 {
		return false
	}
	info, err := stat(path)
	return err == nil && info.Mode().IsRegular()
}

// glob expands a pattern to the regular files it matches; ** elements
// match zero or more folders.
func glob(ctx context.Context, pattern string) ([]string, error) {
	if err := ValidatePattern(pattern); err != nil {
		return nil, fmt.Errorf("report path %s: %w", pattern, err)
	}
	if !strings.Contains(pattern, "**") {
		return globFiles(pattern)
	}
	// Walk from the longest prefix without wildcards, matching each file's
	// path element by element.
	slashed := filepath.ToSlash(pattern)
	elems := strings.Split(slashed, "/")
	i := 0
	for i < len(elems) && !hasMeta(elems[i]) {
		i++
	}
	root := strings.Join(elems[:i], "/")
	if root == "" {
		root = "."
		if strings.HasPrefix(slashed, "/") {
			root = "/"
		}
	}
	rest := elems[i:]
	var out []string
	visited := 0
	err := filepath.WalkDir(filepath.FromSlash(root), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == filepath.FromSlash(root) {
				if errors.Is(err, fs.ErrNotExist) {
					return fs.SkipAll
				}
				return err
			}
			return nil // unreadable subfolder: skip it
		}
		visited++
		if visited > maxWalkEntries {
			return fmt.Errorf("report path %s: more than %d entries under %s; narrow the pattern", pattern, maxWalkEntries, root)
		}
		if visited%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(filepath.FromSlash(root), path)
		if err != nil {
			return nil
		}
		if matchElems(rest, strings.Split(filepath.ToSlash(rel), "/")) && isRegularEntry(path, d) {
			out = append(out, path)
		}
		return nil
	})
	return out, err
}

// globFiles is filepath.Glob for the regular files a pattern without **
// matches. It reads the folders itself, as filepath.Glob does, but keeps
// their entries' types, so that a match needs no stat of its own.
func globFiles(pattern string) ([]string, error) {
	dir, base := filepath.Split(pattern)
	dir = filepath.Clean(dir) // "" is "."
	dirs := []string{dir}
	if hasMeta(dir) {
		var err error
		if dirs, err = filepath.Glob(dir); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, d := range dirs {
		// A folder that is missing, unreadable or a file matches nothing,
		// as in filepath.Glob.
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if ok, _ := filepath.Match(base, e.Name()); ok {
				if full := filepath.Join(d, e.Name()); isRegularEntry(full, e) {
					out = append(out, full)
				}
			}
		}
	}
	return out, nil
}

func matchElems(pat, name []string) bool {
	if len(pat) == 0 {
		return len(name) == 0
	}
	if pat[0] == "**" {
		for k := 0; k <= len(name); k++ {
			if matchElems(pat[1:], name[k:]) {
				return true
			}
		}
		return false
	}
	if len(name) == 0 {
		return false
	}
	ok, _ := filepath.Match(pat[0], name[0])
	return ok && matchElems(pat[1:], name[1:])
}

// Result is what Cache.Read found for one file.
type Result[T any] struct {
	Path    string
	Value   T
	Err     error
	Size    int64
	ModTime time.Time
	// Cached is true when the file was unchanged and not read again.
	Cached bool
	// parseErr marks Err as the parser's (kept like a value).
	parseErr bool
}

type entry[T any] struct {
	size    int64
	modTime time.Time
	value   T
	err     error
}

// Cache keeps the parsed value of each file, keyed by path, size and
// modification time. A Cache belongs to one check (its parse function and
// settings are fixed); it is safe for concurrent use.
type Cache[T any] struct {
	mu       sync.Mutex
	entries  map[string]entry[T]
	readHook func(path string)
}

// NewCache returns an empty cache.
func NewCache[T any]() *Cache[T] {
	return &Cache[T]{entries: map[string]entry[T]{}}
}

// Read returns the parsed value of the file at path. When the file's size
// and modification time are those of the last read, the previous value (or
// parse error) is returned without reading the file. Otherwise the file is
// opened, refused if larger than maxSize (<= 0 means DefaultMaxSize), and
// parse reads it; reads stop with ctx's error once ctx is done. Parse errors
// are kept like values (the same bytes give the same error); I/O errors,
// cancellation and size refusals are not kept.
func (c *Cache[T]) Read(ctx context.Context, path string, maxSize int64, parse func(r io.Reader) (T, error)) Result[T] {
	info, err := stat(path)
	if err != nil {
		return Result[T]{Path: path, Err: fmt.Errorf("reading %s: %w", path, err)}
	}
	return c.ReadInfo(ctx, path, info, maxSize, parse)
}

// ReadInfo is Read for a file the caller has already stat'ed (info is
// os.Stat(path)'s answer), so that a caller which needs the stat itself,
// e.g. to pick the newest file, still pays one stat per unchanged file.
func (c *Cache[T]) ReadInfo(ctx context.Context, path string, info fs.FileInfo, maxSize int64, parse func(r io.Reader) (T, error)) Result[T] {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	res := Result[T]{Path: path, Size: info.Size(), ModTime: info.ModTime()}
	c.mu.Lock()
	e, ok := c.entries[path]
	c.mu.Unlock()
	if ok && e.size == info.Size() && e.modTime.Equal(info.ModTime()) {
		res.Value, res.Err, res.Cached = e.value, e.err, true
		return res
	}
	if info.Size() > maxSize {
		res.Err = fmt.Errorf("reading %s: %w (%d bytes, limit %d); raise max_file_size or split the report", path, ErrTooLarge, info.Size(), maxSize)
		return res
	}
	// A file rewritten in place while it is read would give the start of
	// one version and the rest of the other: figures of neither. A read
	// that saw the file's size or modification time change is done once
	// more; if the file changes during that one too, it fails.
	for attempt := 1; ; attempt++ {
		var changed bool
		res, changed = c.readOnce(ctx, path, maxSize, parse, res)
		if !changed {
			break
		}
		if attempt == 2 {
			return Result[T]{Path: path, Size: res.Size, ModTime: res.ModTime,
				Err: fmt.Errorf("reading %s: %w, twice in a row; have the tool write the report elsewhere and rename it into place", path, ErrChangedWhileRead)}
		}
	}
	if res.Err != nil && !res.parseErr {
		return res // I/O errors, cancellation and size refusals are not kept
	}
	c.mu.Lock()
	c.entries[path] = entry[T]{size: res.Size, modTime: res.ModTime, value: res.Value, err: res.Err}
	c.mu.Unlock()
	return res
}

// ErrChangedWhileRead is returned (wrapped) for a file whose size or
// modification time changed while it was read, twice.
var ErrChangedWhileRead = errors.New("file changed while it was read")

// readOnce opens and parses the file; changed says that its size or
// modification time moved during the read, so the value may mix two
// versions and must not be used.
func (c *Cache[T]) readOnce(ctx context.Context, path string, maxSize int64, parse func(r io.Reader) (T, error), res Result[T]) (Result[T], bool) {
	f, err := os.Open(path)
	if err != nil {
		res.Err = fmt.Errorf("reading %s: %w", path, err)
		return res, false
	}
	defer f.Close()
	// Key the entry on the opened file's own stat, in case it was replaced
	// between the stat above and the open.
	before, err := f.Stat()
	if err != nil {
		res.Err = fmt.Errorf("reading %s: %w", path, err)
		return res, false
	}
	res.Size, res.ModTime = before.Size(), before.ModTime()
	r := &guardReader{ctx: ctx, r: f, left: maxSize}
	c.mu.Lock()
	if hook := c.readHook; hook != nil {
		r.afterFirst = func() { hook(path) }
	}
	c.mu.Unlock()
	v, perr := parse(r)
	if after, err := f.Stat(); err == nil && (after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime())) {
		res.Size, res.ModTime = after.Size(), after.ModTime()
		return res, true
	}
	switch {
	case r.ioErr != nil:
		res.Err = fmt.Errorf("reading %s: %w", path, r.ioErr)
		return res, false
	case r.tooLarge:
		res.Err = fmt.Errorf("reading %s: %w (grew past %d bytes while being read)", path, ErrTooLarge, maxSize)
		return res, false
	case perr != nil:
		res.Err, res.parseErr = fmt.Errorf("parsing %s: %w", path, perr), true
	}
	res.Value = v
	return res, false
}

// SetReadHook makes every read of a file call hook(path) once, after the
// first bytes were handed to the parser and before the rest: tests rewrite
// the file there to see a rewrite in the middle of a read caught. Not for
// production use.
func (c *Cache[T]) SetReadHook(hook func(path string)) {
	c.mu.Lock()
	c.readHook = hook
	c.mu.Unlock()
}

// Retain forgets every file not in paths, so files removed from the
// report folder do not keep memory.
func (c *Cache[T]) Retain(paths []string) {
	keep := make(map[string]bool, len(paths))
	for _, p := range paths {
		keep[p] = true
	}
	c.mu.Lock()
	for p := range c.entries {
		if !keep[p] {
			delete(c.entries, p)
		}
	}
	c.mu.Unlock()
}

// Len returns how many files the cache holds.
func (c *Cache[T]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// guardReader stops at ctx's end and at the size limit, and remembers I/O
// errors so that they are not mistaken for (cacheable) parse errors.
type guardReader struct {
	ctx      context.Context
	r        io.Reader
	left     int64
	ioErr    error
	tooLarge bool
	// afterFirst, when set, runs once before the second read (a test seam).
	afterFirst func()
	reads      int
}

func (g *guardReader) Read(p []byte) (int, error) {
	if g.reads++; g.reads == 2 && g.afterFirst != nil {
		g.afterFirst()
	}
	if err := g.ctx.Err(); err != nil {
		g.ioErr = err
		return 0, err
	}
	if g.left <= 0 {
		// One more byte would pass the limit: check whether the file ends.
		var one [1]byte
		n, err := g.r.Read(one[:])
		if n > 0 {
			g.tooLarge = true
			return 0, ErrTooLarge
		}
		if err != nil && err != io.EOF {
			g.ioErr = err
		}
		return 0, err
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n, err := g.r.Read(p)
	g.left -= int64(n)
	if err != nil && err != io.EOF {
		g.ioErr = err
	}
	return n, err
}
