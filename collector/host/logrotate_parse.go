package host

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits of the logrotate parser: a configuration is a handful of blocks;
// anything beyond these is not one.
const (
	maxLogrotateLine   = 64 << 10
	maxLogrotateRules  = 10000
	maxLogrotateTokens = 1000
)

// rotation is what logrotate does with a file: the criterion (a frequency,
// or a size threshold) and how many old files it keeps.
type rotation struct {
	// Frequency is hourly, daily, weekly, monthly or yearly; "" when the
	// criterion is Size.
	Frequency string
	// Size is the size threshold in bytes when Frequency is "".
	Size int64
	// Rotate is how many rotated files are kept: 0 keeps none, -1 keeps
	// every one.
	Rotate int
	// MinSize and MaxSize (bytes, 0 unset) refine the criterion; MaxAge
	// (days, 0 unset) removes older rotated files.
	MinSize, MaxSize int64
	MaxAge           int

	set uint8 // which of the fields above a directive set (setFrequency ...)
}

const (
	setCriterion uint8 = 1 << iota
	setRotate
	setMinSize
	setMaxSize
	setMaxAge
)

// defaultRotation is logrotate's own default: a 1 MiB size criterion and no
// old files kept.
var defaultRotation = rotation{Size: 1 << 20}

// inherit fills the settings r does not set from parent.
func (r rotation) inherit(parent rotation) rotation {
	out := parent
	if r.set&setCriterion != 0 {
		out.Frequency, out.Size = r.Frequency, r.Size
	}
	if r.set&setRotate != 0 {
		out.Rotate = r.Rotate
	}
	if r.set&setMinSize != 0 {
		out.MinSize = r.MinSize
	}
	if r.set&setMaxSize != 0 {
		out.MaxSize = r.MaxSize
	}
	if r.set&setMaxAge != 0 {
		out.MaxAge = r.MaxAge
	}
	out.set = parent.set | r.set
	return out
}

// String describes the rotation in words, e.g. "weekly, keeps 4".
func (r rotation) String() string {
	s := r.Frequency
	if s == "" {
		s = "at " + formatBytes(r.Size)
	}
	if r.MaxSize > 0 {
		s += fmt.Sprintf(" (or at %s)", formatBytes(r.MaxSize))
	}
	switch {
	case r.Rotate < 0:
		s += ", keeps every old file"
	case r.Rotate == 0:
		s += ", keeps no old file"
	default:
		s += fmt.Sprintf(", keeps %d", r.Rotate)
	}
	if r.MaxAge > 0 {
		s += fmt.Sprintf(" for at most %d days", r.MaxAge)
	}
	return s
}

// logrotateRule is one block of a logrotate configuration: the file name
// patterns it covers and the rotation set inside it (over the globals
// before it).
type logrotateRule struct {
	File     string
	Line     int
	Patterns []string
	Rotation rotation
}

// logrotateInclude is an include directive, with the global settings in
// force where it stands (they apply to the included files' blocks).
type logrotateInclude struct {
	Path    string
	Line    int
	Globals rotation
}

// logrotateFile is one parsed configuration file.
type logrotateFile struct {
	Rules    []logrotateRule
	Includes []logrotateInclude
}

// parseLogrotate reads one logrotate configuration file the way logrotate
// does: global directives, include directives, and blocks of file name
// patterns followed by { directives }, with scripts (postrotate ...
// endscript) skipped whole. Only what bears on rotation is kept; other
// directives are accepted and ignored. name goes into errors.
func parseLogrotate(r io.Reader, name string) (*logrotateFile, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLogrotateLine)
	out := &logrotateFile{}
	var (
		globals  rotation
		pending  []string // patterns read, waiting for their {
		pendLine int
		inBlock  bool
		inScript bool
		block    logrotateRule
		blockRot rotation
	)
	lineNo := 0
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", name, lineNo, fmt.Sprintf(format, args...))
	}
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if inScript {
			if line == "endscript" {
				inScript = false
			}
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		for line != "" {
			if !inBlock {
				open := strings.IndexByte(line, '{')
				head := line
				if open >= 0 {
					head = line[:open]
				}
				if open < 0 && len(pending) == 0 {
					if words := directiveWords(line); isLogrotateDirective(words[0]) {
						if words[0] == "include" {
							if len(words) < 2 {
								return nil, fail("include without a path")
							}
							out.Includes = append(out.Includes, logrotateInclude{Path: strings.Trim(words[1], `"'`), Line: lineNo, Globals: globals})
						} else if err := applyDirective(&globals, words); err != nil {
							return nil, fail("%v", err)
						}
						line = ""
						continue
					}
				}
				pats, err := splitPatterns(head)
				if err != nil {
					return nil, fail("%v", err)
				}
				if len(pending) == 0 {
					pendLine = lineNo
				}
				pending = append(pending, pats...)
				if len(pending) > maxLogrotateTokens {
					return nil, fail("more than %d file names before a {", maxLogrotateTokens)
				}
				if open < 0 {
					line = ""
					continue
				}
				if len(pending) == 0 {
					return nil, fail("a { without file names before it")
				}
				if len(out.Rules) >= maxLogrotateRules {
					return nil, fail("more than %d blocks", maxLogrotateRules)
				}
				inBlock = true
				block = logrotateRule{File: name, Line: pendLine, Patterns: pending}
				blockRot = rotation{}
				pending = nil
				line = strings.TrimSpace(line[open+1:])
				continue
			}
			// Inside a block: one directive, or the closing }.
			if strings.HasPrefix(line, "}") {
				block.Rotation = blockRot.inherit(globals.inherit(defaultRotation))
				out.Rules = append(out.Rules, block)
				inBlock = false
				if rest := strings.TrimSpace(line[1:]); rest != "" {
					return nil, fail("unexpected text %q after }; logrotate refuses it too", shorten(rest, 40))
				}
				line = ""
				continue
			}
			rest := ""
			if i := strings.IndexByte(line, '}'); i >= 0 {
				line, rest = strings.TrimSpace(line[:i]), line[i:]
			}
			words := directiveWords(line)
			switch {
			case len(words) == 0 || words[0] == "":
			case strings.Contains(line, "{"):
				return nil, fail("a { inside a block (the block of line %d is not closed)", block.Line)
			case words[0] == "include":
				return nil, fail("include inside a block; logrotate allows it only outside")
			case isScript(words[0]):
				// The script is the lines after it, up to endscript;
				// logrotate ignores the rest of this line.
				inScript = true
				rest = ""
			default:
				if err := applyDirective(&blockRot, words); err != nil {
					return nil, fail("%v", err)
				}
			}
			line = rest
			if inScript {
				break
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fail("a line longer than %d bytes; this is not a logrotate configuration", maxLogrotateLine)
		}
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	switch {
	case inScript:
		return nil, fail("a script without endscript (truncated file?)")
	case inBlock:
		return nil, fail("the block of line %d is not closed with } (truncated file?)", block.Line)
	case len(pending) > 0:
		return nil, fail("file names %q are not followed by a { block", strings.Join(pending, " "))
	}
	return out, nil
}

// directiveWords splits a directive line into its name and arguments;
// logrotate also accepts "key=value" and "key = value".
func directiveWords(line string) []string {
	line = strings.TrimSpace(line)
	i := 0
	for i < len(line) && (line[i] >= 'a' && line[i] <= 'z') {
		i++
	}
	if i == 0 || (i < len(line) && line[i] != ' ' && line[i] != '\t' && line[i] != '=') {
		return strings.Fields(line)
	}
	rest := strings.TrimSpace(line[i:])
	rest = strings.TrimSpace(strings.TrimPrefix(rest, "="))
	return append([]string{line[:i]}, strings.Fields(rest)...)
}

// splitPatterns splits file name patterns on white space, keeping quoted
// names (with spaces) whole.
func splitPatterns(s string) ([]string, error) {
	var out []string
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return out, nil
		}
		if q := s[0]; q == '"' || q == '\'' {
			end := strings.IndexByte(s[1:], q)
			if end < 0 {
				return nil, fmt.Errorf("unclosed %c in file names", q)
			}
			out = append(out, s[1:1+end])
			s = s[2+end:]
			continue
		}
		end := strings.IndexAny(s, " \t")
		if end < 0 {
			end = len(s)
		}
		out = append(out, s[:end])
		s = s[end:]
	}
}

func isScript(w string) bool {
	switch w {
	case "postrotate", "prerotate", "firstaction", "lastaction", "preremove":
		return true
	}
	return false
}

// logrotateDirectives are the directive names of logrotate 3.x; a line
// outside a block that starts with anything else is file names.
var logrotateDirectives = map[string]bool{}

func init() {
	for _, d := range strings.Fields(`compress nocompress compresscmd uncompresscmd compressext compressoptions
		copy nocopy copytruncate nocopytruncate create nocreate createolddir nocreateolddir daily weekly monthly yearly hourly
		dateext nodateext dateformat dateyesterday datehourago delaycompress nodelaycompress extension
		ifempty notifempty include mail nomail mailfirst maillast maxage minage maxsize minsize missingok nomissingok
		olddir noolddir rotate renamecopy norenamecopy shred noshred shredcycles sharedscripts nosharedscripts
		size start su tabooext taboopat addextension allowhardlink noallowhardlink ignoreduplicates`) {
		logrotateDirectives[d] = true
	}
}

func isLogrotateDirective(w string) bool { return logrotateDirectives[w] }

// applyDirective records what a directive says about rotation.
func applyDirective(r *rotation, words []string) error {
	arg := func() (string, error) {
		if len(words) < 2 {
			return "", fmt.Errorf("%s needs a value", words[0])
		}
		return words[1], nil
	}
	switch words[0] {
	case "hourly", "daily", "weekly", "monthly", "yearly":
		r.Frequency, r.Size = words[0], 0
		r.set |= setCriterion
	case "size", "minsize", "maxsize":
		v, err := arg()
		if err != nil {
			return err
		}
		n, err := parseLogrotateSize(v)
		if err != nil {
			return fmt.Errorf("%s %s: %w", words[0], v, err)
		}
		switch words[0] {
		case "size":
			r.Frequency, r.Size = "", n
			r.set |= setCriterion
		case "minsize":
			r.MinSize = n
			r.set |= setMinSize
		default:
			r.MaxSize = n
			r.set |= setMaxSize
		}
	case "rotate", "maxage":
		v, err := arg()
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < -1 {
			return fmt.Errorf("%s %s: not a count", words[0], v)
		}
		if words[0] == "rotate" {
			r.Rotate = n
			r.set |= setRotate
		} else {
			r.MaxAge = n
			r.set |= setMaxAge
		}
	}
	return nil
}

// parseLogrotateSize reads logrotate's sizes: bytes, or a number followed
// by k, M or G (powers of 1024); a leading + is allowed.
func parseLogrotateSize(s string) (int64, error) {
	s = strings.TrimPrefix(s, "+")
	mult := int64(1)
	if s != "" {
		switch s[len(s)-1] {
		case 'k', 'K':
			mult = 1 << 10
		case 'M', 'm':
			mult = 1 << 20
		case 'G', 'g':
			mult = 1 << 30
		}
		if mult > 1 {
			s = s[:len(s)-1]
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, errors.New("not a size (bytes, or a number followed by k, M or G)")
	}
	return n * mult, nil
}

// formatBytes shows a size in the largest exact binary unit.
func formatBytes(n int64) string {
	for _, u := range []struct {
		name string
		n    int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.n && n%u.n == 0 {
			return fmt.Sprintf("%d%s", n/u.n, u.name)
		}
	}
	if n >= 1<<20 {
		return fmt.Sprintf("%.1fMiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}
