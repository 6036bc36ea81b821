// Package database holds the PostgreSQL checks: server health, migrations at
// head, index health and read-only SQL data checks. Every check on one
// target shares one small connection pool (Env.Shared), and every query runs
// in a READ ONLY transaction with statement and lock timeouts.
package database

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Pool is the connection pool of one postgres target.
type Pool struct {
	*pgxpool.Pool
	// Target is the target's name in the configuration.
	Target string
	// secrets are strings that must never appear in an error.
	secrets []string
	// transactions counts the read-only transactions begun, i.e. the work
	// that reached PostgreSQL (benchmarks read it).
	transactions atomic.Int64
	// lastConnect is how long the newest connection took to open, in ns.
	lastConnect atomic.Int64
}

// Close closes the pool; it implements io.Closer for collector.Shared.
func (p *Pool) Close() error {
	p.Pool.Close()
	return nil
}

// Transactions returns how many read-only transactions the pool has begun.
func (p *Pool) Transactions() int64 { return p.transactions.Load() }

// LastConnectDuration is how long the newest connection took to open
// (0 before the first).
func (p *Pool) LastConnectDuration() time.Duration { return time.Duration(p.lastConnect.Load()) }

// totalTransactions counts the read-only transactions of every pool in the
// process, for benchmarks.
var totalTransactions atomic.Int64

// TotalTransactions returns how many read-only transactions every pool of
// the process has begun: the work that reached PostgreSQL.
func TotalTransactions() int64 { return totalTransactions.Load() }

// PoolFor returns the shared pool of the named target, opening it on first
// use. Opening does not connect; the first query does.
func PoolFor(env collector.Env, target string) (*Pool, error) {
	t, ok := env.Config.PostgresTargets[target]
	if !ok || t == nil {
		return nil, collector.Failf(collector.ReasonConfig, "postgres target %q is not defined under postgres_targets", target)
	}
	c, err := env.Shared.Get("postgres:"+target, func() (io.Closer, error) {
		return OpenPool(env.Config, target, t)
	})
	if err != nil {
		return nil, err
	}
	return c.(*Pool), nil
}

// OpenPool builds the pool of a target (without connecting).
func OpenPool(cfg *config.Config, name string, t *config.PostgresTarget) (*Pool, error) {
	password, err := config.ReadSecret(t.Password, cfg.ResolvePath(t.PasswordFile), t.PasswordEnv)
	if err != nil {
		return nil, collector.WithReason(collector.ReasonConfig, fmt.Errorf("postgres target %s: %w", name, err))
	}
	secrets := []string{}
	if password != "" {
		secrets = append(secrets, password)
	}
	if pw := config.DSNPassword(t.DSN); pw != "" {
		secrets = append(secrets, pw)
		// The DSN may carry it percent-encoded.
		secrets = append(secrets, url.PathEscape(pw), url.QueryEscape(pw))
	}
	dsn, err := config.WithDSNParams(t.DSN, map[string]string{
		"sslmode":     t.SSLMode,
		"sslrootcert": cfg.ResolvePath(t.SSLRootCert),
		"sslcert":     cfg.ResolvePath(t.SSLCert),
		"sslkey":      cfg.ResolvePath(t.SSLKey),
	})
	if err != nil {
		return nil, collector.WithReason(collector.ReasonConfig, fmt.Errorf("postgres target %s: %w", name, collector.Scrub(err, secrets...)))
	}
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, collector.WithReason(collector.ReasonConfig, fmt.Errorf("postgres target %s: dsn %s: %w", name, config.MaskDSN(t.DSN), collector.Scrub(err, secrets...)))
	}
	if password != "" {
		pc.ConnConfig.Password = password
	}
	pc.MaxConns = int32(t.MaxConnections)
	pc.MinConns = 0
	pc.MaxConnIdleTime = time.Minute
	pc.MaxConnLifetime = 30 * time.Minute
	pc.HealthCheckPeriod = 30 * time.Second
	pc.ConnConfig.ConnectTimeout = time.Duration(t.ConnectTimeout)
	// No named prepared statements: nothing cached per connection, and the
	// checks work behind PgBouncer in transaction mode. Still the extended
	// protocol, so a query is one statement: "SELECT 1; DELETE ..." is
	// refused.
	pc.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	if pc.ConnConfig.RuntimeParams == nil {
		pc.ConnConfig.RuntimeParams = map[string]string{}
	}
	pc.ConnConfig.RuntimeParams["application_name"] = "golive_exporter"
	pool := &Pool{Target: name, secrets: secrets}
	// Time every new connection: the connect latency figure.
	pc.BeforeConnect = func(_ context.Context, cc *pgx.ConnConfig) error {
		start := time.Now()
		prev := cc.AfterConnect
		cc.AfterConnect = func(ctx context.Context, pgc *pgconn.PgConn) error {
			pool.lastConnect.Store(int64(time.Since(start)))
			if prev != nil {
				return prev(ctx, pgc)
			}
			return nil
		}
		return nil
	}
	pp, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		return nil, collector.WithReason(collector.ReasonConfig, fmt.Errorf("postgres target %s: %w", name, collector.Scrub(err, secrets...)))
	}
	pool.Pool = pp
	return pool, nil
}

// classify gives PostgreSQL errors a reason and a hint, and removes secrets.
func (p *Pool) classify(err error, what string) error {
	if err == nil {
		return nil
	}
	err = collector.Scrub(fmt.Errorf("%s on postgres target %s: %w", what, p.Target, err), p.secrets...)
	var pge *pgconn.PgError
	if errors.As(err, &pge) {
		switch {
		case pge.Code == "28P01" || pge.Code == "28000":
			return collector.WithReason(collector.ReasonAuth, err)
		case pge.Code == "42501":
			return collector.WithReason(collector.ReasonPermission, fmt.Errorf("%w (grant the monitoring role pg_monitor and SELECT on the tables the check reads)", err))
		case pge.Code == "57014":
			return collector.WithReason(collector.ReasonTimeout, fmt.Errorf("%w (statement_timeout reached)", err))
		case pge.Code == "55P03":
			return collector.WithReason(collector.ReasonTimeout, fmt.Errorf("%w (lock_timeout reached)", err))
		case pge.Code == "25006":
			return collector.WithReason(collector.ReasonConfig, fmt.Errorf("%w: the query tried to write and the read-only transaction refused it; sql checks may only read", err))
		case pge.Code == "3D000" || pge.Code == "42P01" || pge.Code == "42703" || pge.Code == "42883":
			return collector.WithReason(collector.ReasonNotFound, err)
		case strings.HasPrefix(pge.Code, "42"):
			return collector.WithReason(collector.ReasonConfig, err)
		}
		return collector.WithReason(collector.ReasonError, err)
	}
	return err
}

// ReadOnly runs fn in a READ ONLY, REPEATABLE READ transaction with
// statement_timeout and lock_timeout set for it alone, then rolls it back.
// statementTimeout 0 uses the time left before ctx's deadline.
func (p *Pool) ReadOnly(ctx context.Context, statementTimeout, lockTimeout time.Duration, fn func(tx pgx.Tx) error) error {
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if statementTimeout <= 0 || statementTimeout > left {
			statementTimeout = left
		}
	}
	if statementTimeout <= 0 {
		statementTimeout = config.DefaultTimeout
	}
	if lockTimeout <= 0 || lockTimeout > statementTimeout {
		lockTimeout = statementTimeout
	}
	p.transactions.Add(1)
	totalTransactions.Add(1)
	tx, err := p.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return p.classify(err, "connecting")
	}
	defer func() {
		// Rolling back on a context that is already done would fail; the
		// pool then discards the connection, which is what we want anyway.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = tx.Rollback(rctx)
	}()
	if _, err := tx.Exec(ctx, "SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)",
		fmt.Sprintf("%dms", max(statementTimeout.Milliseconds(), 1)), fmt.Sprintf("%dms", max(lockTimeout.Milliseconds(), 1))); err != nil {
		return p.classify(err, "setting timeouts")
	}
	return fn(tx)
}

// figureUnavailable returns how a check reports a figure the role could
// not read: golive_postgres_figure_unavailable{figure} 1, and why in the
// debug log, the target's secrets removed.
func (p *Pool) figureUnavailable(r *collector.Report, logger *slog.Logger) func(figure string, err error) {
	return func(figure string, err error) {
		r.Gauge(pgUnavailableDesc, 1, figure)
		logger.Debug("postgres figure unavailable", "figure", figure, "err", collector.Scrub(err, p.secrets...))
	}
}

// optional runs fn inside a savepoint so that a figure the role may not see
// fails alone without aborting the transaction.
func optional(ctx context.Context, tx pgx.Tx, fn func(tx pgx.Tx) error) error {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(sp); err != nil {
		_ = sp.Rollback(ctx)
		return err
	}
	return sp.Commit(ctx)
}
