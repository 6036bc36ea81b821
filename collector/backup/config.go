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

// The backup kinds: their settings live here, beside the checks, and
// register under their keys with their factories.
func init() {
	collector.RegisterKind("pgbackrest", func() config.Kind { return new(PgBackRestCheck) }, newPgBackRest)
	collector.RegisterKind("walg", func() config.Kind { return new(WALGCheck) }, newWALG)
	collector.RegisterKind("barman", func() config.Kind { return new(BarmanCheck) }, newBarman)
	collector.RegisterKind("dump_folder", func() config.Kind { return new(DumpFolderCheck) }, newDumpFolder)
	collector.RegisterKind("restore", func() config.Kind { return new(RestoreCheck) }, newRestore)
	collector.RegisterKind("restore_result", func() config.Kind { return new(RestoreResultCheck) }, newRestoreResult)
}

var (
	_ config.Kind      = (*PgBackRestCheck)(nil)
	_ config.Defaulter = (*PgBackRestCheck)(nil)
	_ config.Kind      = (*WALGCheck)(nil)
	_ config.Defaulter = (*WALGCheck)(nil)
	_ config.Kind      = (*BarmanCheck)(nil)
	_ config.Defaulter = (*BarmanCheck)(nil)
	_ config.Kind      = (*DumpFolderCheck)(nil)
	_ config.Defaulter = (*DumpFolderCheck)(nil)
	_ config.Kind      = (*RestoreCheck)(nil)
	_ config.Defaulter = (*RestoreCheck)(nil)
	_ config.Kind      = (*RestoreResultCheck)(nil)
	_ config.Defaulter = (*RestoreResultCheck)(nil)
)

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

// PgBackRestCheck reads pgBackRest's `info --output=json`, by running the
// command or from a file a job wrote.
type PgBackRestCheck struct {
	CommandOrFile `yaml:",inline"`
	// Stanza limits the check to one stanza (--stanza); default all.
	Stanza string `yaml:"stanza,omitempty"`
	// RequireEncryption fails when a repository is not encrypted.
	RequireEncryption bool `yaml:"require_encryption,omitempty"`
	BackupThresholds  `yaml:",inline"`
}

// SetDefaults implements config.Defaulter.
func (c *PgBackRestCheck) SetDefaults() { c.DefaultCommand(DefaultPgBackRestCommand) }

var stanzaRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// Validate implements config.Kind.
func (c *PgBackRestCheck) Validate(path string, p *config.Problems) {
	c.ValidateSource(path, DefaultPgBackRestCommand, p)
	if c.Stanza != "" && !stanzaRE.MatchString(c.Stanza) {
		p.Addf(path+".stanza", "%q is not a stanza name; use letters, digits, _, . and -", c.Stanza)
	}
	c.BackupThresholds.validate(path, p)
}

// WALGCheck reads WAL-G's `backup-list --detail --json`, by running the
// command or from a file.
type WALGCheck struct {
	CommandOrFile `yaml:",inline"`
	// WALVerify also checks WAL integrity with `wal-g wal-verify integrity
	// timeline --json` (run when command is used) ...
	WALVerify bool `yaml:"wal_verify,omitempty"`
	// ... or reads that JSON from this file.
	WALVerifyFile    string `yaml:"wal_verify_file,omitempty"`
	BackupThresholds `yaml:",inline"`
}

// SetDefaults implements config.Defaulter.
func (c *WALGCheck) SetDefaults() { c.DefaultCommand(DefaultWALGCommand) }

// Validate implements config.Kind.
func (c *WALGCheck) Validate(path string, p *config.Problems) {
	c.ValidateSource(path, DefaultWALGCommand, p)
	if c.WALVerify && c.File != "" && c.WALVerifyFile == "" {
		p.Addf(path+".wal_verify", "with file:, wal-g is not run; give wal_verify_file: with the JSON of `wal-g wal-verify integrity timeline --json`")
	}
	c.BackupThresholds.validate(path, p)
}

// BarmanCheck reads Barman's `-f json list-backups` (and, with check,
// `-f json check`), by running barman or from files a job wrote.
type BarmanCheck struct {
	CommandOrFile `yaml:",inline"`
	// Server limits the check to one Barman server (a section of
	// barman.conf); default every server in the output.
	Server string `yaml:"server,omitempty"`
	// Check also runs `barman -f json check` (with command): every one of
	// Barman's own checks must be OK ...
	Check bool `yaml:"check,omitempty"`
	// ... or reads that JSON from this file.
	CheckFile        string `yaml:"check_file,omitempty"`
	BackupThresholds `yaml:",inline"`
}

// SetDefaults implements config.Defaulter.
func (c *BarmanCheck) SetDefaults() { c.DefaultCommand(DefaultBarmanCommand) }

// barmanServerRE is what Barman accepts as a server name (a configuration
// section); "all" is its word for every server.
var barmanServerRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// Validate implements config.Kind.
func (c *BarmanCheck) Validate(path string, p *config.Problems) {
	c.ValidateSource(path, DefaultBarmanCommand, p)
	if c.Server != "" && (!barmanServerRE.MatchString(c.Server) || c.Server == "all") {
		p.Addf(path+".server", "%q is not a Barman server name; use letters, digits, _, . and - (leave server out for every server)", c.Server)
	}
	if c.Check && c.File != "" && c.CheckFile == "" {
		p.Addf(path+".check", "with file:, barman is not run; give check_file: with the JSON of `barman -f json check`")
	}
	c.BackupThresholds.validate(path, p)
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

// DumpFolderCheck inspects a folder of pg_dump files (custom, directory or
// plain SQL, optionally gzip-compressed).
type DumpFolderCheck struct {
	DumpSelection    `yaml:",inline"`
	BackupThresholds `yaml:",inline"`
	// MinSize: a newest dump smaller than this fails (a failed pg_dump | gzip
	// still leaves a small file).
	MinSize config.ByteSize `yaml:"min_size,omitempty"`
	// FailureMarker is a file the backup script leaves when it fails (e.g.
	// .backup_error); a name without a folder is looked up in the folder of
	// the glob. Its presence fails the check.
	FailureMarker string `yaml:"failure_marker,omitempty"`
	// Secure fails dumps readable or writable by every user (default true).
	Secure *bool `yaml:"secure,omitempty"`
	// IsolatedFrom is the database's data directory: the dumps must be on
	// another filesystem ("isolated").
	IsolatedFrom string `yaml:"isolated_from,omitempty"`
	// SidecarReplaceSuffix names the sidecar by replacing this end of the
	// dump's name with sidecar_suffix instead of appending it: .sql.gz with
	// sidecar_suffix .meta reads backup_x.meta beside backup_x.sql.gz.
	SidecarReplaceSuffix string `yaml:"sidecar_replace_suffix,omitempty"`
	// RequireSidecar fails the check when the newest dump has no sidecar.
	RequireSidecar bool `yaml:"require_sidecar,omitempty"`
}

// SetDefaults implements config.Defaulter.
func (c *DumpFolderCheck) SetDefaults() {
	c.DumpSelection.setDefaults()
	if c.Secure == nil {
		t := true
		c.Secure = &t
	}
}

// Validate implements config.Kind.
func (c *DumpFolderCheck) Validate(path string, p *config.Problems) {
	c.DumpSelection.validate(path, p)
	c.BackupThresholds.validate(path, p)
	if c.MinSize < 0 {
		p.Addf(path+".min_size", "must not be negative")
	}
	if strings.ContainsRune(c.SidecarReplaceSuffix, '/') {
		p.Addf(path+".sidecar_replace_suffix", "%q is not the end of a file name; write e.g. .sql.gz", c.SidecarReplaceSuffix)
	}
}

// RestoreTable is a table whose rows the restore check counts.
type RestoreTable struct {
	// Name is the table, optionally schema-qualified (public.students).
	Name string `yaml:"name"`
	// MinRows is the fewest rows the restored table must have.
	MinRows int64 `yaml:"min_rows,omitempty"`
}

// PgBackRestVerify runs `pgbackrest verify` as part of the restore check.
type PgBackRestVerify struct {
	Stanza     string `yaml:"stanza"`
	Command    string `yaml:"command,omitempty"`
	ConfigFile string `yaml:"config_file,omitempty"`
}

// RestoreCheck restores the newest dump into a scratch database on a
// scratch server, counts rows and drops the scratch database again. It is
// meant to run with background: true and a long interval.
type RestoreCheck struct {
	DumpSelection `yaml:",inline"`
	// DSN is the server the scratch database is created on (its database
	// is the one connected to for CREATE/DROP DATABASE, e.g. postgres).
	DSN string `yaml:"dsn,omitempty"`
	// Target names a postgres_targets entry to use instead of dsn (and its
	// password and TLS settings).
	Target string `yaml:"target,omitempty"`
	// Password, PasswordFile and PasswordRef give dsn's password; at most
	// one (PasswordRef names an environment variable).
	Password     config.Secret `yaml:"password,omitempty"`
	PasswordFile string        `yaml:"password_file,omitempty"`
	PasswordRef  string        `yaml:"password_ref,omitempty"`
	// PasswordEnv is password_ref's old name.
	PasswordEnv string `yaml:"password_env,omitempty" deprecated:"write password_ref: with the same variable name"`
	// ScratchPrefix starts every scratch database's name; only databases
	// with this prefix are ever dropped.
	ScratchPrefix string `yaml:"scratch_prefix,omitempty"`
	// BinDir holds pg_restore, psql and gzip; default: PATH.
	BinDir string `yaml:"bin_dir,omitempty"`
	// Tables are counted after the restore.
	Tables []RestoreTable `yaml:"tables,omitempty"`
	// SourceDSN, when set, is the database the dump came from: each table
	// must have at least source_min_ratio of its rows there.
	SourceDSN string `yaml:"source_dsn,omitempty"`
	// SourceTarget names a postgres_targets entry instead of source_dsn.
	SourceTarget string `yaml:"source_target,omitempty"`
	// SourcePassword, SourcePasswordFile and SourcePasswordRef give
	// source_dsn's password, as password* do for dsn.
	SourcePassword     config.Secret `yaml:"source_password,omitempty"`
	SourcePasswordFile string        `yaml:"source_password_file,omitempty"`
	SourcePasswordRef  string        `yaml:"source_password_ref,omitempty"`
	// SourcePasswordEnv is source_password_ref's old name.
	SourcePasswordEnv string  `yaml:"source_password_env,omitempty" deprecated:"write source_password_ref: with the same variable name"`
	SourceMinRatio    float64 `yaml:"source_min_ratio,omitempty"`
	// PgBackRestVerify also runs `pgbackrest verify` for a stanza.
	PgBackRestVerify *PgBackRestVerify `yaml:"pgbackrest_verify,omitempty"`
	// MaxDuration fails a restore test that took longer (the recovery time
	// objective).
	MaxDuration model.Duration `yaml:"max_duration,omitempty"`
	// StateFile keeps the last result (attempt, success, last success) on
	// disk, so that a restart or reload neither forgets when the restore
	// last worked nor starts a long restore again before the interval is
	// over. Relative to the configuration file; empty keeps it in memory.
	StateFile string `yaml:"state_file,omitempty"`
}

var (
	scratchPrefixRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{3,39}$`)
	tableNameRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$`)
)

// SetDefaults implements config.Defaulter.
func (c *RestoreCheck) SetDefaults() {
	// The old *_env names are read as the *_ref ones, here and only here.
	config.FoldDeprecatedRef(&c.PasswordRef, &c.PasswordEnv)
	config.FoldDeprecatedRef(&c.SourcePasswordRef, &c.SourcePasswordEnv)
	c.DumpSelection.setDefaults()
	if c.ScratchPrefix == "" {
		c.ScratchPrefix = DefaultScratchPrefix
	}
	if c.SourceMinRatio == 0 {
		c.SourceMinRatio = DefaultSourceMinRatio
	}
	if v := c.PgBackRestVerify; v != nil && v.Command == "" {
		v.Command = DefaultPgBackRestCommand
	}
}

// Validate implements config.Kind.
func (c *RestoreCheck) Validate(path string, p *config.Problems) {
	var i int
	if _, err := fmt.Sscanf(path, "checks[%d]", &i); err == nil && i < len(p.Config().Checks) {
		if ch := p.Config().Checks[i]; ch != nil && !ch.Background {
			p.Addf(strings.TrimSuffix(path, ".restore")+".background", "a restore test is too slow for a scrape; add background: true with an interval such as 1d (and a timeout such as 30m)")
		}
	}
	if c.Glob == "" && c.PgBackRestVerify == nil {
		p.Addf(path+".glob", "missing; give the dumps' glob (the newest is restored) or pgbackrest_verify:")
	}
	if c.Glob != "" {
		c.DumpSelection.validate(path, p)
		if c.DSN == "" && c.Target == "" {
			p.Addf(path+".dsn", "missing; give the scratch server's DSN, e.g. postgres://postgres@127.0.0.1:5432/postgres, or target: naming a postgres_targets entry")
		}
	}
	if !scratchPrefixRE.MatchString(c.ScratchPrefix) {
		p.Addf(path+".scratch_prefix", "%q is not a safe prefix; use 4 to 40 lower-case letters, digits and _, e.g. %s", c.ScratchPrefix, DefaultScratchPrefix)
	}
	if c.DSN != "" && c.Target != "" {
		p.Addf(path+".target", "give either dsn or target, not both")
	}
	config.ValidateDSNSSLMode(path+".dsn", c.DSN, p)
	config.ValidateDSNSSLMode(path+".source_dsn", c.SourceDSN, p)
	if c.SourceDSN != "" && c.SourceTarget != "" {
		p.Addf(path+".source_target", "give either source_dsn or source_target, not both")
	}
	for _, t := range []struct{ key, name string }{{"target", c.Target}, {"source_target", c.SourceTarget}} {
		if t.name != "" {
			if _, ok := p.Config().PostgresTargets[t.name]; !ok {
				p.Addf(path+"."+t.key, "%q is not defined; define it under postgres_targets or use one of%s", t.name, config.TargetList(p.Config().PostgresTargets))
			}
		}
	}
	dsn, key := c.DSN, ".dsn"
	if t := p.Config().PostgresTargets[c.Target]; c.Target != "" && t != nil {
		dsn, key = t.DSN, ".target"
	}
	if db := dsnDatabase(dsn); dsn != "" && strings.HasPrefix(db, c.ScratchPrefix) {
		p.Addf(path+key, "the scratch server's database %q starts with the scratch prefix; connect to a maintenance database such as postgres", db)
	}
	config.ValidateSecret(path+".password", "password", c.Password, c.PasswordFile, c.PasswordRef, c.PasswordEnv, p)
	config.ValidateSecret(path+".source_password", "source_password", c.SourcePassword, c.SourcePasswordFile, c.SourcePasswordRef, c.SourcePasswordEnv, p)
	for i, t := range c.Tables {
		if !tableNameRE.MatchString(t.Name) {
			p.Addf(fmt.Sprintf("%s.tables[%d].name", path, i), "%q is not a table name; write table or schema.table", t.Name)
		}
		if t.MinRows < 0 {
			p.Addf(fmt.Sprintf("%s.tables[%d].min_rows", path, i), "must not be negative")
		}
	}
	if c.SourceMinRatio < 0 || c.SourceMinRatio > 1 {
		p.Addf(path+".source_min_ratio", "must be between 0 and 1 (e.g. 0.95: the restore has at least 95%% of the source's rows)")
	}
	if (c.SourceDSN != "" || c.SourceTarget != "") && len(c.Tables) == 0 {
		p.Addf(path+".source_dsn", "set, but no tables: list the tables whose rows are compared")
	}
	if v := c.PgBackRestVerify; v != nil && !stanzaRE.MatchString(v.Stanza) {
		p.Addf(path+".pgbackrest_verify.stanza", "missing or not a stanza name")
	}
	if c.StateFile != "" && (strings.HasSuffix(c.StateFile, "/") || filepath.Base(c.StateFile) == "." || filepath.Base(c.StateFile) == "..") {
		p.Addf(path+".state_file", "%q is a folder; name a file in it, e.g. /var/lib/golive/restore-state.json", c.StateFile)
	}
}

var dsnDBKeyRE = regexp.MustCompile(`(?:^|\s)dbname\s*=\s*'?([^'\s]*)`)

// dsnDatabase returns the database named in a URL or keyword DSN ("" when
// none is named).
func dsnDatabase(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		rest := dsn[strings.Index(dsn, "://")+3:]
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			db := rest[i+1:]
			if j := strings.IndexByte(db, '?'); j >= 0 {
				db = db[:j]
			}
			return db
		}
		return ""
	}
	if m := dsnDBKeyRE.FindStringSubmatch(dsn); m != nil {
		return m[1]
	}
	return ""
}

// Formats of the restore_result check.
const (
	RestoreResultAuto  = "auto"
	RestoreResultJSON  = "json"
	RestoreResultJUnit = "junit"
)

// RestoreResultCheck reads the result a separate restore job left: a marker
// JSON ({"status": "success", "finished_at": ...}) or a JUnit report.
type RestoreResultCheck struct {
	File string `yaml:"file"`
	// Format is auto (by extension: .xml is JUnit), json or junit.
	Format string `yaml:"format,omitempty"`
	// MaxAge is the oldest the result may be (e.g. 8d for a weekly test).
	MaxAge model.Duration `yaml:"max_age,omitempty"`
	// MaxSize bounds the file read (default 64MiB).
	MaxSize config.ByteSize `yaml:"max_size,omitempty"`
	// MaxDuration fails a result whose restore took longer (when the marker
	// gives duration_seconds).
	MaxDuration model.Duration `yaml:"max_duration,omitempty"`
}

// SetDefaults implements config.Defaulter.
func (c *RestoreResultCheck) SetDefaults() {
	if c.Format == "" {
		c.Format = RestoreResultAuto
	}
	if c.MaxSize <= 0 {
		c.MaxSize = DefaultMaxOutput
	}
}

// Validate implements config.Kind.
func (c *RestoreResultCheck) Validate(path string, p *config.Problems) {
	if c.File == "" {
		p.Addf(path+".file", "missing; give the marker JSON or JUnit report the restore job writes")
	}
	switch c.Format {
	case RestoreResultAuto, RestoreResultJSON, RestoreResultJUnit:
	default:
		p.Addf(path+".format", "unknown format %q; write auto, json or junit", c.Format)
	}
	if c.MaxAge < 0 {
		p.Addf(path+".max_age", "must not be negative")
	}
}

// MarshalYAML masks passwords written into the DSNs (config endpoint).
func (c RestoreCheck) MarshalYAML() (any, error) {
	type plain RestoreCheck
	p := plain(c)
	p.DSN = config.MaskDSN(p.DSN)
	p.SourceDSN = config.MaskDSN(p.SourceDSN)
	return p, nil
}
