package config

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const dbTargets = `postgres_targets:
  app: {dsn: "postgres://monitor@db:5432/app"}
redis_targets:
  cache: {address: "127.0.0.1:6379"}
`

func TestDatabaseConfigValid(t *testing.T) {
	c, err := Load([]byte(dbTargets+`checks:
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
  - name: r
    redis: {target: cache, patterns: [{pattern: "s:*", min_keys: 3}]}
`), "t.yml")
	require.NoError(t, err)
	pg := c.Checks[0].Postgres
	assert.EqualValues(t, DefaultPostgresMaxP95, pg.MaxP95)
	assert.Equal(t, DefaultLatencyWindow, pg.LatencyWindow)
	assert.Equal(t, 2, c.PostgresTargets["app"].MaxConnections)
	assert.Equal(t, "schema_migrations", c.Checks[1].PostgresMigrations.Table)
	assert.Equal(t, 0, *c.Checks[2].PostgresIndexes.MaxInvalidIndexes)
	assert.Nil(t, c.Checks[2].PostgresIndexes.MaxUnusedIndexes)
	assert.Equal(t, DefaultSQLMaxRows, c.Checks[3].SQL.MaxRows)
	assert.EqualValues(t, DefaultRedisScanMaxKeys, c.Checks[5].Redis.Patterns[0].MaxScan)
}

func TestDatabaseConfigInvalid(t *testing.T) {
	tests := []struct {
		name, yml, want string
	}{
		{"unknown target", "  - name: x\n    postgres: {target: nope}", `target "nope" is not defined; define it under postgres_targets or use one of: app`},
		{"missing target", "  - name: x\n    sql: {query: SELECT 1}", "target is missing"},
		{"redis unknown target", "  - name: x\n    redis: {target: app}", `target "app" is not defined; define it under redis_targets`},
		{"redis missing target", "  - name: x\n    redis: {min_keys: 1}", "checks[0].redis.target: target is missing; name one of redis_targets"},
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
		{"redis pattern cap", "  - name: x\n    redis: {target: cache, patterns: [{pattern: 'a:*', min_keys: 50, max_scan: 10}]}", "could never pass"},
		{"redis duplicate pattern", "  - name: x\n    redis: {target: cache, patterns: [{pattern: 'a:*'}, {pattern: 'a:*'}]}", "listed twice"},
		{"unknown key", "  - name: x\n    sql: {target: app, querry: SELECT 1}", `did you mean "query"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]byte(dbTargets+"checks:\n"+tc.yml+"\n"), "t.yml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Regexp(t, `t\.yml:\d+: `, err.Error(), "errors carry file:line")
		})
	}
}

func TestDatabaseTargetsInvalid(t *testing.T) {
	tests := []struct {
		name, yml, want string
	}{
		{"no dsn", "postgres_targets:\n  a: {sslmode: disable}", "dsn is missing"},
		{"bad sslmode", "postgres_targets:\n  a: {dsn: 'postgres://u@h/d', sslmode: maybe}", `sslmode "maybe" is not known`},
		{"too many conns", "postgres_targets:\n  a: {dsn: 'postgres://u@h/d', max_connections: 20}", "max_connections is 20"},
		{"password twice", "postgres_targets:\n  a: {dsn: 'postgres://u:pw@h/d', password_file: /x}", "keep only password_file or password_ref"},
		{"secret twice", "postgres_targets:\n  a: {dsn: 'postgres://u@h/d', password: x, password_env: Y}", "given more than once"},
		{"not a dsn", "postgres_targets:\n  a: {dsn: 'db.example.com'}", "neither a postgres:// URL"},
		{"redis address", "redis_targets:\n  r: {address: 'localhost'}", "is not host:port"},
		{"redis db", "redis_targets:\n  r: {address: 'h:6379', db: 99}", "db is 99"},
		{"redis tls pair", "redis_targets:\n  r: {address: 'h:6379', tls: {cert_file: c.pem}}", "exactly one of key or key_file must be configured when a client certificate is configured"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]byte(tc.yml+"\nchecks:\n  - {name: t, tcp: {address: 'h:1'}}\n"), "t.yml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestMaskDSN(t *testing.T) {
	tests := []struct{ in, want, pw string }{
		{"postgres://app:s3cret@db:5432/app?sslmode=require", "postgres://app:<secret>@db:5432/app?sslmode=require", "s3cret"},
		{"postgresql://app:p%40ss@db/app", "postgresql://app:<secret>@db/app", "p@ss"},
		{"postgres://app@db/app?password=s3cret&sslmode=disable", "postgres://app@db/app?password=<secret>&sslmode=disable", "s3cret"},
		{"host=db user=app password=s3cret dbname=app", "host=db user=app password=<secret> dbname=app", "s3cret"},
		{"host=db password='a b\\'c' dbname=app", "host=db password=<secret> dbname=app", "a b\\'c"},
		{"postgres://app@db/app", "postgres://app@db/app", ""},
		// Not a valid URL (a bad escape): the password is still found.
		{"postgres://app:p%zz@db/app", "postgres://app:<secret>@db/app", "p%zz"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, MaskDSN(tc.in))
		assert.Equal(t, tc.pw, DSNPassword(tc.in), tc.in)
	}
}

func TestWithDSNParams(t *testing.T) {
	got, err := WithDSNParams("postgres://h/db", map[string]string{"sslmode": "require"})
	require.NoError(t, err)
	assert.Equal(t, "postgres://h/db?sslmode=require", got)
	got, err = WithDSNParams("postgres://h/db?sslmode=disable&x=1", map[string]string{"sslmode": "verify-full", "sslkey": ""})
	require.NoError(t, err)
	assert.Equal(t, "postgres://h/db?sslmode=verify-full&x=1", got, "an empty param leaves the DSN's own")
	got, err = WithDSNParams("host=h sslmode=disable", map[string]string{"sslmode": "require", "sslrootcert": `/a b/it's\ca.pem`})
	require.NoError(t, err)
	assert.Equal(t, `host=h sslmode=disable sslmode='require' sslrootcert='/a b/it\'s\\ca.pem'`, got)
	got, err = WithDSNParams("postgres://h:p%zz@db/app", map[string]string{})
	require.NoError(t, err)
	assert.Equal(t, "postgres://h:p%zz@db/app", got, "nothing to set: the DSN as is")
	_, err = WithDSNParams("postgres://h:p%zz@db/app", map[string]string{"sslmode": "require"})
	require.EqualError(t, err, "dsn postgres://h:<secret>@db/app is not a valid URL")
}

func TestPostgresTargetMarshalMasks(t *testing.T) {
	c, err := Load([]byte(`postgres_targets:
  a: {dsn: "postgres://app:Sentinel-x1@db/app"}
  b: {dsn: "host=db password=Sentinel-x2 user=app"}
  c: {dsn: "postgres://app@db/app", password: Sentinel-x3}
redis_targets:
  r: {address: "h:6379", password: Sentinel-x4}
checks:
  - {name: t, tcp: {address: 'h:1'}}
`), "t.yml")
	require.NoError(t, err)
	out, err := c.Marshal()
	require.NoError(t, err)
	assert.NotContains(t, string(out), "Sentinel-x")
	assert.Equal(t, 4, strings.Count(string(out), "<secret>"), string(out))
}

func FuzzMaskDSN(f *testing.F) {
	f.Add("postgres://app:s3cret@db:5432/app?sslmode=require")
	f.Add("host=db user=app password='a b' dbname=app")
	f.Add("postgres://app@db/app?password=x")
	f.Fuzz(func(t *testing.T, dsn string) {
		pw := DSNPassword(dsn)
		masked := MaskDSN(dsn)
		// A password written once in the DSN must not survive masking.
		if len(pw) >= 4 && strings.Count(dsn, pw) == 1 && strings.Contains(strings.ReplaceAll(masked, "<secret>", ""), pw) {
			t.Fatalf("MaskDSN(%q) = %q still holds %q", dsn, masked, pw)
		}
	})
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
			_, err := Load([]byte(yml), "t.yml")
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

// Database and SQL checks keep a result DefaultDatabaseInterval (or their
// timeout when longer) unless the configuration says otherwise, so that
// the load on the database does not grow with the number of scrapers;
// interval: 0 still runs them on every scrape.
func TestDatabaseDefaultInterval(t *testing.T) {
	c, err := Load([]byte(dbTargets+`checks:
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
		"pg": DefaultDatabaseInterval, "mig": DefaultDatabaseInterval, "idx": DefaultDatabaseInterval, "q": DefaultDatabaseInterval,
		"every_scrape": 0, "slow": 40 * time.Second, "hourly": time.Hour, "r": 0, "web": 0,
	}
	for name, iv := range want {
		assert.Equal(t, iv, time.Duration(c.CheckByName(name).Interval), name)
	}
	assert.Equal(t, 15*time.Second, DefaultDatabaseInterval)
	assert.EqualValues(t, DefaultTimeout, c.CheckByName("q").Timeout)
}
