package database

import (
	"regexp"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

// The database kinds: their settings live here, beside the checks they
// configure, and register under their keys with their factories. The
// postgres_targets they name are global settings and stay in config.
func init() {
	collector.RegisterKind("postgres", func() config.Kind { return new(PostgresCheck) }, newPostgres)
	collector.RegisterKind("postgres_migrations", func() config.Kind { return new(PostgresMigrationsCheck) }, newMigrations)
	collector.RegisterKind("postgres_indexes", func() config.Kind { return new(PostgresIndexesCheck) }, newIndexes)
	collector.RegisterKind("sql", func() config.Kind { return new(SQLCheck) }, newSQL)
}

var (
	_ config.Kind              = (*PostgresCheck)(nil)
	_ config.Defaulter         = (*PostgresCheck)(nil)
	_ config.IntervalDefaulter = (*PostgresCheck)(nil)
	_ config.Kind              = (*PostgresMigrationsCheck)(nil)
	_ config.Defaulter         = (*PostgresMigrationsCheck)(nil)
	_ config.IntervalDefaulter = (*PostgresMigrationsCheck)(nil)
	_ config.Kind              = (*PostgresIndexesCheck)(nil)
	_ config.Defaulter         = (*PostgresIndexesCheck)(nil)
	_ config.IntervalDefaulter = (*PostgresIndexesCheck)(nil)
	_ config.Kind              = (*SQLCheck)(nil)
	_ config.Defaulter         = (*SQLCheck)(nil)
	_ config.IntervalDefaulter = (*SQLCheck)(nil)
	_ config.UserQueries       = (*SQLCheck)(nil)
)

// The database kinds query PostgreSQL: their checks keep a result
// config.DefaultDatabaseInterval (or their timeout, when longer) unless the
// file sets an interval, so that the load on the database does not grow
// with the number of scrapers.

// DefaultsToInterval implements config.IntervalDefaulter.
func (*PostgresCheck) DefaultsToInterval() bool { return true }

// DefaultsToInterval implements config.IntervalDefaulter.
func (*PostgresMigrationsCheck) DefaultsToInterval() bool { return true }

// DefaultsToInterval implements config.IntervalDefaulter.
func (*PostgresIndexesCheck) DefaultsToInterval() bool { return true }

// DefaultsToInterval implements config.IntervalDefaulter.
func (*SQLCheck) DefaultsToInterval() bool { return true }

// UserQueryTarget implements config.UserQueries: an sql check runs the
// query the file writes, on its target.
func (c *SQLCheck) UserQueryTarget() string { return c.Target }

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
	DefaultIndexesLargeTableRows = 10000
	DefaultIndexesSeqScanRatio   = 0.5
	DefaultIndexesSlowStatement  = 500 * time.Millisecond
)

// SetDefaults implements config.Defaulter.
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

// Validate implements config.Kind.
func (c *PostgresCheck) Validate(path string, p *config.Problems) {
	config.ValidatePostgresTarget(path, c.Target, p)
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

// SetDefaults implements config.Defaulter.
func (c *PostgresMigrationsCheck) SetDefaults() {
	if c.Table == "" {
		c.Table = migrationTools[c.Tool]
	}
	if c.Tool == "custom" && c.Column == "" {
		c.Column = "version"
	}
}

var sqlIdentRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$`)

// Validate implements config.Kind.
func (c *PostgresMigrationsCheck) Validate(path string, p *config.Problems) {
	config.ValidatePostgresTarget(path, c.Target, p)
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

// SetDefaults implements config.Defaulter.
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

// Validate implements config.Kind.
func (c *PostgresIndexesCheck) Validate(path string, p *config.Problems) {
	config.ValidatePostgresTarget(path, c.Target, p)
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

// SetDefaults implements config.Defaulter.
func (c *SQLCheck) SetDefaults() {
	if c.MaxRows == 0 {
		c.MaxRows = DefaultSQLMaxRows
	}
	if c.LockTimeout == 0 {
		c.LockTimeout = model.Duration(DefaultLockTimeout)
	}
}

// Validate implements config.Kind.
func (c *SQLCheck) Validate(path string, p *config.Problems) {
	config.ValidatePostgresTarget(path, c.Target, p)
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
		var ref *SQLCheck
		isSQL := false
		if other != nil {
			ref, isSQL = other.Spec().(*SQLCheck)
		}
		switch {
		case other == nil:
			p.Addf(path+".equals_check", "equals_check names %q, which is not a check; name another sql check", c.EqualsCheck)
		case !isSQL:
			p.Addf(path+".equals_check", "equals_check names %q, which is a %s check; it must name an sql check", c.EqualsCheck, other.Kind())
		case ref == c:
			p.Addf(path+".equals_check", "a check cannot be compared with itself")
		case ref.EqualsCheck != "":
			p.Addf(path+".equals_check", "%q itself has equals_check; compare with a check that has none", c.EqualsCheck)
		}
	}
}
