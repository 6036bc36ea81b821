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
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
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
}

// dumpLister finds the dumps of a DumpSelection.
type dumpLister struct {
	glob     string
	sel      *config.DumpSelection
	nameRE   *regexp.Regexp
	location *time.Location
}

func newDumpLister(sel *config.DumpSelection, cfg *config.Config) (*dumpLister, error) {
	l := &dumpLister{glob: cfg.ResolvePath(sel.Glob), sel: sel}
	var err error
	if sel.NamePattern != "" {
		if l.nameRE, err = config.NameTimeRegexp(sel.NamePattern); err != nil {
			return nil, err
		}
	}
	if l.location, err = config.LoadLocation(sel.NameTimezone); err != nil {
		return nil, err
	}
	return l, nil
}

// folder is the glob's folder part (where a failure marker lives).
func (l *dumpLister) folder() string { return filepath.Dir(l.glob) }

// list returns the dumps, oldest first. No match is an error: an empty
// folder is a failed backup, not a passing check.
func (l *dumpLister) list(ctx context.Context) ([]dump, error) {
	dir := l.folder()
	if !strings.ContainsAny(dir, `*?[`) {
		if _, err := fsCall(ctx, func() (fs.FileInfo, error) { return os.Stat(dir) }); err != nil {
			return nil, fmt.Errorf("dump folder %s: %w", dir, err)
		}
	}
	matches, err := fsCall(ctx, func() ([]string, error) { return filepath.Glob(l.glob) })
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", l.glob, err)
	}
	var out []dump
	// The dumps of a folder share its path from /: walk it once a folder.
	reachable := map[string]bool{}
	for _, p := range matches {
		base := filepath.Base(p)
		if strings.HasPrefix(base, ".") || strings.HasSuffix(base, l.sel.SidecarSuffix) {
			continue
		}
		dir := filepath.Dir(p)
		reach, known := reachable[dir]
		if !known {
			if reach, err = fsCall(ctx, func() (bool, error) { return othersCanReach(dir), nil }); err != nil {
				return nil, err
			}
			reachable[dir] = reach
		}
		d, err := fsCall(ctx, func() (dump, error) { return l.inspect(p, reach) })
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			// Removed between listing and stat (clean-up running): skip.
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, collector.Failf(collector.ReasonNotFound, "no dump matches %s", l.glob)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}

// inspect reads what a dump is. reachable says whether users other than
// the owner can reach its folder (othersCanReach): a file is exposed only if
// they can, as a 0644 file inside a 0700 folder is not readable by them.
func (l *dumpLister) inspect(p string, reachable bool) (dump, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return dump{}, err
	}
	d := dump{Path: p, Name: filepath.Base(p), IsDir: fi.IsDir(), ModTime: fi.ModTime(), Time: fi.ModTime()}
	if reachable && insecureMode(fi.Mode()) {
		d.Insecure = append(d.Insecure, p)
	}
	reachable = reachable && (!fi.IsDir() || fi.Mode().Perm()&0o001 != 0)
	if d.IsDir {
		d.Format = formatUnknown
		ents, err := os.ReadDir(p)
		if err != nil {
			return dump{}, fmt.Errorf("reading dump folder %s: %w", p, err)
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
		d.Format, err = sniffFormat(p)
		if err != nil {
			return dump{}, err
		}
	}
	if l.nameRE != nil {
		if t, ok := nameTime(l.nameRE, d.Name, l.location); ok {
			d.Time, d.FromName = t, true
		}
	}
	return d, nil
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
func sniffFormat(p string) (string, error) {
	f, err := os.Open(p)
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
