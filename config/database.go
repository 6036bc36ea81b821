package config

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
)

// PostgresTarget is a PostgreSQL server that checks name by key. The
// exporter keeps one small connection pool per target, shared by every check
// on it, so it can never be the reason a database runs out of connections.
type PostgresTarget struct {
	// DSN is a libpq connection string, URL (postgres://user@host:5432/db)
	// or keyword form (host=... user=... dbname=...). Keep the password out
	// of it: use password_file or password_ref.
	DSN string `yaml:"dsn"`
	// Password, PasswordFile and PasswordRef give the password; at most
	// one. PasswordRef names an environment variable, read through the
	// same secret manager as the HTTP kinds' password_ref.
	Password     Secret `yaml:"password,omitempty"`
	PasswordFile string `yaml:"password_file,omitempty"`
	PasswordRef  string `yaml:"password_ref,omitempty"`
	// PasswordEnv is password_ref's old name.
	PasswordEnv string `yaml:"password_env,omitempty" deprecated:"write password_ref: with the same variable name"`
	// SSLMode overrides the DSN's sslmode (disable, allow, prefer, require,
	// verify-ca, verify-full).
	SSLMode string `yaml:"sslmode,omitempty"`
	// SSLRootCert, SSLCert and SSLKey are PEM files (relative to the config
	// file) for verify-ca/verify-full and client certificates.
	SSLRootCert string `yaml:"sslrootcert,omitempty"`
	SSLCert     string `yaml:"sslcert,omitempty"`
	SSLKey      string `yaml:"sslkey,omitempty"`
	// MaxConnections bounds the target's pool (1 to 4; default 2).
	MaxConnections int `yaml:"max_connections,omitempty"`
	// ConnectTimeout bounds opening one connection (default 5s).
	ConnectTimeout model.Duration `yaml:"connect_timeout,omitempty"`
	// AllowPrivilegedRole lets sql checks run as a superuser or a member of
	// pg_execute_server_program, pg_write_server_files,
	// pg_read_server_files or pg_signal_backend. Dangerous: such a role's
	// query can run shell commands, read and write server files and end
	// other sessions whatever the read-only transaction. Without it, sql
	// checks on the target refuse to run as such a role.
	AllowPrivilegedRole bool `yaml:"allow_privileged_role,omitempty"`
}

// DefaultDatabaseInterval is the interval of a postgres, postgres_migrations,
// postgres_indexes or sql check whose configuration sets none (or the
// check's timeout, when longer).
const DefaultDatabaseInterval = 15 * time.Second

// databaseKinds are the kinds DefaultDatabaseInterval applies to: the ones
// that query PostgreSQL.
var databaseKinds = map[string]bool{"postgres": true, "postgres_migrations": true, "postgres_indexes": true, "sql": true}

// Defaults and bounds of PostgresTarget.
const (
	DefaultPostgresMaxConns = 2
	MaxPostgresMaxConns     = 4
	DefaultConnectTimeout   = 5 * time.Second
)

// SetDefaults implements Defaulter.
func (t *PostgresTarget) SetDefaults() {
	if t.MaxConnections == 0 {
		t.MaxConnections = DefaultPostgresMaxConns
	}
	if t.ConnectTimeout <= 0 {
		t.ConnectTimeout = model.Duration(DefaultConnectTimeout)
	}
}

var sslModes = map[string]bool{"disable": true, "allow": true, "prefer": true, "require": true, "verify-ca": true, "verify-full": true}

// Validate implements Validator.
func (t *PostgresTarget) Validate(path string, p *Problems) {
	if strings.TrimSpace(t.DSN) == "" {
		p.Addf(path+".dsn", "dsn is missing; write e.g. postgres://monitor@db.example.com:5432/app?sslmode=verify-full")
	} else if strings.HasPrefix(t.DSN, "postgres://") || strings.HasPrefix(t.DSN, "postgresql://") {
		if _, err := url.Parse(t.DSN); err != nil {
			p.Addf(path+".dsn", "dsn %s is not a valid URL; write postgres://user@host:5432/dbname", MaskDSN(t.DSN))
		}
	} else if !strings.Contains(t.DSN, "=") {
		p.Addf(path+".dsn", "dsn %q is neither a postgres:// URL nor key=value pairs; write postgres://user@host:5432/dbname", MaskDSN(t.DSN))
	}
	if (t.PasswordFile != "" || t.PasswordRef != "" || t.PasswordEnv != "" || t.Password != "") && DSNPassword(t.DSN) != "" {
		p.Addf(path+".dsn", "the dsn carries a password and password/password_file/password_ref is set too; keep only password_file or password_ref")
	}
	ValidateSecret(path+".password", "password", t.Password, t.PasswordFile, t.PasswordRef, t.PasswordEnv, p)
	if t.SSLMode != "" && !sslModes[t.SSLMode] {
		p.Addf(path+".sslmode", "sslmode %q is not known; write one of disable, allow, prefer, require, verify-ca, verify-full", t.SSLMode)
	}
	ValidateDSNSSLMode(path+".dsn", t.DSN, p)
	if t.MaxConnections < 1 || t.MaxConnections > MaxPostgresMaxConns {
		p.Addf(path+".max_connections", "max_connections is %d; write 1 to %d (the exporter must stay a small client)", t.MaxConnections, MaxPostgresMaxConns)
	}
	if !t.AllowPrivilegedRole && DSNUser(t.DSN) == "postgres" {
		name := strings.TrimPrefix(path, "postgres_targets.")
		var sqlChecks []string
		for _, c := range p.Config().Checks {
			if c != nil && c.SQL != nil && c.SQL.Target == name {
				sqlChecks = append(sqlChecks, c.Name)
			}
		}
		if len(sqlChecks) > 0 {
			p.Addf(path+".dsn", "the dsn connects as postgres, the superuser, and sql checks (%s) use this target: their queries could run shell commands and read or write server files whatever the read-only transaction. %s",
				strings.Join(sqlChecks, ", "), LeastPrivilegeAdvice(name))
		}
	}
}

// ValidateDSNSSLMode refuses a DSN whose sslmode PostgreSQL's clients do
// not know (verify_full, requires): found at --config.check, not on the
// first connection.
func ValidateDSNSSLMode(path, dsn string, p *Problems) {
	if m := DSNParam(dsn, "sslmode"); m != "" && !sslModes[m] {
		p.Addf(path, "sslmode %q in the dsn is not known; write one of disable, allow, prefer, require, verify-ca, verify-full", m)
	}
}

var dsnKVParamRE = regexp.MustCompile(`(?:^|\s)([a-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))`)

// DSNParam returns a parameter of a URL (postgres://...?key=value) or
// keyword (key=value ...) DSN, "" when it is absent.
func DSNParam(dsn, key string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return ""
		}
		return u.Query().Get(key)
	}
	for _, m := range dsnKVParamRE.FindAllStringSubmatch(dsn, -1) {
		if m[1] == key {
			return m[2] + m[3]
		}
	}
	return ""
}

// LeastPrivilegeAdvice says what to do about a privileged role on the
// named postgres target: the SQL that creates a least-privilege role, or
// the dangerous way out.
func LeastPrivilegeAdvice(target string) string {
	return "Connect as a least-privilege role instead: CREATE ROLE golive_monitor LOGIN PASSWORD '...' IN ROLE pg_monitor; " +
		"GRANT SELECT ON ALL TABLES IN SCHEMA public TO golive_monitor; or, knowing the danger, set allow_privileged_role: true on postgres target " +
		target + " (see docs/database.md)"
}

var dsnKVUserRE = regexp.MustCompile(`(?i)(?:^|\s)user\s*=\s*('(?:[^'\\]|\\.)*'|[^\s]*)`)

// DSNUser returns the role a DSN names (URL user or user parameter, or
// the keyword form's user=), or "" when it names none.
func DSNUser(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return ""
		}
		if q := u.Query().Get("user"); q != "" {
			return q
		}
		if u.User != nil {
			return u.User.Username()
		}
		return ""
	}
	if m := dsnKVUserRE.FindStringSubmatch(dsn); m != nil {
		return strings.Trim(m[1], "'")
	}
	return ""
}

// MarshalYAML masks the password in the DSN and the inline password for the
// config endpoint.
func (t PostgresTarget) MarshalYAML() (any, error) {
	type plain PostgresTarget
	c := plain(t)
	c.DSN = MaskDSN(t.DSN)
	return c, nil
}

var (
	// dsnURLPassRE finds the user (1) and password (2) of a postgres://
	// URL, also when the URL does not parse.
	dsnURLPassRE = regexp.MustCompile(`^(postgres(?:ql)?://[^:@/]*):([^@/]*)@`)
	dsnKVPassRE  = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]*)`)
	dsnQueryPass = regexp.MustCompile(`(?i)([?&]password=)[^&]*`)
)

// MaskDSN replaces the password in a DSN (URL or keyword form) with <secret>.
func MaskDSN(dsn string) string {
	s := dsnURLPassRE.ReplaceAllString(dsn, "$1:<secret>@")
	s = dsnQueryPass.ReplaceAllString(s, "$1<secret>")
	if !strings.Contains(s, "://") {
		s = dsnKVPassRE.ReplaceAllString(s, "$1<secret>")
	}
	return s
}

// DSNPassword returns the password a DSN carries, or "".
func DSNPassword(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			if m := dsnURLPassRE.FindStringSubmatch(dsn); m != nil {
				return m[2]
			}
			return ""
		}
		if pw, ok := u.User.Password(); ok {
			return pw
		}
		return u.Query().Get("password")
	}
	if m := dsnKVPassRE.FindStringSubmatch(dsn); m != nil {
		return strings.Trim(m[2], "'")
	}
	return ""
}

// WithDSNParams returns dsn (URL or keyword form) with the non-empty params
// set: a URL's query values replaced, keywords appended in name order (a
// later keyword wins in libpq and pgx). A postgres:// DSN that is not a
// valid URL is an error.
func WithDSNParams(dsn string, params map[string]string) (string, error) {
	set := map[string]string{}
	for k, v := range params {
		if v != "" {
			set[k] = v
		}
	}
	if len(set) == 0 {
		return dsn, nil
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("dsn %s is not a valid URL", MaskDSN(dsn))
		}
		q := u.Query()
		for k, v := range set {
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	var b strings.Builder
	b.WriteString(dsn)
	for _, k := range slices.Sorted(maps.Keys(set)) {
		fmt.Fprintf(&b, " %s='%s'", k, strings.ReplaceAll(strings.ReplaceAll(set[k], `\`, `\\`), `'`, `\'`))
	}
	return b.String(), nil
}

// RedisTarget is a Redis server that checks name by key.
type RedisTarget struct {
	// Address is host:port.
	Address string `yaml:"address"`
	// Username is the ACL user (Redis 6+); empty for the default user.
	Username string `yaml:"username,omitempty"`
	// Password, PasswordFile and PasswordRef give the password; at most
	// one. PasswordRef names an environment variable, read through the
	// same secret manager as the HTTP kinds' password_ref.
	Password     Secret `yaml:"password,omitempty"`
	PasswordFile string `yaml:"password_file,omitempty"`
	PasswordRef  string `yaml:"password_ref,omitempty"`
	// PasswordEnv is password_ref's old name.
	PasswordEnv string `yaml:"password_env,omitempty" deprecated:"write password_ref: with the same variable name"`
	// DB is the database number the checks use (default 0).
	DB int `yaml:"db,omitempty"`
	// TLS, when set, connects over TLS: prometheus/common's TLS settings,
	// as in the HTTP kinds (ca_file, cert_file, key_file, their inline and
	// *_ref forms, server_name, insecure_skip_verify, min_version).
	TLS *commoncfg.TLSConfig `yaml:"tls,omitempty"`
	// MaxConnections bounds the target's pool (1 to 4; default 2).
	MaxConnections int `yaml:"max_connections,omitempty"`
	// ConnectTimeout bounds opening one connection (default 5s).
	ConnectTimeout model.Duration `yaml:"connect_timeout,omitempty"`
}

// SetDefaults implements Defaulter.
func (t *RedisTarget) SetDefaults() {
	if t.MaxConnections == 0 {
		t.MaxConnections = DefaultPostgresMaxConns
	}
	if t.ConnectTimeout <= 0 {
		t.ConnectTimeout = model.Duration(DefaultConnectTimeout)
	}
}

// Validate implements Validator.
func (t *RedisTarget) Validate(path string, p *Problems) {
	validateHostPort(path+".address", t.Address, p)
	ValidateSecret(path+".password", "password", t.Password, t.PasswordFile, t.PasswordRef, t.PasswordEnv, p)
	if t.DB < 0 || t.DB > 15 {
		p.Addf(path+".db", "db is %d; write a database number from 0 to 15", t.DB)
	}
	if t.MaxConnections < 1 || t.MaxConnections > MaxPostgresMaxConns {
		p.Addf(path+".max_connections", "max_connections is %d; write 1 to %d", t.MaxConnections, MaxPostgresMaxConns)
	}
	if t.TLS != nil {
		if err := t.TLS.Validate(); err != nil {
			p.Addf(path+".tls", "%v", err)
		}
	}
}

// validatePostgresTarget reports a check's target that names no
// postgres_targets entry.
func validatePostgresTarget(path, target string, p *Problems) {
	validateTarget(path, target, "postgres_targets", p.Config().PostgresTargets, p)
}

// validateTarget reports a check's target (at path.target) that is missing
// or names no entry of targets, the section called section.
func validateTarget[V any](path, target, section string, targets map[string]V, p *Problems) {
	if target == "" {
		p.Addf(path+".target", "target is missing; name one of %s%s", section, targetList(targets))
		return
	}
	if _, ok := targets[target]; !ok {
		p.Addf(path+".target", "target %q is not defined; define it under %s or use one of%s", target, section, targetList(targets))
	}
}

func targetList[V any](m map[string]V) string {
	if len(m) == 0 {
		return " (none defined yet)"
	}
	return ": " + strings.Join(sortedKeys(m), ", ")
}

// PostgresCheck reports a PostgreSQL server's health figures: connectivity,
// probe latency, version, recovery, connections, transactions, replication,
// size, WAL archiving and checksum failures.
type PostgresCheck struct {
	// Target names a postgres_targets entry.
	Target string `yaml:"target"`
	// MaxP95 fails the check when the p95 of the recent probe latencies
	// (latency_window probes) exceeds it (default 500ms).
	MaxP95 model.Duration `yaml:"max_p95,omitempty"`
	// LatencyWindow is how many recent probes the p95 covers (default 100).
	LatencyWindow int `yaml:"latency_window,omitempty"`
	// ProbesPerRun is how many SELECT 1 round trips each run times (default 3).
	ProbesPerRun int `yaml:"probes_per_run,omitempty"`
	// MaxConnectionsRatio fails when connections in use exceed this share of
	// max_connections (default 0.9).
	MaxConnectionsRatio float64 `yaml:"max_connections_ratio,omitempty"`
	// MaxTransactionAge fails when a transaction has run longer (default
	// 1h).
	MaxTransactionAge model.Duration `yaml:"max_transaction_age,omitempty"`
	// MaxReplicationLag fails a replica lagging more (0: not checked).
	MaxReplicationLag model.Duration `yaml:"max_replication_lag,omitempty"`
	// ExpectRole is primary or replica ("" accepts either).
	ExpectRole string `yaml:"expect_role,omitempty"`
	// RequireArchiving fails when archive_mode is off; with archiving on,
	// a failure newer than the last success always fails.
	RequireArchiving bool `yaml:"require_archiving,omitempty"`
	// MaxArchiveAge fails when the newest archived WAL is older (0: not
	// checked).
	MaxArchiveAge model.Duration `yaml:"max_archive_age,omitempty"`
}

// Defaults of PostgresCheck.
const (
	DefaultPostgresMaxP95        = 500 * time.Millisecond
	DefaultLatencyWindow         = 100
	DefaultProbesPerRun          = 3
	DefaultMaxConnectionsRatio   = 0.9
	DefaultMaxTransactionAge     = time.Hour
	DefaultSQLMaxRows            = 20
	DefaultLockTimeout           = 2 * time.Second
	DefaultRedisScanMaxKeys      = 10000
	DefaultIndexesLargeTableRows = 10000
	DefaultIndexesSeqScanRatio   = 0.5
	DefaultIndexesSlowStatement  = 500 * time.Millisecond
)

// SetDefaults implements Defaulter.
func (c *PostgresCheck) SetDefaults() {
	if c.MaxP95 == 0 {
		c.MaxP95 = model.Duration(DefaultPostgresMaxP95)
	}
	if c.LatencyWindow == 0 {
		c.LatencyWindow = DefaultLatencyWindow
	}
	if c.ProbesPerRun == 0 {
		c.ProbesPerRun = DefaultProbesPerRun
	}
	if c.MaxConnectionsRatio == 0 {
		c.MaxConnectionsRatio = DefaultMaxConnectionsRatio
	}
	if c.MaxTransactionAge == 0 {
		c.MaxTransactionAge = model.Duration(DefaultMaxTransactionAge)
	}
}

// Validate implements Validator.
func (c *PostgresCheck) Validate(path string, p *Problems) {
	validatePostgresTarget(path, c.Target, p)
	if c.MaxP95 < 0 {
		p.Addf(path+".max_p95", "max_p95 must not be negative; write e.g. 500ms")
	}
	if c.LatencyWindow < 1 || c.LatencyWindow > 10000 {
		p.Addf(path+".latency_window", "latency_window is %d; write 1 to 10000 probes", c.LatencyWindow)
	}
	if c.ProbesPerRun < 1 || c.ProbesPerRun > 20 {
		p.Addf(path+".probes_per_run", "probes_per_run is %d; write 1 to 20", c.ProbesPerRun)
	}
	if c.MaxConnectionsRatio <= 0 || c.MaxConnectionsRatio > 1 {
		p.Addf(path+".max_connections_ratio", "max_connections_ratio is %g; write a share above 0 and at most 1, e.g. 0.9", c.MaxConnectionsRatio)
	}
	if c.ExpectRole != "" && c.ExpectRole != "primary" && c.ExpectRole != "replica" {
		p.Addf(path+".expect_role", "expect_role is %q; write primary or replica, or leave it out", c.ExpectRole)
	}
}

// Migration tools PostgresMigrationsCheck knows.
var migrationTools = map[string]string{
	"alembic":        "alembic_version",
	"golang-migrate": "schema_migrations",
	"flyway":         "flyway_schema_history",
	"goose":          "goose_db_version",
	"custom":         "",
}

// PostgresMigrationsCheck checks that schema migrations are at head.
type PostgresMigrationsCheck struct {
	// Target names a postgres_targets entry.
	Target string `yaml:"target"`
	// Tool is alembic, golang-migrate, flyway, goose or custom.
	Tool string `yaml:"tool"`
	// Table overrides the tool's version table (may be schema.table);
	// required for custom.
	Table string `yaml:"table,omitempty"`
	// Column is the version column of a custom table (default version);
	// the greatest value is the applied version.
	Column string `yaml:"column,omitempty"`
	// ExpectedHead is the revision the database must be at.
	ExpectedHead string `yaml:"expected_head,omitempty"`
	// MigrationsDir is the application's migrations folder (relative to the
	// config file) from which the head is read: Alembic versions/*.py,
	// golang-migrate and goose NNN_name files, Flyway V<version>__name.sql.
	MigrationsDir string `yaml:"migrations_dir,omitempty"`
}

// SetDefaults implements Defaulter.
func (c *PostgresMigrationsCheck) SetDefaults() {
	if c.Table == "" {
		c.Table = migrationTools[c.Tool]
	}
	if c.Tool == "custom" && c.Column == "" {
		c.Column = "version"
	}
}

var sqlIdentRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$`)

// Validate implements Validator.
func (c *PostgresMigrationsCheck) Validate(path string, p *Problems) {
	validatePostgresTarget(path, c.Target, p)
	if _, ok := migrationTools[c.Tool]; !ok {
		p.Addf(path+".tool", "tool %q is not known; write alembic, golang-migrate, flyway, goose or custom", c.Tool)
		return
	}
	if c.Table == "" {
		p.Addf(path+".table", "a custom migrations check needs table: (and column:, default version)")
	} else if !sqlIdentRE.MatchString(c.Table) {
		p.Addf(path+".table", "table %q is not a plain identifier; write name or schema.name", c.Table)
	}
	if c.Column != "" && !sqlIdentRE.MatchString(c.Column) {
		p.Addf(path+".column", "column %q is not a plain identifier", c.Column)
	}
	if c.ExpectedHead == "" && c.MigrationsDir == "" {
		p.Addf(path, "say where the head comes from: expected_head: <revision> or migrations_dir: <folder>")
	}
	if c.ExpectedHead != "" && c.MigrationsDir != "" {
		p.Addf(path+".expected_head", "expected_head and migrations_dir are both set; keep one")
	}
	if c.MigrationsDir != "" && c.Tool == "custom" {
		p.Addf(path+".migrations_dir", "migrations_dir is not read for tool custom; write expected_head")
	}
}

// PostgresIndexesCheck reports index health: invalid indexes, foreign keys
// without a supporting index, unused indexes and sequential-scan-heavy
// tables, and with pg_stat_statements the slow statements.
type PostgresIndexesCheck struct {
	// Target names a postgres_targets entry.
	Target string `yaml:"target"`
	// Schemas limits the tables looked at (default: every non-system schema).
	Schemas []string `yaml:"schemas,omitempty"`
	// LargeTableRows is the estimated row count from which a table counts
	// as large for the unused-index and seq-scan figures (default 10000).
	LargeTableRows int64 `yaml:"large_table_rows,omitempty"`
	// SeqScanRatio marks a large table seq-scan heavy when this share of its
	// scans are sequential (default 0.5).
	SeqScanRatio float64 `yaml:"seq_scan_ratio,omitempty"`
	// SlowStatementMean is the mean execution time above which a
	// pg_stat_statements entry counts as slow (default 500ms).
	SlowStatementMean model.Duration `yaml:"slow_statement_mean,omitempty"`
	// MaxInvalidIndexes fails above it (default 0).
	MaxInvalidIndexes *int `yaml:"max_invalid_indexes,omitempty"`
	// MaxUnindexedForeignKeys fails above it (default 0).
	MaxUnindexedForeignKeys *int `yaml:"max_unindexed_foreign_keys,omitempty"`
	// MaxUnusedIndexes, MaxSeqScanTables and MaxSlowStatements fail above
	// them; unset, a non-zero count only warns.
	MaxUnusedIndexes  *int `yaml:"max_unused_indexes,omitempty"`
	MaxSeqScanTables  *int `yaml:"max_seq_scan_tables,omitempty"`
	MaxSlowStatements *int `yaml:"max_slow_statements,omitempty"`
}

// SetDefaults implements Defaulter.
func (c *PostgresIndexesCheck) SetDefaults() {
	if c.LargeTableRows == 0 {
		c.LargeTableRows = DefaultIndexesLargeTableRows
	}
	if c.SeqScanRatio == 0 {
		c.SeqScanRatio = DefaultIndexesSeqScanRatio
	}
	if c.SlowStatementMean == 0 {
		c.SlowStatementMean = model.Duration(DefaultIndexesSlowStatement)
	}
	zero := 0
	if c.MaxInvalidIndexes == nil {
		c.MaxInvalidIndexes = &zero
	}
	if c.MaxUnindexedForeignKeys == nil {
		z := 0
		c.MaxUnindexedForeignKeys = &z
	}
}

// Validate implements Validator.
func (c *PostgresIndexesCheck) Validate(path string, p *Problems) {
	validatePostgresTarget(path, c.Target, p)
	if c.LargeTableRows < 0 {
		p.Addf(path+".large_table_rows", "large_table_rows must not be negative")
	}
	if c.SeqScanRatio <= 0 || c.SeqScanRatio > 1 {
		p.Addf(path+".seq_scan_ratio", "seq_scan_ratio is %g; write a share above 0 and at most 1", c.SeqScanRatio)
	}
	for _, m := range []struct {
		name string
		v    *int
	}{{"max_invalid_indexes", c.MaxInvalidIndexes}, {"max_unindexed_foreign_keys", c.MaxUnindexedForeignKeys},
		{"max_unused_indexes", c.MaxUnusedIndexes}, {"max_seq_scan_tables", c.MaxSeqScanTables}, {"max_slow_statements", c.MaxSlowStatements}} {
		if m.v != nil && *m.v < 0 {
			p.Addf(path+"."+m.name, "%s must not be negative", m.name)
		}
	}
}

// SQLCheck runs a read-only query and compares its result. The query
// returns one number (one row, one column), or rows of (label, number).
type SQLCheck struct {
	// Target names a postgres_targets entry.
	Target string `yaml:"target"`
	// Query is one SELECT; it runs in a READ ONLY transaction.
	Query string `yaml:"query"`
	// ExpectedKeys, for a query returning (label, number) rows, are the
	// labels that must each appear; other labels are summed under "other".
	// Without them, labels are taken from the rows, at most max_rows.
	ExpectedKeys []string `yaml:"expected_keys,omitempty"`
	// MaxRows caps the rows read (default 20); more fail the check.
	MaxRows int `yaml:"max_rows,omitempty"`
	// Equals, Min, Max and Between are conditions on the value (every row's
	// value for a rows query).
	Equals  *float64  `yaml:"equals,omitempty"`
	Min     *float64  `yaml:"min,omitempty"`
	Max     *float64  `yaml:"max,omitempty"`
	Between []float64 `yaml:"between,omitempty"`
	// EqualsCheck names another sql check (one number) whose value this
	// one must equal, e.g. imported rows against the legacy export count.
	EqualsCheck string `yaml:"equals_check,omitempty"`
	// StatementTimeout bounds the query inside PostgreSQL (default: the
	// check's timeout).
	StatementTimeout model.Duration `yaml:"statement_timeout,omitempty"`
	// LockTimeout bounds waiting for a lock (default 2s).
	LockTimeout model.Duration `yaml:"lock_timeout,omitempty"`
}

// SetDefaults implements Defaulter.
func (c *SQLCheck) SetDefaults() {
	if c.MaxRows == 0 {
		c.MaxRows = DefaultSQLMaxRows
	}
	if c.LockTimeout == 0 {
		c.LockTimeout = model.Duration(DefaultLockTimeout)
	}
}

// Validate implements Validator.
func (c *SQLCheck) Validate(path string, p *Problems) {
	validatePostgresTarget(path, c.Target, p)
	if strings.TrimSpace(c.Query) == "" {
		p.Addf(path+".query", "query is missing; write one SELECT returning a number, or rows of (label, number)")
	}
	if c.MaxRows < 1 || c.MaxRows > 100 {
		p.Addf(path+".max_rows", "max_rows is %d; write 1 to 100 (each row becomes a labelled series)", c.MaxRows)
	}
	if len(c.Between) != 0 && len(c.Between) != 2 {
		p.Addf(path+".between", "between takes two numbers, [low, high]")
	} else if len(c.Between) == 2 && c.Between[0] > c.Between[1] {
		p.Addf(path+".between", "between [%g, %g] has low above high", c.Between[0], c.Between[1])
	}
	if c.Min != nil && c.Max != nil && *c.Min > *c.Max {
		p.Addf(path+".min", "min %g is above max %g", *c.Min, *c.Max)
	}
	if len(c.ExpectedKeys) > c.MaxRows {
		p.Addf(path+".expected_keys", "%d expected_keys but max_rows is %d; raise max_rows", len(c.ExpectedKeys), c.MaxRows)
	}
	if c.LockTimeout < 0 || c.StatementTimeout < 0 {
		p.Addf(path, "statement_timeout and lock_timeout must not be negative")
	}
	if c.EqualsCheck != "" {
		other := p.Config().CheckByName(c.EqualsCheck)
		switch {
		case other == nil:
			p.Addf(path+".equals_check", "equals_check names %q, which is not a check; name another sql check", c.EqualsCheck)
		case other.SQL == nil:
			p.Addf(path+".equals_check", "equals_check names %q, which is a %s check; it must name an sql check", c.EqualsCheck, other.Kind())
		case other.SQL == c:
			p.Addf(path+".equals_check", "a check cannot be compared with itself")
		case other.SQL.EqualsCheck != "":
			p.Addf(path+".equals_check", "%q itself has equals_check; compare with a check that has none", c.EqualsCheck)
		}
	}
}

// RedisCheck reports a Redis server's health and cache warmth.
type RedisCheck struct {
	// Target names a redis_targets entry.
	Target string `yaml:"target"`
	// ExpectRole is master or replica ("" accepts either).
	ExpectRole string `yaml:"expect_role,omitempty"`
	// RequireMaxmemory fails when maxmemory is 0 (unbounded).
	RequireMaxmemory bool `yaml:"require_maxmemory,omitempty"`
	// MaxmemoryPolicy, when set, is the eviction policy expected
	// (e.g. allkeys-lru).
	MaxmemoryPolicy string `yaml:"maxmemory_policy,omitempty"`
	// MaxUsedMemoryRatio fails when used memory exceeds this share of
	// maxmemory (default 0.9; only with maxmemory set).
	MaxUsedMemoryRatio float64 `yaml:"max_used_memory_ratio,omitempty"`
	// MinHitRatio fails when keyspace hits/(hits+misses) is below it
	// (0: not checked); no lookups yet passes.
	MinHitRatio float64 `yaml:"min_hit_ratio,omitempty"`
	// MinKeys fails when DBSIZE of the target's database is below it.
	MinKeys int64 `yaml:"min_keys,omitempty"`
	// Patterns count keys by bounded SCAN (never KEYS).
	Patterns []RedisPattern `yaml:"patterns,omitempty"`
	// RequirePersistence fails when neither RDB nor AOF is enabled; a
	// failed last save or write always fails.
	RequirePersistence bool `yaml:"require_persistence,omitempty"`
}

// RedisPattern is a key pattern whose keys a Redis check counts.
type RedisPattern struct {
	// Pattern is a SCAN MATCH pattern, e.g. session:*.
	Pattern string `yaml:"pattern"`
	// MinKeys fails when fewer keys match.
	MinKeys int64 `yaml:"min_keys,omitempty"`
	// MaxScan caps the keys visited (default 10000); the count stops there.
	MaxScan int64 `yaml:"max_scan,omitempty"`
}

// SetDefaults implements Defaulter.
func (c *RedisCheck) SetDefaults() {
	if c.MaxUsedMemoryRatio == 0 {
		c.MaxUsedMemoryRatio = 0.9
	}
	for i := range c.Patterns {
		if c.Patterns[i].MaxScan == 0 {
			c.Patterns[i].MaxScan = DefaultRedisScanMaxKeys
		}
	}
}

// Validate implements Validator.
func (c *RedisCheck) Validate(path string, p *Problems) {
	validateTarget(path, c.Target, "redis_targets", p.Config().RedisTargets, p)
	if c.ExpectRole != "" && c.ExpectRole != "master" && c.ExpectRole != "replica" {
		p.Addf(path+".expect_role", "expect_role is %q; write master or replica, or leave it out", c.ExpectRole)
	}
	if c.MaxUsedMemoryRatio <= 0 || c.MaxUsedMemoryRatio > 1 {
		p.Addf(path+".max_used_memory_ratio", "max_used_memory_ratio is %g; write a share above 0 and at most 1", c.MaxUsedMemoryRatio)
	}
	if c.MinHitRatio < 0 || c.MinHitRatio > 1 {
		p.Addf(path+".min_hit_ratio", "min_hit_ratio is %g; write a share from 0 to 1", c.MinHitRatio)
	}
	if len(c.Patterns) > 20 {
		p.Addf(path+".patterns", "%d patterns; at most 20 (each is a labelled series and a SCAN)", len(c.Patterns))
	}
	seen := map[string]bool{}
	for i, pt := range c.Patterns {
		pp := fmt.Sprintf("%s.patterns[%d]", path, i)
		if pt.Pattern == "" {
			p.Addf(pp+".pattern", "pattern is missing; write e.g. session:*")
		}
		if seen[pt.Pattern] {
			p.Addf(pp+".pattern", "pattern %q is listed twice", pt.Pattern)
		}
		seen[pt.Pattern] = true
		if pt.MaxScan < 1 || pt.MaxScan > 1000000 {
			p.Addf(pp+".max_scan", "max_scan is %d; write 1 to 1000000 keys", pt.MaxScan)
		}
		if pt.MinKeys > pt.MaxScan {
			p.Addf(pp+".min_keys", "min_keys %d is above max_scan %d, so it could never pass; raise max_scan", pt.MinKeys, pt.MaxScan)
		}
	}
}
