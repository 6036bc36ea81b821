package database

import (
	"context"
	"errors"
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

func init() {
	collector.Register("postgres_migrations", newMigrations)
}

type migrationsCheck struct {
	cfg *config.PostgresMigrationsCheck
	env collector.Env
}

func newMigrations(c *config.Check, env collector.Env) (collector.Check, error) {
	return &migrationsCheck{cfg: c.PostgresMigrations, env: env}, nil
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
	err = pool.ReadOnly(ctx, 0, 0, func(tx pgx.Tx) error {
		var err error
		switch c.cfg.Tool {
		case "alembic":
			applied, err = textColumn(ctx, tx, "SELECT version_num::text FROM "+table+" ORDER BY 1 LIMIT $1", maxRevisionRows)
		case "golang-migrate":
			// One row, or none before the first migration (applied: none).
			var v string
			err = tx.QueryRow(ctx, "SELECT version::text, dirty FROM "+table+" LIMIT 1").Scan(&v, &dirty)
			if err == nil {
				applied = []string{v}
			} else if errors.Is(err, pgx.ErrNoRows) {
				err = nil
			}
		case "flyway":
			var versions []string
			versions, err = textColumn(ctx, tx, "SELECT DISTINCT version FROM "+table+" WHERE success AND version IS NOT NULL LIMIT $1", 100000)
			if err == nil {
				if best := maxVersion(versions); best != "" {
					applied = []string{best}
				}
				err = tx.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE NOT success").Scan(&failed)
			}
		case "goose":
			// goose records a rollback as a newer row with is_applied false:
			// the current version is the newest applied row not rolled back
			// since (as goose's own GetDBVersion reads it).
			applied, err = textColumn(ctx, tx, "SELECT r.version_id::text FROM "+table+" r WHERE r.is_applied AND NOT EXISTS (SELECT 1 FROM "+table+
				" l WHERE l.version_id = r.version_id AND l.id > r.id AND NOT l.is_applied) ORDER BY r.id DESC LIMIT $1", 1)
		default:
			col := pgx.Identifier{c.cfg.Column}.Sanitize()
			var v *string
			err = tx.QueryRow(ctx, "SELECT (SELECT max("+col+") FROM "+table+")::text").Scan(&v)
			if err == nil && v != nil {
				applied = []string{*v}
			}
		}
		return err
	})
	if err != nil {
		return pool.classify(fmt.Errorf("reading %s: %w", c.cfg.Table, err), "reading migrations")
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

func textColumn(ctx context.Context, tx pgx.Tx, q string, limit int) ([]string, error) {
	rows, err := tx.Query(ctx, q, limit)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	sort.Strings(out)
	return out, err
}

// truncateLabel keeps revision labels short; they are identifiers from the
// schema, one series per check, but a custom column could hold anything.
func truncateLabel(s string) string {
	if len(s) > 64 {
		return s[:61] + "..."
	}
	return s
}
