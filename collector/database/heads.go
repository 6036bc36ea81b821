package database

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// maxMigrationFile bounds how much of one migration file is read; the
// revision identifiers sit at the top.
const maxMigrationFile = 1 << 20

// AlembicRevision is what one Alembic revision file declares.
type AlembicRevision struct {
	Revision      string
	DownRevisions []string
	File          string
}

var (
	alembicRevRE  = regexp.MustCompile(`^revision\s*(?::[^=]*)?=\s*(.+)$`)
	alembicDownRE = regexp.MustCompile(`^down_revision\s*(?::[^=]*)?=\s*(.+)$`)
	pyStringRE    = regexp.MustCompile(`(?:[rRbBuU]?)(?:'([^'\\]*)'|"([^"\\]*)")`)
)

// ParseAlembicRevision reads revision and down_revision from the top level of
// an Alembic revision file. down_revision may be None, a string, or a tuple
// or list of strings (a merge).
func ParseAlembicRevision(r io.Reader) (AlembicRevision, error) {
	var rev AlembicRevision
	var haveRev, haveDown bool
	sc := bufio.NewScanner(io.LimitReader(r, maxMigrationFile))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if m := alembicRevRE.FindStringSubmatch(line); m != nil && !haveRev {
			vals, err := pyStrings(stripComment(m[1]))
			if err != nil || len(vals) != 1 {
				return rev, fmt.Errorf("revision = %s: expected one quoted identifier", m[1])
			}
			rev.Revision = vals[0]
			haveRev = true
		}
		if m := alembicDownRE.FindStringSubmatch(line); m != nil && !haveDown {
			expr := stripComment(m[1])
			// A merge tuple wrapped over lines (as black formats long ones):
			// read on to its closing bracket.
			for unclosed(expr) && sc.Scan() {
				expr += " " + strings.TrimSpace(stripComment(sc.Text()))
			}
			if unclosed(expr) {
				return rev, fmt.Errorf("down_revision = %s: the bracket is never closed", truncateLabel(expr))
			}
			vals, err := pyStrings(expr)
			if err != nil {
				return rev, fmt.Errorf("down_revision = %s: %w", truncateLabel(expr), err)
			}
			rev.DownRevisions = vals
			haveDown = true
		}
	}
	if err := sc.Err(); err != nil {
		return rev, err
	}
	if !haveRev {
		return rev, fmt.Errorf("no top-level revision = '...' line")
	}
	if !haveDown {
		return rev, fmt.Errorf("no top-level down_revision = line")
	}
	return rev, nil
}

// stripComment cuts a # comment off a line of Python, outside quotes.
func stripComment(line string) string {
	end := len(line)
	outsideQuotes(line, func(i int, r rune) bool {
		if r == '#' {
			end = i
			return false
		}
		return true
	})
	return line[:end]
}

// unclosed reports whether expr opens more ( or [ than it closes, outside
// quotes.
func unclosed(expr string) bool {
	depth := 0
	outsideQuotes(expr, func(_ int, r rune) bool {
		switch r {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		}
		return true
	})
	return depth > 0
}

// outsideQuotes calls fn with the index and rune of each character of a
// line of Python that is outside a quoted string (the quotes themselves are
// not passed), until fn returns false.
func outsideQuotes(s string, fn func(i int, r rune) bool) {
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		default:
			if !fn(i, r) {
				return
			}
		}
	}
}

// pyStrings reads None, a quoted string, or a tuple/list of them.
func pyStrings(expr string) ([]string, error) {
	expr = strings.TrimSpace(expr) // its comment is already cut (stripComment)
	if expr == "None" || expr == "()" || expr == "[]" {
		return nil, nil
	}
	ms := pyStringRE.FindAllStringSubmatch(expr, -1)
	if len(ms) == 0 {
		return nil, fmt.Errorf("expected None or quoted revision ids")
	}
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		s := m[1] + m[2]
		if s == "" {
			return nil, fmt.Errorf("empty revision id")
		}
		out = append(out, s)
	}
	return out, nil
}

// AlembicHeads reads every *.py revision file in dir and returns the heads:
// revisions that no other revision names as its down_revision. A healthy
// folder has exactly one.
func AlembicHeads(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.py"))
	if err != nil {
		return nil, err
	}
	revs := map[string]AlembicRevision{}
	for _, f := range files {
		if filepath.Base(f) == "__init__.py" {
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", f, err)
		}
		rev, err := ParseAlembicRevision(fh)
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", f, err)
		}
		rev.File = f
		if prev, dup := revs[rev.Revision]; dup {
			return nil, fmt.Errorf("revision %s is declared by both %s and %s", rev.Revision, prev.File, f)
		}
		revs[rev.Revision] = rev
	}
	if len(revs) == 0 {
		return nil, fmt.Errorf("no Alembic revision files (*.py) in %s", dir)
	}
	referenced := map[string]bool{}
	for _, r := range revs {
		for _, d := range r.DownRevisions {
			if _, ok := revs[d]; !ok {
				return nil, fmt.Errorf("revision %s (%s) names down_revision %s, which no file declares", r.Revision, r.File, d)
			}
			referenced[d] = true
		}
	}
	var heads []string
	for id := range revs {
		if !referenced[id] {
			heads = append(heads, id)
		}
	}
	sort.Strings(heads)
	return heads, nil
}

var (
	numberedFileRE = regexp.MustCompile(`^(\d+)_[^/]*\.(?:up\.sql|sql|go)$`)
	flywayFileRE   = regexp.MustCompile(`^V(\d+(?:[._]\d+)*)__.*\.sql$`)
)

// NumberedHead returns the greatest version of golang-migrate or goose files
// named <version>_<name>.(up.sql|sql|go) in dir.
func NumberedHead(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("reading migrations folder: %w", err)
	}
	var best uint64
	found := false
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".down.sql") {
			continue
		}
		m := numberedFileRE.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		v, err := strconv.ParseUint(m[1], 10, 64)
		if err != nil {
			continue
		}
		if !found || v > best {
			best, found = v, true
		}
	}
	if !found {
		return "", fmt.Errorf("no numbered migration files (e.g. 0001_init.up.sql) in %s", dir)
	}
	return strconv.FormatUint(best, 10), nil
}

// FlywayHead returns the greatest version of V<version>__<name>.sql files.
func FlywayHead(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("reading migrations folder: %w", err)
	}
	var versions []string
	for _, e := range entries {
		if m := flywayFileRE.FindStringSubmatch(e.Name()); m != nil {
			versions = append(versions, strings.ReplaceAll(m[1], "_", "."))
		}
	}
	best := maxVersion(versions)
	if best == "" {
		return "", fmt.Errorf("no Flyway versioned migrations (V1__name.sql) in %s", dir)
	}
	return best, nil
}

// maxVersion returns the greatest of dotted numeric versions ("" for none).
func maxVersion(vs []string) string {
	best := ""
	for _, v := range vs {
		if best == "" || compareVersions(v, best) > 0 {
			best = v
		}
	}
	return best
}

// compareVersions compares dotted numeric versions (1.10 > 1.9).
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y uint64
		if i < len(as) {
			x, _ = strconv.ParseUint(as[i], 10, 64)
		}
		if i < len(bs) {
			y, _ = strconv.ParseUint(bs[i], 10, 64)
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
