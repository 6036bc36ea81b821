package database

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/jackc/pgx/v5"
)

var (
	migAtHeadDesc = collector.NewDesc("golive_postgres_migrations_at_head",
		"Whether the database's applied migration equals the expected head (1) or not (0).")
	migInfoDesc = collector.NewDesc("golive_postgres_migrations_info",
		"The applied and expected migration revisions (always 1).", "tool", "applied", "expected")
	migDirtyDesc = collector.NewDesc("golive_postgres_migrations_dirty",
		"golang-migrate: whether the last migration failed half-way (dirty flag).")
	migFailedDesc = collector.NewDesc("golive_postgres_migrations_failed",
		"Flyway: rows of flyway_schema_history whose migration failed.")
	migHeadsDesc = collector.NewDesc("golive_postgres_migrations_heads",
		"How many heads the migrations folder has; more than one is itself a failure.")
)

// maxRevisionRows bounds how many rows of alembic_version are read (one per
// branch head).
const maxRevisionRows = 10

type migrationsCheck struct {
	cfg *PostgresMigrationsCheck
	env collector.Env
}

func newMigrations(c *config.Check, env collector.Env) (collector.Check, error) {
	return &migrationsCheck{cfg: c.Spec().(*PostgresMigrationsCheck), env: env}, nil
}

// expected returns the heads the database must be at.
func (c *migrationsCheck) expected() ([]string, error) {
	if c.cfg.ExpectedHead != "" {
		return []string{c.cfg.ExpectedHead}, nil
	}
	dir := c.env.Config.ResolvePath(c.cfg.MigrationsDir)
	switch c.cfg.Tool {
	case "alembic":
		return AlembicHeads(dir)
	case "flyway":
		h, err := FlywayHead(dir)
		return []string{h}, err
	default:
		h, err := NumberedHead(dir)
		return []string{h}, err
	}
}

// Run compares the applied revision with the expected head.
func (c *migrationsCheck) Run(ctx context.Context, r *collector.Report) error {
	heads, err := c.expected()
	if err != nil {
		return collector.WithReason(collector.ReasonConfig, fmt.Errorf("finding the expected head: %w", err))
	}
	r.Gauge(migHeadsDesc, float64(len(heads)))
	if len(heads) != 1 {
		r.Bool(migAtHeadDesc, false)
		r.Assert("one head", false, fmt.Sprintf("%d heads: %s", len(heads), strings.Join(heads, ", ")), "exactly one head (merge the branches with alembic merge)")
		return nil
	}
	expected := heads[0]
	pool, err := PoolFor(c.env, c.cfg.Target)
	if err != nil {
		return err
	}
	table := pgx.Identifier(strings.Split(c.cfg.Table, ".")).Sanitize()
	var applied []string
	dirty, failed := false, int64(0)
	var queries []readQuery
	switch c.cfg.Tool {
	case "alembic":
		queries = []readQuery{{sql: "SELECT version_num::text FROM " + table + " ORDER BY 1 LIMIT $1", args: []any{maxRevisionRows},
			read: textColumn(&applied)}}
	case "golang-migrate":
		// One row, or none before the first migration (applied: none).
		queries = []readQuery{{sql: "SELECT version::text, dirty FROM " + table + " LIMIT 1", read: func(rows pgx.Rows) error {
			var v string
			if rows.Next() {
				if err := rows.Scan(&v, &dirty); err != nil {
					return err
				}
				applied = []string{v}
			}
			return rows.Err()
		}}}
	case "flyway":
		var versions []string
		queries = []readQuery{
			{sql: "SELECT DISTINCT version FROM " + table + " WHERE success AND version IS NOT NULL LIMIT $1", args: []any{100000}, read: func(rows pgx.Rows) error {
				if err := textColumn(&versions)(rows); err != nil {
					return err
				}
				if best := maxVersion(versions); best != "" {
					applied = []string{best}
				}
				return nil
			}},
			{sql: "SELECT count(*) FROM " + table + " WHERE NOT success", read: one(&failed)},
		}
	case "goose":
		// goose records a rollback as a newer row with is_applied false:
		// the current version is the newest applied row not rolled back
		// since (as goose's own GetDBVersion reads it).
		queries = []readQuery{{sql: "SELECT r.version_id::text FROM " + table + " r WHERE r.is_applied AND NOT EXISTS (SELECT 1 FROM " + table +
			" l WHERE l.version_id = r.version_id AND l.id > r.id AND NOT l.is_applied) ORDER BY r.id DESC LIMIT $1", args: []any{1},
			read: textColumn(&applied)}}
	default:
		col := pgx.Identifier{c.cfg.Column}.Sanitize()
		queries = []readQuery{{sql: "SELECT (SELECT max(" + col + ") FROM " + table + ")::text", read: func(rows pgx.Rows) error {
			var v *string
			if err := one(&v)(rows); err != nil {
				return err
			}
			if v != nil {
				applied = []string{*v}
			}
			return nil
		}}}
	}
	errs, err := pool.readBatch(ctx, 0, 0, queries)
	if err != nil {
		return err
	}
	for _, e := range errs {
		if err == nil {
			err = e
		}
	}
	if err != nil {
		var known []string
		for _, q := range queries {
			known = append(known, q.sql)
		}
		return pool.classify(fmt.Errorf("reading %s: %w", c.cfg.Table, err), "reading migrations", known...)
	}
	appliedText := strings.Join(applied, ",")
	if appliedText == "" {
		appliedText = "none"
	}
	atHead := len(applied) == 1 && applied[0] == expected
	r.Bool(migAtHeadDesc, atHead)
	r.Gauge(migInfoDesc, 1, c.cfg.Tool, truncateLabel(appliedText), truncateLabel(expected))
	r.Assert("at head", atHead, appliedText, expected)
	switch c.cfg.Tool {
	case "golang-migrate":
		r.Bool(migDirtyDesc, dirty)
		r.Assert("not dirty", !dirty, fmt.Sprintf("dirty=%t", dirty), "dirty=false (fix the failed migration, then migrate force)")
	case "flyway":
		r.Gauge(migFailedDesc, float64(failed))
		r.Assert("no failed migrations", failed == 0, fmt.Sprintf("%d failed rows", failed), "0 (flyway repair after fixing)")
	}
	return nil
}

// textColumn returns a read function that collects a query's one text
// column into dest, sorted.
func textColumn(dest *[]string) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		sort.Strings(out)
		*dest = out
		return err
	}
}

// truncateLabel keeps revision labels short; they are identifiers from the
// schema, one series per check, but a custom column could hold anything.
func truncateLabel(s string) string {
	if len(s) > 64 {
		return s[:61] + "..."
	}
	return s
}
