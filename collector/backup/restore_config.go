package backup

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/prometheus/common/model"

	"github.com/golive/golive_exporter/config"
)

var (
	_ config.Kind      = (*RestoreCheck)(nil)
	_ config.Defaulter = (*RestoreCheck)(nil)
)

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

// MarshalYAML masks passwords written into the DSNs (config endpoint).
func (c RestoreCheck) MarshalYAML() (any, error) {
	type plain RestoreCheck
	p := plain(c)
	p.DSN = config.MaskDSN(p.DSN)
	p.SourceDSN = config.MaskDSN(p.SourceDSN)
	return p, nil
}
