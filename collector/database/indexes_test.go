package database

import (
	"context"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/jackc/pgx/v5"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIndexes(t *testing.T) {
	healthy := testDB(t,
		"CREATE TABLE parent (id int PRIMARY KEY)",
		"CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id))",
		"CREATE INDEX child_parent_idx ON child (parent_id)",
	)
	broken := testDB(t,
		"CREATE TABLE parent (id int PRIMARY KEY)",
		"CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id), code text)",
		"INSERT INTO parent VALUES (1)",
		"INSERT INTO child SELECT g, 1, 'dup' FROM generate_series(1, 50) g",
		"CREATE INDEX child_code_idx ON child (code)",
		"ANALYZE child",
		// Reads by sequential scan make child seq-scan heavy.
		"SELECT count(*) FROM child", "SELECT count(*) FROM child",
	)
	// A UNIQUE index built concurrently over duplicate data fails and stays
	// behind, invalid: the classic leftover of a failed deploy.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testutil.DSN(broken))
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "CREATE UNIQUE INDEX CONCURRENTLY child_code_uniq ON child (code)")
	require.ErrorContains(t, err, "could not create unique index")
	conn.Close(ctx)

	out := collectortest.RunConfig(t, pgConfig(testutil.DSN(healthy), "  - name: idx\n    postgres_indexes: {target: db}"), 30*time.Second)
	res := out.Result(t, "idx")
	assert.True(t, res.Success(), res.Message)
	assert.True(t, out.HasLine(`golive_postgres_invalid_indexes{check="idx"} 0`), out.Metrics)
	assert.True(t, out.HasLine(`golive_postgres_unindexed_foreign_keys{check="idx"} 0`), out.Metrics)
	// pg_stat_statements is not in shared_preload_libraries here: reported
	// unavailable, not a crash.
	assert.True(t, out.HasLine(`golive_postgres_figure_unavailable{check="idx",figure="slow_statements"} 1`), out.Metrics)

	out = collectortest.RunConfig(t, pgConfig(testutil.DSN(broken), `  - name: idx
    postgres_indexes: {target: db, large_table_rows: 10, max_unused_indexes: 0}`), 30*time.Second)
	res = out.Result(t, "idx")
	require.False(t, res.Success())
	assert.True(t, out.HasLine(`golive_postgres_invalid_indexes{check="idx"} 1`), out.Metrics)
	assert.True(t, out.HasLine(`golive_postgres_unindexed_foreign_keys{check="idx"} 1`), out.Metrics)
	assert.True(t, out.HasLine(`golive_postgres_unused_indexes{check="idx"} 1`), out.Metrics)
	byName := map[string]bool{}
	for _, c := range res.Conditions {
		byName[c.Name] = c.OK
		if c.Name == "invalid indexes" {
			assert.Contains(t, c.Observed, "public.child_code_uniq")
		}
		if c.Name == "seq-scan-heavy large tables" {
			assert.Contains(t, c.Observed, "public.child")
			assert.True(t, c.Warning, "without max_seq_scan_tables it only warns")
		}
	}
	assert.Equal(t, map[string]bool{
		"invalid indexes": false, "foreign keys without index": false, "unused indexes on large tables": false,
		"seq-scan-heavy large tables": false,
	}, byName)

	// With a threshold on slow statements and no pg_stat_statements, the
	// check says what it cannot see (a warning, not a failure).
	out = collectortest.RunConfig(t, pgConfig(testutil.DSN(healthy), "  - name: idx\n    postgres_indexes: {target: db, max_slow_statements: 0}"), 30*time.Second)
	res = out.Result(t, "idx")
	assert.True(t, res.Success())
	assert.Contains(t, res.Message, "pg_stat_statements unavailable")
}
