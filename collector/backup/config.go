package backup

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

// The backup kinds: their settings live beside the checks (one
// *_config.go file per kind; the pieces they share are below), and
// register under their keys with their factories.
func init() {
	collector.RegisterKind("pgbackrest", func() config.Kind { return new(PgBackRestCheck) }, newPgBackRest)
	collector.RegisterKind("walg", func() config.Kind { return new(WALGCheck) }, newWALG)
	collector.RegisterKind("barman", func() config.Kind { return new(BarmanCheck) }, newBarman)
	collector.RegisterKind("dump_folder", func() config.Kind { return new(DumpFolderCheck) }, newDumpFolder)
	collector.RegisterKind("restore", func() config.Kind { return new(RestoreCheck) }, newRestore)
	collector.RegisterKind("restore_result", func() config.Kind { return new(RestoreResultCheck) }, newRestoreResult)
}

// Defaults of the backup checks.
const (
	DefaultPgBackRestCommand = "pgbackrest"
	DefaultWALGCommand       = "wal-g"
	DefaultBarmanCommand     = "barman"
	DefaultSidecarSuffix     = ".json"
	DefaultScratchPrefix     = "golive_restore_"
	DefaultSourceMinRatio    = 0.95
	// DefaultMaxOutput bounds how much a backup tool may print (or a file
	// hold) before the check gives up on it.
	DefaultMaxOutput config.ByteSize = 64 << 20
)

// BackupThresholds are the conditions shared by every backup source. A zero
// value leaves the condition out.
type BackupThresholds struct {
	// MaxAge is the oldest the newest good backup of any type may be
	// (e.g. 26h for a daily backup with some slack).
	MaxAge model.Duration `yaml:"max_age,omitempty"`
	// MaxFullAge is the oldest the newest good full backup may be.
	MaxFullAge model.Duration `yaml:"max_full_age,omitempty"`
	// MinRetention: the oldest backup kept must be at least this old (30d
	// for "30+ days of retention").
	MinRetention model.Duration `yaml:"min_retention,omitempty"`
	// MinCount is the fewest backups that must be kept.
	MinCount int `yaml:"min_count,omitempty"`
	// TakenAfter is a cut-off (RFC 3339, e.g. the pre-go-live freeze): the
	// newest good backup must have finished after it.
	TakenAfter *config.Timestamp `yaml:"taken_after,omitempty"`
}

func (t *BackupThresholds) validate(path string, p *config.Problems) {
	for _, d := range []struct {
		key string
		v   model.Duration
	}{{"max_age", t.MaxAge}, {"max_full_age", t.MaxFullAge}, {"min_retention", t.MinRetention}} {
		if d.v < 0 {
			p.Addf(path+"."+d.key, "must not be negative; write a duration like 26h or 30d")
		}
	}
	if t.MinCount < 0 {
		p.Addf(path+".min_count", "must not be negative")
	}
}

// CommandOrFile is where a backup tool's JSON comes from: the tool run as a
// command, or a file a job wrote with the same output (for an exporter that
// cannot reach the repository). pgbackrest, walg and barman share it.
type CommandOrFile struct {
	// Command is the tool's binary (default the tool's name from PATH).
	Command string `yaml:"command,omitempty"`
	// ConfigFile is passed to the tool as its configuration file when set.
	ConfigFile string `yaml:"config_file,omitempty"`
	// File reads the output from this file instead of running the command.
	File string `yaml:"file,omitempty"`
	// MaxOutput bounds the output read (default 64MiB).
	MaxOutput config.ByteSize `yaml:"max_output,omitempty"`
}

// DefaultCommand sets the command to run when neither command nor file is
// given, and the default output bound.
func (c *CommandOrFile) DefaultCommand(command string) {
	if c.Command == "" && c.File == "" {
		c.Command = command
	}
	if c.MaxOutput <= 0 {
		c.MaxOutput = DefaultMaxOutput
	}
}

// ValidateSource reports a command and a file given together (the default
// command, filled in by DefaultCommand, does not count).
func (c *CommandOrFile) ValidateSource(path, defaultCommand string, p *config.Problems) {
	if c.File != "" && c.Command != "" && c.Command != defaultCommand {
		p.Addf(path+".file", "give either file (output a job wrote) or command (run %s), not both", defaultCommand)
	}
}

// DumpSelection finds dump files and orders them by time; the dump folder
// and restore checks share it.
type DumpSelection struct {
	// Glob matches the dumps (files, or folders of directory-format dumps),
	// e.g. /var/backups/pg/backup_*.sql.gz.
	Glob string `yaml:"glob"`
	// NamePattern takes each dump's time from its base name: * matches any
	// text, %Y %m %d %H %M %S are the date parts, e.g.
	// backup_*_%Y%m%d_%H%M%S.sql.gz. Without it (or for a name that does not
	// match) the modification time is used.
	NamePattern string `yaml:"name_pattern,omitempty"`
	// NameTimezone is the zone of the name's time: Local (default), UTC or
	// an IANA name such as Europe/Berlin.
	NameTimezone string `yaml:"name_timezone,omitempty"`
	// SidecarSuffix names the JSON sidecar of a dump (dump name + suffix,
	// default .json); it is read when present and never counted as a dump.
	SidecarSuffix string `yaml:"sidecar_suffix,omitempty"`
}

func (s *DumpSelection) setDefaults() {
	if s.SidecarSuffix == "" {
		s.SidecarSuffix = DefaultSidecarSuffix
	}
	if s.NameTimezone == "" {
		s.NameTimezone = "Local"
	}
}

func (s *DumpSelection) validate(path string, p *config.Problems) {
	if s.Glob == "" {
		p.Addf(path+".glob", "missing; give the dump files' glob, e.g. /var/backups/pg/backup_*.sql.gz")
	} else if _, err := filepath.Match(s.Glob, ""); err != nil || strings.Contains(s.Glob, "**") {
		p.Addf(path+".glob", "%q is not a valid glob (* ? [...] within one folder level; ** is not supported)", s.Glob)
	}
	if s.NamePattern != "" {
		if _, err := NameTimeRegexp(s.NamePattern); err != nil {
			p.Addf(path+".name_pattern", "%v", err)
		}
	}
	if strings.ContainsRune(s.SidecarSuffix, '/') {
		p.Addf(path+".sidecar_suffix", "%q is not the end of a file name; write e.g. .json or .meta", s.SidecarSuffix)
	}
	if _, err := LoadLocation(s.NameTimezone); err != nil {
		p.Addf(path+".name_timezone", "unknown time zone %q; write Local, UTC or an IANA name such as Europe/Berlin", s.NameTimezone)
	}
}

// LoadLocation resolves Local, UTC or an IANA zone name.
func LoadLocation(name string) (*time.Location, error) {
	switch name {
	case "", "Local", "local":
		return time.Local, nil
	case "UTC", "utc":
		return time.UTC, nil
	}
	return time.LoadLocation(name)
}

// NameTimeRegexp turns a name pattern (see DumpSelection.NamePattern) into a
// regular expression with named groups Y m d H M S.
func NameTimeRegexp(pattern string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	seen := map[byte]bool{}
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '*':
			b.WriteString(".*?")
		case c == '%' && i+1 < len(pattern):
			i++
			d := pattern[i]
			width := map[byte]int{'Y': 4, 'm': 2, 'd': 2, 'H': 2, 'M': 2, 'S': 2}[d]
			switch {
			case d == '%':
				b.WriteString("%")
			case width > 0:
				if seen[d] {
					return nil, fmt.Errorf("name pattern %q uses %%%c twice", pattern, d)
				}
				seen[d] = true
				fmt.Fprintf(&b, "(?P<%c>[0-9]{%d})", d, width)
			default:
				return nil, fmt.Errorf("name pattern %q: %%%c is not supported; use %%Y %%m %%d %%H %%M %%S and *", pattern, d)
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	if !seen['Y'] || !seen['m'] || !seen['d'] {
		return nil, fmt.Errorf("name pattern %q needs at least %%Y, %%m and %%d, e.g. backup_*_%%Y%%m%%d_%%H%%M%%S.sql.gz", pattern)
	}
	return regexp.Compile(b.String())
}
