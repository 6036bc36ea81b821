package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/human"
)

// Formats of a dump, from its first bytes.
const (
	formatCustom    = "custom"    // pg_dump -Fc
	formatDirectory = "directory" // pg_dump -Fd
	formatTar       = "tar"       // pg_dump -Ft
	formatGzip      = "gzip"      // pg_dump | gzip (plain SQL inside)
	formatPlain     = "plain"     // pg_dump -Fp
	formatUnknown   = "unknown"
)

// dump is one dump file (or directory-format dump folder).
type dump struct {
	Path   string
	Name   string
	IsDir  bool
	Format string
	Size   int64
	// Time is the name's timestamp, or the modification time.
	Time     time.Time
	FromName bool
	ModTime  time.Time
	// Insecure lists the paths readable or writable by everyone.
	Insecure []string
	// ctime is the inode's change time (zero where the system has none).
	ctime time.Time
}

// dumpLister finds the dumps of a DumpSelection.
type dumpLister struct {
	glob     string
	sel      *DumpSelection
	nameRE   *regexp.Regexp
	location *time.Location
	// open opens a dump to read its first bytes (a seam: tests count the
	// opens).
	open func(path string) (io.ReadCloser, error)

	mu sync.Mutex
	// formats remembers each file's format by path, size and modification
	// time, so that a run opens only the newest dump and the files that
	// are new or changed, not every file of a folder of thousands.
	formats map[string]sniffed
}

// sniffed is a file's format as it was read at a size, modification time
// and change time (which a chmod or chown moves too).
type sniffed struct {
	size         int64
	mtime, ctime time.Time
	format       string
}

// skippedEntry is a match of the glob that is not a readable dump: a
// symbolic link loop or a link to nothing, a FIFO, a file or folder the
// exporter may not read.
type skippedEntry struct {
	Path, Name string
	// Time is the name's time, else the entry's own modification time (the
	// link's for a symbolic link); zero when unknown.
	Time time.Time
	Err  error
}

// why says what is wrong in a few words ("permission denied").
func (s skippedEntry) why() string {
	var pe *fs.PathError
	if errors.As(s.Err, &pe) {
		return pe.Err.Error()
	}
	return s.Err.Error()
}

func newDumpLister(sel *DumpSelection, cfg *config.Config) (*dumpLister, error) {
	l := &dumpLister{glob: cfg.ResolvePath(sel.Glob), sel: sel,
		open: func(p string) (io.ReadCloser, error) { return os.Open(p) }}
	var err error
	if sel.NamePattern != "" {
		if l.nameRE, err = NameTimeRegexp(sel.NamePattern); err != nil {
			return nil, err
		}
	}
	if l.location, err = LoadLocation(sel.NameTimezone); err != nil {
		return nil, err
	}
	return l, nil
}

// folder is the glob's folder part (where a failure marker lives).
func (l *dumpLister) folder() string { return filepath.Dir(l.glob) }

// inspected is what inspect found about one match.
type inspected struct {
	dump dump
	skip *skippedEntry
	gone bool // removed between listing and stat (clean-up running)
}

// list returns the dumps, oldest first, and the matches it skipped as
// unreadable. No match is an error: an empty folder is a failed backup,
// not a passing check; so is a folder whose every match is unreadable.
func (l *dumpLister) list(ctx context.Context) ([]dump, []skippedEntry, error) {
	dir := l.folder()
	if !strings.ContainsAny(dir, `*?[`) {
		if _, err := fsCall(ctx, func() (fs.FileInfo, error) { return os.Stat(dir) }); err != nil {
			return nil, nil, fmt.Errorf("dump folder %s: %w", dir, err)
		}
	}
	matches, err := fsCall(ctx, func() ([]string, error) { return filepath.Glob(l.glob) })
	if err != nil {
		return nil, nil, fmt.Errorf("listing %s: %w", l.glob, err)
	}
	// One call for the whole folder, not one goroutine a file: a folder of
	// 100 000 dumps is 100 000 stat calls, and the check still returns at
	// its deadline when the filesystem hangs.
	type scan struct {
		out     []dump
		skipped []skippedEntry
	}
	sc, err := fsCall(ctx, func() (scan, error) {
		var sc scan
		// The dumps of a folder share its path from /: walk it once a folder.
		reachable := map[string]bool{}
		for _, p := range matches {
			if ctx.Err() != nil {
				return sc, ctx.Err()
			}
			base := filepath.Base(p)
			if strings.HasPrefix(base, ".") || strings.HasSuffix(base, l.sel.SidecarSuffix) {
				continue
			}
			dir := filepath.Dir(p)
			reach, known := reachable[dir]
			if !known {
				reach = othersCanReach(dir)
				reachable[dir] = reach
			}
			switch in := l.inspect(p, reach); {
			case in.gone:
			case in.skip != nil:
				sc.skipped = append(sc.skipped, *in.skip)
			default:
				sc.out = append(sc.out, in.dump)
			}
		}
		return sc, nil
	})
	if err != nil {
		return nil, nil, err
	}
	out, skipped := sc.out, sc.skipped
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	if out, skipped, err = l.sniffFormats(ctx, out, skipped); err != nil {
		return nil, nil, err
	}
	if len(out) == 0 {
		if len(skipped) > 0 {
			s := skipped[len(skipped)-1]
			if ns := newestSkipped(nil, skipped); ns != nil {
				s = *ns
			}
			return nil, skipped, fmt.Errorf("no readable dump among the %d entries matching %s; the newest, %s: %w", len(skipped), l.glob, s.Name, s.Err)
		}
		return nil, nil, collector.Failf(collector.ReasonNotFound, "no dump matches %s", l.glob)
	}
	return out, skipped, nil
}

// sniffFormats gives every file dump its format: read again for the newest
// and for files that are new or changed since the last run, remembered for
// the others. A file that cannot be read moves to skipped.
func (l *dumpLister) sniffFormats(ctx context.Context, dumps []dump, skipped []skippedEntry) ([]dump, []skippedEntry, error) {
	l.mu.Lock()
	known := l.formats
	l.mu.Unlock()
	next := make(map[string]sniffed, len(dumps))
	out := dumps[:0]
	for i, d := range dumps {
		if d.IsDir {
			out = append(out, d)
			continue
		}
		if c, ok := known[d.Path]; ok && i < len(dumps)-1 && c.size == d.Size && c.mtime.Equal(d.ModTime) && c.ctime.Equal(d.ctime) {
			d.Format = c.format
		} else {
			format, err := fsCall(ctx, func() (string, error) { return l.sniffFormat(d.Path) })
			switch {
			case ctx.Err() != nil:
				return nil, nil, err
			case errors.Is(err, fs.ErrNotExist):
				continue // removed meanwhile
			case err != nil:
				skipped = append(skipped, skippedEntry{Path: d.Path, Name: d.Name, Time: d.Time, Err: err})
				continue
			}
			d.Format = format
		}
		next[d.Path] = sniffed{size: d.Size, mtime: d.ModTime, ctime: d.ctime, format: d.Format}
		out = append(out, d)
	}
	l.mu.Lock()
	l.formats = next
	l.mu.Unlock()
	return out, skipped, nil
}

// newestSkipped returns the skipped entry newer than every dump (the
// newest dump is then unreadable), or nil.
func newestSkipped(dumps []dump, skipped []skippedEntry) *skippedEntry {
	var newest time.Time
	if len(dumps) > 0 {
		newest = dumps[len(dumps)-1].Time
	}
	var out *skippedEntry
	for i := range skipped {
		s := &skipped[i]
		if !s.Time.IsZero() && s.Time.After(newest) && (out == nil || s.Time.After(out.Time)) {
			out = s
		}
	}
	return out
}

// Conditions about the entries a glob matches, shared by dump_folder and
// restore.
const (
	// condSkipped warns about matches of the glob that were skipped.
	condSkipped = "dump folder entries readable"
	// condNewestReadable fails when the newest dump cannot be read (or, in
	// a restore with a kept result, read through).
	condNewestReadable = "newest dump readable"
)

// reportSkipped names the skipped entries in a warning.
func reportSkipped(r *collector.Report, dumps int, skipped []skippedEntry) {
	if len(skipped) == 0 {
		return
	}
	sorted := slices.Clone(skipped)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	var names []string
	for _, s := range sorted[:min(5, len(sorted))] {
		names = append(names, s.Name+" ("+s.why()+")")
	}
	obs := fmt.Sprintf("skipped %d of %d: %s", len(skipped), dumps+len(skipped), human.ListOf(names, len(sorted)))
	r.Warn(condSkipped, false, obs, "every entry the glob matches is a dump the exporter can read")
}

// inspect reads what a dump is, all but its format (see sniffFormats).
// reachable says whether users other than the owner can reach its folder
// (othersCanReach): a file is exposed only if they can, as a 0644 file
// inside a 0700 folder is not readable by them.
func (l *dumpLister) inspect(p string, reachable bool) inspected {
	name := filepath.Base(p)
	skip := func(err error, lfi fs.FileInfo) inspected {
		s := &skippedEntry{Path: p, Name: name, Err: err}
		if lfi != nil {
			s.Time = lfi.ModTime()
		}
		if t, ok := l.nameTime(name); ok {
			s.Time = t
		}
		return inspected{skip: s}
	}
	fi, err := os.Stat(p)
	if err != nil {
		lfi, lerr := os.Lstat(p)
		switch {
		case lerr != nil && errors.Is(err, fs.ErrNotExist):
			return inspected{gone: true}
		case lerr != nil:
			return skip(err, nil)
		case errors.Is(err, fs.ErrNotExist) && lfi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			err = fmt.Errorf("a symbolic link to nothing (%s)", target)
		}
		return skip(err, lfi)
	}
	if !fi.IsDir() && !fi.Mode().IsRegular() {
		return skip(errors.New("not a regular file or folder"), fi)
	}
	d := dump{Path: p, Name: name, IsDir: fi.IsDir(), ModTime: fi.ModTime(), Time: fi.ModTime()}
	d.ctime = changeTime(fi)
	if reachable && insecureMode(fi.Mode()) {
		d.Insecure = append(d.Insecure, p)
	}
	reachable = reachable && (!fi.IsDir() || fi.Mode().Perm()&0o001 != 0)
	if d.IsDir {
		d.Format = formatUnknown
		ents, err := os.ReadDir(p)
		if err != nil {
			return skip(err, fi)
		}
		for _, e := range ents {
			if e.Name() == "toc.dat" {
				d.Format = formatDirectory
			}
			efi, err := e.Info()
			if err != nil || !efi.Mode().IsRegular() {
				continue
			}
			d.Size += efi.Size()
			if reachable && insecureMode(efi.Mode()) {
				d.Insecure = append(d.Insecure, filepath.Join(p, e.Name()))
			}
		}
	} else {
		d.Size = fi.Size()
	}
	if t, ok := l.nameTime(name); ok {
		d.Time, d.FromName = t, true
	}
	return inspected{dump: d}
}

// nameTime is the time in a name, when a name pattern is set and matches.
func (l *dumpLister) nameTime(name string) (time.Time, bool) {
	if l.nameRE == nil {
		return time.Time{}, false
	}
	return nameTime(l.nameRE, name, l.location)
}

// othersCanReach reports whether users other than the owner can traverse
// every folder from / down to dir.
func othersCanReach(dir string) bool {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return true
	}
	for {
		fi, err := os.Stat(dir)
		if err != nil {
			return true // unknown: assume reachable, the strict answer
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return true
		}
		dir = parent
	}
}

// insecureMode: readable or writable by every user.
func insecureMode(m fs.FileMode) bool { return m.Perm()&0o006 != 0 }

func nameTime(re *regexp.Regexp, name string, loc *time.Location) (time.Time, bool) {
	m := re.FindStringSubmatch(name)
	if m == nil {
		return time.Time{}, false
	}
	part := map[string]int{}
	for i, g := range re.SubexpNames() {
		if g != "" {
			n, _ := strconv.Atoi(m[i])
			part[g] = n
		}
	}
	t := time.Date(part["Y"], time.Month(part["m"]), part["d"], part["H"], part["M"], part["S"], 0, loc)
	// Reject dates that time.Date normalised (month 13, day 32, ...).
	if t.Month() != time.Month(part["m"]) || t.Day() != part["d"] || t.Hour() != part["H"] || t.Minute() != part["M"] || t.Second() != part["S"] {
		return time.Time{}, false
	}
	return t, true
}

// sniffFormat tells a dump's format from its first bytes.
func (l *dumpLister) sniffFormat(p string) (string, error) {
	f, err := l.open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", fmt.Errorf("reading %s: %w", p, err)
	}
	return formatOf(head[:n]), nil
}

func formatOf(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("PGDMP")):
		return formatCustom
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return formatGzip
	case len(head) >= 262 && bytes.Equal(head[257:262], []byte("ustar")):
		return formatTar
	case bytes.HasPrefix(head, []byte("--")) || bytes.HasPrefix(head, []byte("SET ")) || bytes.HasPrefix(head, []byte("\\restrict")):
		return formatPlain
	}
	return formatUnknown
}

// formatMatchesName: a .gz name must hold gzip, a .dump/.backup custom.
func formatMatchesName(d dump) (bool, string) {
	name := strings.ToLower(d.Name)
	switch {
	case d.Format == formatUnknown:
		return false, "not a pg_dump file (no custom-format header, gzip header or SQL text)"
	case strings.HasSuffix(name, ".gz") && d.Format != formatGzip:
		return false, "named .gz but not gzip-compressed"
	case (strings.HasSuffix(name, ".sql")) && d.Format != formatPlain:
		return false, "named .sql but not plain SQL"
	}
	return true, ""
}

// sidecar is the JSON a backup script writes beside a dump. These are all
// the keys read (docs/backup.md lists them); others are ignored.
type sidecar struct {
	// Status is a word (success, ok, failed, ...); Success a boolean, as
	// restore_result takes them. Status wins when both are given.
	Status  *string `json:"status"`
	Success *bool   `json:"success"`
	Size    *int64  `json:"size"`
	// SizeBytes is an alternative spelling of size.
	SizeBytes *int64 `json:"size_bytes"`
	// Message or Error is shown when the backup failed; values that are
	// not text (an "error": true flag) are not shown.
	Message json.RawMessage `json:"message"`
	Error   json.RawMessage `json:"error"`
	// BackupFile names the dump the sidecar describes; when given it must
	// be this dump.
	BackupFile string `json:"backup_file"`
}

// message returns the first of message and error that is text.
func (s *sidecar) message() string {
	for _, raw := range []json.RawMessage{s.Message, s.Error} {
		var m string
		if len(raw) > 0 && json.Unmarshal(raw, &m) == nil && strings.TrimSpace(m) != "" {
			return m
		}
	}
	return ""
}

// sidecarOK says whether a status word means success.
func sidecarOK(status string) bool {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "ok", "success", "succeeded", "successful", "completed", "complete", "done", "passed", "pass":
		return true
	}
	return false
}
