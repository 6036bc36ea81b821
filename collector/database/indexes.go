package database

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/golive/golive_exporter/internal/human"
)

var (
	idxInvalidDesc = collector.NewDesc("golive_postgres_invalid_indexes",
		"Indexes marked invalid (a failed CREATE INDEX CONCURRENTLY, for one): they cost writes and serve no reads.")
	idxFKDesc = collector.NewDesc("golive_postgres_unindexed_foreign_keys",
		"Foreign keys whose columns lead no valid index: deletes on the parent scan the child table.")
	idxUnusedDesc = collector.NewDesc("golive_postgres_unused_indexes",
		"Non-unique indexes never scanned since the statistics were reset, on large tables.")
	idxSeqScanDesc = collector.NewDesc("golive_postgres_seq_scan_heavy_tables",
		"Large tables whose scans are mostly sequential (share at least seq_scan_ratio).")
	idxSlowDesc = collector.NewDesc("golive_postgres_slow_statements",
		"pg_stat_statements entries of this database whose mean execution time exceeds slow_statement_mean.")
	idxSlowestDesc = collector.NewDesc("golive_postgres_slowest_statement_mean_seconds",
		"The highest mean execution time among this database's pg_stat_statements entries.")
)

// maxNamesShown bounds the object names quoted in a condition's message.
const maxNamesShown = 5

type indexesCheck struct {
	cfg *PostgresIndexesCheck
	env collector.Env
}

func newIndexes(c *config.Check, env collector.Env) (collector.Check, error) {
	return &indexesCheck{cfg: c.Spec().(*PostgresIndexesCheck), env: env}, nil
}

// schemaFilter restricts n.nspname to the configured schemas, or to every
// non-system schema; $1 is the schema list (NULL for all).
const schemaFilter = `(($1::text[] IS NULL AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%') OR n.nspname = ANY($1))`

var indexQueries = []struct {
	figure string
	desc   string
	metric *prometheus.Desc
	args   int
	query  string
}{
	{"invalid_indexes", "invalid indexes", idxInvalidDesc, 1, `SELECT n.nspname || '.' || c.relname FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE NOT i.indisvalid AND ` + schemaFilter + ` ORDER BY 1`},
	{"unindexed_foreign_keys", "foreign keys without index", idxFKDesc, 1, `SELECT n.nspname || '.' || t.relname || '(' || c.conname || ')' FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE c.contype = 'f' AND ` + schemaFilter + ` AND NOT EXISTS (
			SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indisvalid
			AND (string_to_array(i.indkey::text, ' ')::int2[])[1:array_length(c.conkey, 1)] @> c.conkey
			AND (string_to_array(i.indkey::text, ' ')::int2[])[1:array_length(c.conkey, 1)] <@ c.conkey)
		ORDER BY 1`},
	{"unused_indexes", "unused indexes on large tables", idxUnusedDesc, 2, `SELECT n.nspname || '.' || s.indexrelname FROM pg_stat_user_indexes s
		JOIN pg_index i ON i.indexrelid = s.indexrelid JOIN pg_class t ON t.oid = s.relid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary AND i.indisvalid
		AND t.reltuples >= $2 AND ` + schemaFilter + ` ORDER BY 1`},
	{"seq_scan_heavy_tables", "seq-scan-heavy large tables", idxSeqScanDesc, 3, `SELECT n.nspname || '.' || s.relname FROM pg_stat_user_tables s
		JOIN pg_class t ON t.oid = s.relid JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE (CASE WHEN t.reltuples >= 0 THEN t.reltuples::float8 ELSE s.n_live_tup::float8 END) >= $2 AND s.seq_scan + coalesce(s.idx_scan, 0) > 0
		AND s.seq_scan::float8 / (s.seq_scan + coalesce(s.idx_scan, 0)) >= $3 AND ` + schemaFilter + ` ORDER BY 1`},
}

// Run reads each index-health figure; a figure the role cannot read is
// reported unavailable rather than failing the others.
func (c *indexesCheck) Run(ctx context.Context, r *collector.Report) error {
	pool, err := PoolFor(c.env, c.cfg.Target)
	if err != nil {
		return err
	}
	var schemas []string
	if len(c.cfg.Schemas) > 0 {
		schemas = c.cfg.Schemas
	}
	limits := map[string]*int{
		"invalid_indexes":        c.cfg.MaxInvalidIndexes,
		"unindexed_foreign_keys": c.cfg.MaxUnindexedForeignKeys,
		"unused_indexes":         c.cfg.MaxUnusedIndexes,
		"seq_scan_heavy_tables":  c.cfg.MaxSeqScanTables,
	}
	unavailable := pool.figureUnavailable(r, c.env.Logger)
	args := []any{schemas, float64(c.cfg.LargeTableRows), c.cfg.SeqScanRatio}
	names := make([][]string, len(indexQueries))
	var queries []readQuery
	for i, q := range indexQueries {
		queries = append(queries, readQuery{sql: q.query, args: args[:q.args], read: func(rows pgx.Rows) (err error) {
			names[i], err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		}})
	}
	var (
		slow    int64
		slowest float64
	)
	// Fails when pg_stat_statements is not installed in the database
	// (42P01) or not loaded (55000): the figure is then unavailable.
	threshold := float64(time.Duration(c.cfg.SlowStatementMean).Microseconds()) / 1000
	queries = append(queries, readQuery{sql: `SELECT count(*) FILTER (WHERE mean_exec_time > $1), coalesce(max(mean_exec_time), 0)::float8
			FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
		args: []any{threshold}, read: one(&slow, &slowest)})
	errs, err := pool.readBatch(ctx, 0, 0, queries)
	if err != nil {
		return err
	}
	for i, q := range indexQueries {
		if errs[i] != nil {
			unavailable(q.figure, errs[i])
			continue
		}
		r.Gauge(q.metric, float64(len(names[i])))
		judge(r, q.desc, len(names[i]), limits[q.figure], names[i])
	}
	c.statements(r, slow, slowest, errs[len(indexQueries)], unavailable)
	return nil
}

// judge fails the check above a configured limit; without one, any count
// above zero only warns.
func judge(r *collector.Report, name string, n int, limit *int, names []string) {
	observed := fmt.Sprint(n)
	if n > 0 && len(names) > 0 {
		observed += ": " + human.List(names, maxNamesShown)
	}
	if limit == nil {
		r.Warn(name, n == 0, observed, "0")
		return
	}
	r.Assert(name, n <= *limit, observed, fmt.Sprintf("<= %d", *limit))
}

func (c *indexesCheck) statements(r *collector.Report, slow int64, slowest float64, err error, unavailable func(string, error)) {
	var pge *pgconn.PgError
	if errors.As(err, &pge) && pge.Code == "42P01" {
		unavailable("slow_statements", fmt.Errorf("extension pg_stat_statements is not installed in this database"))
		if c.cfg.MaxSlowStatements != nil {
			r.Warn("slow statements", false, "pg_stat_statements unavailable", "CREATE EXTENSION pg_stat_statements (and shared_preload_libraries)")
		}
		return
	}
	if err != nil {
		unavailable("slow_statements", err)
		if c.cfg.MaxSlowStatements != nil {
			r.Warn("slow statements", false, "pg_stat_statements unavailable", "pg_stat_statements loaded via shared_preload_libraries")
		}
		return
	}
	r.Gauge(idxSlowDesc, float64(slow))
	r.Gauge(idxSlowestDesc, slowest/1000)
	observed := fmt.Sprintf("%d (slowest mean %.1fms)", slow, slowest)
	if c.cfg.MaxSlowStatements == nil {
		r.Warn("slow statements", slow == 0, observed, "0 with mean above "+c.cfg.SlowStatementMean.String())
		return
	}
	r.Assert("slow statements", slow <= int64(*c.cfg.MaxSlowStatements), observed, fmt.Sprintf("<= %d with mean above %s", *c.cfg.MaxSlowStatements, c.cfg.SlowStatementMean))
}
