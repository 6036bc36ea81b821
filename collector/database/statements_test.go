package database

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statementCounter counts, with pg_stat_statements on a cluster of the
// test's own, the statements one role ran: what a check costs the
// database, wrappers (BEGIN, SET, SAVEPOINT, ROLLBACK, DISCARD) included.
type statementCounter struct {
	admin *pgx.Conn
	role  string
	dsn   string // the role's DSN, password included
}

func newStatementCounter(t *testing.T) *statementCounter {
	t.Helper()
	c := privateCluster(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, c.withPassword(c.dsn))
	require.NoError(t, err)
	t.Cleanup(func() { admin.Close(ctx) })
	role, password := testutil.RandomName("golive_count_"), testutil.RandomName("pw")
	for _, s := range []string{
		"CREATE EXTENSION pg_stat_statements",
		"CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "' IN ROLE pg_monitor",
		"CREATE TABLE students (id int PRIMARY KEY)",
		"INSERT INTO students SELECT generate_series(1, 100)",
		"CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)",
		"INSERT INTO alembic_version VALUES ('3c')",
		"GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + role,
	} {
		_, err := admin.Exec(ctx, s)
		require.NoError(t, err, s)
	}
	dsn := strings.Replace(c.dsn, "postgres@", role+":"+password+"@", 1)
	return &statementCounter{admin: admin, role: role, dsn: dsn}
}

// count runs fn and returns the statements the role ran meanwhile, and
// their texts.
func (s *statementCounter) count(t *testing.T, fn func()) (int64, string) {
	t.Helper()
	ctx := context.Background()
	_, err := s.admin.Exec(ctx, "SELECT pg_stat_statements_reset()")
	require.NoError(t, err)
	fn()
	var (
		n     int64
		texts string
	)
	require.NoError(t, s.admin.QueryRow(ctx, `SELECT coalesce(sum(calls), 0)::bigint, coalesce(string_agg(calls || 'x ' || regexp_replace(query, '\s+', ' ', 'g'), E'\n' ORDER BY query), '')
		FROM pg_stat_statements WHERE userid = $1::regrole`, s.role).Scan(&n, &texts))
	return n, texts
}

// One run of each PostgreSQL kind costs the statements below, counted by
// PostgreSQL itself: one read-only transaction whose BEGIN and timeouts
// travel in one round trip, no savepoints, and for a data check the
// session reset. The pool's own count (the figure benchmarks report)
// agrees with the server's.
func TestStatementsPerRun(t *testing.T) {
	sc := newStatementCounter(t)
	tests := []struct {
		name  string
		check string
		want  int64
	}{
		// 3 SELECT 1 probes, BEGIN, timeouts, 6 figures, ROLLBACK.
		{"postgres", "postgres: {target: db}", 12},
		// BEGIN, timeouts and role check, the query, ROLLBACK, DISCARD ALL.
		{"sql", `sql: {target: db, query: "SELECT count(*) FROM students", equals: 100}`, 5},
		// BEGIN, timeouts, the version query, ROLLBACK.
		{"postgres_migrations", "postgres_migrations: {target: db, tool: alembic, expected_head: 3c}", 4},
		// BEGIN, timeouts, 4 index figures, slow statements, ROLLBACK.
		{"postgres_indexes", "postgres_indexes: {target: db}", 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newScheduler(t, loadConfig(t, pgConfig(sc.dsn, "  - name: c\n    "+tc.check+"\n")))
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			// A first run opens the connection; the second is what every
			// later run costs.
			res := s.RunAll(ctx, nil)
			require.True(t, res[0].Success(), "%s: %s", res[0].Reason, res[0].Message)
			before := TotalStatements()
			n, texts := sc.count(t, func() {
				res = s.RunAll(ctx, nil)
			})
			require.True(t, res[0].Success(), "%s: %s", res[0].Reason, res[0].Message)
			t.Logf("%s: %d statements per run:\n%s", tc.name, n, texts)
			assert.Equal(t, tc.want, n, texts)
			assert.NotContains(t, strings.ToUpper(texts), "SAVEPOINT")
			assert.Equal(t, n, TotalStatements()-before, "the pool's statement count disagrees with pg_stat_statements")
		})
	}

	// Ten scrapers, each scraping five times, cost one run of each check
	// when the configuration sets no interval: database checks keep their
	// result DefaultDatabaseInterval.
	t.Run("ten scrapers", func(t *testing.T) {
		s := newScheduler(t, loadConfig(t, pgConfig(sc.dsn, `  - name: health
    postgres: {target: db}
  - name: count
    sql: {target: db, query: "SELECT count(*) FROM students", equals: 100}
`)))
		n, texts := sc.count(t, func() {
			var wg sync.WaitGroup
			for range 10 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 5 {
						ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
						for _, r := range s.Collect(ctx) {
							assert.True(t, r.Success(), "%s: %s", r.Check, r.Message)
						}
						cancel()
					}
				}()
			}
			wg.Wait()
		})
		t.Logf("50 scrapes by 10 scrapers: %d statements:\n%s", n, texts)
		assert.Equal(t, int64(12+5), n, fmt.Sprintf("one run of each check, whatever the scrapes:\n%s", texts))
	})
}

// A query PostgreSQL refuses in a read-only batch fails alone: the queries
// before it keep their rows, the ones after it run again in a new
// transaction, the last one failing too is fine, and the connection goes
// back to the pool outside any transaction.
func TestReadBatchFailsAlone(t *testing.T) {
	db := testDB(t, "CREATE TABLE t (n int)", "INSERT INTO t VALUES (1), (2)")
	cfg := loadConfig(t, pgConfig(testutil.MonitorRole(t, db), "  - name: pg\n    postgres: {target: db}\n"))
	pool, err := OpenPool(cfg, "db", cfg.PostgresTargets["db"])
	require.NoError(t, err)
	defer pool.Close()
	var a, b, c int
	queries := []readQuery{
		{sql: "SELECT count(*) FROM t", read: one(&a)},
		{sql: "SELECT count(*) FROM no_such_table", read: one(&b)},
		{sql: "SELECT sum(n) FROM t WHERE n > $1", args: []any{0}, read: one(&c)},
		{sql: "SELECT 1/0", read: one(&b)},
		{sql: "SELECT 1 FROM t LIMIT 0", read: one(&b)},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	before := pool.Statements()
	errs, err := pool.readBatch(ctx, 0, 0, queries)
	require.NoError(t, err)
	assert.Equal(t, 2, a)
	assert.Equal(t, 3, c)
	assert.NoError(t, errs[0])
	assert.ErrorContains(t, errs[1], `relation "no_such_table" does not exist`)
	assert.NoError(t, errs[2])
	assert.ErrorContains(t, errs[3], "division by zero")
	assert.ErrorIs(t, errs[4], pgx.ErrNoRows, "a local error does not abort the transaction")
	// What PostgreSQL ran: BEGIN, timeouts, 2 queries (the failed one
	// skips the rest); ROLLBACK, BEGIN, timeouts, 2 queries; ROLLBACK,
	// BEGIN, timeouts, the last query, ROLLBACK.
	assert.Equal(t, int64(4+5+5), pool.Statements()-before)

	// The last query failing: its transaction is ended too.
	errs, err = pool.readBatch(ctx, 0, 0, queries[:2])
	require.NoError(t, err)
	assert.NoError(t, errs[0])
	assert.Error(t, errs[1])
	conn, err := pool.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	assert.Equal(t, byte('I'), conn.Conn().PgConn().TxStatus())
	assert.Equal(t, 1, int(pool.Stat().TotalConns()), "the connection was reused, not replaced")
}
