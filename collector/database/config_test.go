package database

import (
	"testing"
	"time"

	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const dbTargets = `postgres_targets:
  app: {dsn: "postgres://monitor@db:5432/app"}
redis_targets:
  cache: {address: "127.0.0.1:6379"}
`

func TestDatabaseConfigValid(t *testing.T) {
	c, err := config.Load([]byte(dbTargets+`checks:
  - name: pg
    postgres: {target: app}
  - name: mig
    postgres_migrations: {target: app, tool: golang-migrate, expected_head: "12"}
  - name: idx
    postgres_indexes: {target: app}
  - name: legacy
    sql: {target: app, query: "SELECT 1"}
  - name: count
    sql: {target: app, query: "SELECT 1", equals_check: legacy, between: [0, 2]}
`), "t.yml")
	require.NoError(t, err)
	pg := c.Checks[0].Spec().(*PostgresCheck)
	assert.EqualValues(t, DefaultPostgresMaxP95, pg.MaxP95)
	assert.Equal(t, DefaultLatencyWindow, pg.LatencyWindow)
	assert.Equal(t, 2, c.PostgresTargets["app"].MaxConnections)
	assert.Equal(t, "schema_migrations", c.Checks[1].Spec().(*PostgresMigrationsCheck).Table)
	assert.Equal(t, 0, *c.Checks[2].Spec().(*PostgresIndexesCheck).MaxInvalidIndexes)
	assert.Nil(t, c.Checks[2].Spec().(*PostgresIndexesCheck).MaxUnusedIndexes)
	assert.Equal(t, DefaultSQLMaxRows, c.Checks[3].Spec().(*SQLCheck).MaxRows)
}

func TestDatabaseConfigInvalid(t *testing.T) {
	tests := []struct {
		name, yml, want string
	}{
		{"unknown target", "  - name: x\n    postgres: {target: nope}", `target "nope" is not defined; define it under postgres_targets or use one of: app`},
		{"missing target", "  - name: x\n    sql: {query: SELECT 1}", "target is missing"},
		{"empty query", "  - name: x\n    sql: {target: app, query: ' '}", "query is missing"},
		{"between reversed", "  - name: x\n    sql: {target: app, query: SELECT 1, between: [5, 1]}", "low above high"},
		{"between one number", "  - name: x\n    sql: {target: app, query: SELECT 1, between: [5]}", "two numbers"},
		{"equals_check missing", "  - name: x\n    sql: {target: app, query: SELECT 1, equals_check: other}", `"other", which is not a check`},
		{"equals_check self", "  - name: x\n    sql: {target: app, query: SELECT 1, equals_check: x}", "compared with itself"},
		{"equals_check not sql", "  - name: p\n    postgres: {target: app}\n  - name: x\n    sql: {target: app, query: SELECT 1, equals_check: p}", "is a postgres check"},
		{"too many rows", "  - name: x\n    sql: {target: app, query: SELECT 1, max_rows: 500}", "max_rows is 500"},
		{"unknown tool", "  - name: x\n    postgres_migrations: {target: app, tool: liquibase, expected_head: '1'}", `tool "liquibase" is not known`},
		{"no head source", "  - name: x\n    postgres_migrations: {target: app, tool: alembic}", "expected_head: <revision> or migrations_dir"},
		{"custom without table", "  - name: x\n    postgres_migrations: {target: app, tool: custom, expected_head: '1'}", "needs table"},
		{"bad table", "  - name: x\n    postgres_migrations: {target: app, tool: custom, table: 'a; drop', expected_head: '1'}", "not a plain identifier"},
		{"bad role", "  - name: x\n    postgres: {target: app, expect_role: leader}", "write primary or replica"},
		{"bad ratio", "  - name: x\n    postgres: {target: app, max_connections_ratio: 2}", "max_connections_ratio is 2"},
		{"unknown key", "  - name: x\n    sql: {target: app, querry: SELECT 1}", `did you mean "query"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load([]byte(dbTargets+"checks:\n"+tc.yml+"\n"), "t.yml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Regexp(t, `t\.yml:\d+: `, err.Error(), "errors carry file:line")
		})
	}
}

// SQL data checks on a target whose DSN names the postgres role (the
// superuser every installation has) are refused at load, with the target's
// line and what to do, unless the target says allow_privileged_role: true.
// Other kinds may use it: their queries are the exporter's own.
func TestSQLPrivilegedRoleRefusedAtLoad(t *testing.T) {
	tests := []struct {
		name, target, checks string
		ok                   bool
	}{
		{"url user postgres", `dsn: "postgres://postgres@db:5432/app"`, "    sql: {target: app, query: SELECT 1}", false},
		{"url user and password", `dsn: "postgresql://postgres:pw@db/app"`, "    sql: {target: app, query: SELECT 1}", false},
		{"keyword user postgres", `dsn: "host=db user=postgres dbname=app"`, "    sql: {target: app, query: SELECT 1}", false},
		{"allowed explicitly", `dsn: "postgres://postgres@db/app", allow_privileged_role: true`, "    sql: {target: app, query: SELECT 1}", true},
		{"least privilege role", `dsn: "postgres://golive_monitor@db/app"`, "    sql: {target: app, query: SELECT 1}", true},
		{"role named like it", `dsn: "postgres://postgres_monitor@db/app"`, "    sql: {target: app, query: SELECT 1}", true},
		{"health check only", `dsn: "postgres://postgres@db/app"`, "    postgres: {target: app}", true},
		{"migrations and indexes", `dsn: "postgres://postgres@db/app"`, "    postgres_indexes: {target: app}", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			yml := "postgres_targets:\n  app: {" + tc.target + "}\nchecks:\n  - name: x\n" + tc.checks + "\n"
			_, err := config.Load([]byte(yml), "t.yml")
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, want := range []string{"t.yml:2: postgres_targets.app.dsn", "superuser", "sql checks (x)", "CREATE ROLE", "pg_monitor", "allow_privileged_role: true"} {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

// Database and SQL checks keep a result config.DefaultDatabaseInterval (or their
// timeout when longer) unless the configuration says otherwise, so that
// the load on the database does not grow with the number of scrapers;
// interval: 0 still runs them on every scrape.
func TestDatabaseDefaultInterval(t *testing.T) {
	c, err := config.Load([]byte(dbTargets+`checks:
  - name: pg
    postgres: {target: app}
  - name: mig
    postgres_migrations: {target: app, tool: golang-migrate, expected_head: "12"}
  - name: idx
    postgres_indexes: {target: app}
  - name: q
    sql: {target: app, query: "SELECT 1"}
  - name: every_scrape
    interval: 0s
    sql: {target: app, query: "SELECT 1"}
  - name: slow
    timeout: 40s
    sql: {target: app, query: "SELECT 1"}
  - name: hourly
    interval: 1h
    sql: {target: app, query: "SELECT 1"}
  - name: r
    redis: {target: cache}
  - name: web
    http: {url: "http://127.0.0.1:8080/"}
`), "t.yml")
	require.NoError(t, err)
	want := map[string]time.Duration{
		"pg": config.DefaultDatabaseInterval, "mig": config.DefaultDatabaseInterval, "idx": config.DefaultDatabaseInterval, "q": config.DefaultDatabaseInterval,
		"every_scrape": 0, "slow": 40 * time.Second, "hourly": time.Hour, "r": 0, "web": 0,
	}
	for name, iv := range want {
		assert.Equal(t, iv, time.Duration(c.CheckByName(name).Interval), name)
	}
	assert.Equal(t, 15*time.Second, config.DefaultDatabaseInterval)
	assert.EqualValues(t, config.DefaultTimeout, c.CheckByName("q").Timeout)
}
