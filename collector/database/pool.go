// Package database holds the PostgreSQL checks: server health, migrations at
// head, index health and read-only SQL data checks. Every check on one
// target shares one small connection pool (Env.Shared), and every query runs
// in a READ ONLY transaction with statement and lock timeouts.
package database

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/httpclient"
	"github.com/golive/golive_exporter/internal/pgtls"
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
	// statements counts the statements sent, wrappers (BEGIN, the
	// timeouts, ROLLBACK, DISCARD ALL) included.
	statements atomic.Int64
	// lastConnect is how long the newest connection took to open, in ns.
	lastConnect atomic.Int64
	// dsn is the target's DSN, its password masked: the names in it may
	// show in messages.
	dsn string
	// allowPrivileged is the target's allow_privileged_role.
	allowPrivileged bool
	// refusalLogged is set once a refusal to run as a privileged role has
	// been logged, so that the log says it once per pool, not per run.
	refusalLogged atomic.Bool
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

// Statements returns how many statements the pool has sent.
func (p *Pool) Statements() int64 { return p.statements.Load() }

// totalTransactions and totalStatements count the read-only transactions
// and the statements of every pool in the process, for benchmarks.
var totalTransactions, totalStatements atomic.Int64

// TotalTransactions returns how many read-only transactions every pool of
// the process has begun: the work that reached PostgreSQL.
func TotalTransactions() int64 { return totalTransactions.Load() }

// TotalStatements returns how many statements every pool of the process
// has sent, wrappers included: what pg_stat_statements would count.
func TotalStatements() int64 { return totalStatements.Load() }

// sent counts n statements sent.
func (p *Pool) sent(n int) {
	p.statements.Add(int64(n))
	totalStatements.Add(int64(n))
}

// begun counts a read-only transaction begun.
func (p *Pool) begun() {
	p.transactions.Add(1)
	totalTransactions.Add(1)
}

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
	password, err := config.ReadSecret(context.Background(), httpclient.EnvSecrets{}, t.Password, cfg.ResolvePath(t.PasswordFile), t.PasswordRef)
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
	dsn, err := pgtls.DSN(cfg, t)
	if err != nil {
		return nil, collector.WithReason(collector.ReasonConfig, fmt.Errorf("postgres target %s: %w", name, collector.Scrub(err, secrets...)))
	}
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, collector.WithReason(collector.ReasonConfig, fmt.Errorf("postgres target %s: dsn %s: %w", name, config.MaskDSN(t.DSN), collector.Scrub(err, secrets...)))
	}
	if err := pgtls.Apply(cfg, t, &pc.ConnConfig.Config); err != nil {
		return nil, collector.WithReason(collector.ReasonConfig, fmt.Errorf("postgres target %s: %w", name, collector.Scrub(err, secrets...)))
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
	pool := &Pool{Target: name, secrets: secrets, dsn: config.MaskDSN(t.DSN), allowPrivileged: t.AllowPrivilegedRole}
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

// classify gives PostgreSQL errors a reason and a hint, cuts the server's
// message to a short form that shows no data (see safeMessage; known are
// the texts of the queries that ran, whose names and literals may show),
// and removes secrets.
func (p *Pool) classify(err error, what string, known ...string) error {
	if err == nil {
		return nil
	}
	err = cleanError(err, append(known, p.dsn)...)
	err = collector.Scrub(fmt.Errorf("%s on postgres target %s: %w", what, p.Target, err), p.secrets...)
	var pge *pgconn.PgError
	if errors.As(err, &pge) {
		// The reason is the one every kind gives the SQLSTATE; some get a
		// hint on what to do.
		switch pge.Code {
		case "42501":
			err = fmt.Errorf("%w (grant the monitoring role pg_monitor and SELECT on the tables the check reads)", err)
		case "57014":
			err = fmt.Errorf("%w (statement_timeout reached)", err)
		case "55P03":
			err = fmt.Errorf("%w (lock_timeout reached)", err)
		case "25006":
			return collector.WithReason(collector.ReasonConfig, fmt.Errorf("%w: the query tried to write and the read-only transaction refused it; sql checks may only read", err))
		}
		reason := collector.SQLStateReason(pge.Code)
		if reason == "" {
			reason = collector.ReasonError
		}
		return collector.WithReason(reason, err)
	}
	return err
}

// beginReadOnly opens every transaction of the checks; timeoutsSQL sets
// its timeouts for it alone.
const (
	beginReadOnly = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
	timeoutsSQL   = "SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)"
)

// readQuery is one of the exporter's own queries (never configured SQL)
// in a read-only batch.
type readQuery struct {
	sql  string
	args []any
	// read reads the query's rows (it need not close them).
	read func(rows pgx.Rows) error
}

// readBatch runs the exporter's own queries in one READ ONLY, REPEATABLE
// READ transaction whose BEGIN, timeouts (as ReadOnly's), queries and
// ROLLBACK travel in one round trip. A query PostgreSQL refuses (a figure
// the role may not read) aborts the transaction and skips the rest: they
// are sent again in a new transaction, so that each fails alone without a
// savepoint around every query. It returns each query's error (nil when
// it was read); err is set when nothing more could be done (connecting,
// the connection lost, the deadline).
func (p *Pool) readBatch(ctx context.Context, statementTimeout, lockTimeout time.Duration, queries []readQuery) (errs []error, err error) {
	statementTimeout, lockTimeout = p.timeouts(ctx, statementTimeout, lockTimeout)
	p.begun()
	conn, err := p.Acquire(ctx)
	if err != nil {
		return nil, p.classify(err, "connecting")
	}
	// A connection left inside a transaction (an error half way) is
	// closed by the pool rather than reused.
	defer conn.Release()
	errs = make([]error, len(queries))
	for next, aborted := 0, false; next < len(queries); aborted = true {
		b := &pgx.Batch{}
		if aborted {
			b.Queue("ROLLBACK")
		}
		b.Queue(beginReadOnly)
		b.Queue(timeoutsSQL, durationSetting(statementTimeout), durationSetting(lockTimeout))
		for _, q := range queries[next:] {
			b.Queue(q.sql, q.args...)
		}
		b.Queue("ROLLBACK")
		header := b.Len() - len(queries[next:]) - 1
		br := conn.SendBatch(ctx, b)
		for range header {
			if _, err := br.Exec(); err != nil {
				_ = br.Close()
				p.sent(header)
				return nil, p.classify(err, "beginning a read-only transaction")
			}
		}
		failed := -1
		for i := next; i < len(queries); i++ {
			rows, err := br.Query()
			if err == nil {
				err = queries[i].read(rows)
				rows.Close()
				if err == nil {
					err = rows.Err()
				}
			}
			if err != nil {
				errs[i] = err
				var pge *pgconn.PgError
				if errors.As(err, &pge) {
					failed = i // PostgreSQL skips the rest of the batch
					break
				}
			}
		}
		// Count what PostgreSQL ran: after a failure it skips the rest.
		if failed < 0 {
			p.sent(b.Len())
			_, err = br.Exec() // ROLLBACK
		} else {
			p.sent(header + failed - next + 1)
		}
		if cerr := br.Close(); err == nil && failed < 0 {
			err = cerr
		}
		if err != nil || conn.Conn().IsClosed() || ctx.Err() != nil {
			if err == nil {
				err = cmp.Or(ctx.Err(), errors.New("the connection was lost"))
			}
			return nil, p.classify(err, "reading")
		}
		if failed < 0 {
			return errs, nil
		}
		next = failed + 1
	}
	// The last query failed: end its aborted transaction.
	p.sent(1)
	if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
		return nil, p.classify(err, "ending a read-only transaction")
	}
	return errs, nil
}

// one returns a read function that scans the single row of a query into
// dest; no row is pgx.ErrNoRows.
func one(dest ...any) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return pgx.ErrNoRows
		}
		return rows.Scan(dest...)
	}
}

// Querier runs the queries of a check: a connection inside its read-only
// transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// privilegedRoles are the predefined roles whose members can escape a
// read-only transaction, and what each lets a query do.
var privilegedRoles = []struct{ name, power string }{
	{"pg_execute_server_program", "run shell commands (COPY ... TO PROGRAM)"},
	{"pg_read_server_files", "read server files (pg_read_file, COPY ... FROM)"},
	{"pg_write_server_files", "write server files (COPY ... TO)"},
	{"pg_signal_backend", "end other sessions (pg_terminate_backend)"},
}

// sessionSetupSQL sets the transaction's timeouts and reads what the
// session's role may do, in the statement that sets them: whether it is,
// or may become (SET ROLE), a superuser, and of which privilegedRoles it
// is a member, directly or through other roles, inheriting or not.
var sessionSetupSQL = func() string {
	names := make([]string, len(privilegedRoles))
	for i, r := range privilegedRoles {
		names[i] = "'" + r.name + "'"
	}
	return `SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true), session_user::text,
	EXISTS (SELECT 1 FROM pg_roles WHERE rolsuper AND pg_has_role(session_user, oid, 'MEMBER')),
	ARRAY(SELECT rolname::text FROM pg_roles WHERE rolname IN (` + strings.Join(names, ", ") + `) AND pg_has_role(session_user, oid, 'MEMBER') ORDER BY 1)`
}()

// PrivilegedRoleError is the refusal to run configured SQL as a role that
// could escape the read-only transaction.
type PrivilegedRoleError struct {
	Role      string
	Superuser bool
	// Members are the privilegedRoles the role belongs to.
	Members []string
	Target  string
}

func (e *PrivilegedRoleError) Error() string {
	var what string
	powers := []string{}
	if e.Superuser {
		what = "is a superuser (or may become one with SET ROLE)"
		for _, r := range privilegedRoles {
			powers = append(powers, r.power)
		}
	} else {
		what = "is a member of " + strings.Join(e.Members, ", ")
		for _, r := range privilegedRoles {
			if slices.Contains(e.Members, r.name) {
				powers = append(powers, r.power)
			}
		}
	}
	list := powers[len(powers)-1]
	if len(powers) > 1 {
		list = strings.Join(powers[:len(powers)-1], ", ") + " and " + list
	}
	return fmt.Sprintf("refusing to run the query as role %q, which %s: a query could %s, whatever the read-only transaction. %s",
		e.Role, what, list, config.LeastPrivilegeAdvice(e.Target))
}

// RunSQL runs configured SQL: fn gets a connection inside a READ ONLY,
// REPEATABLE READ transaction with statement_timeout and lock_timeout set
// for it alone (statementTimeout 0: the time left before ctx's deadline).
// Unless the target allows it (allow_privileged_role), a session whose
// role is privileged (see PrivilegedRoleError) is refused before fn runs,
// with reason config. Afterwards the transaction is rolled back and the
// session reset (DISCARD ALL) before the connection returns to the pool.
func (p *Pool) RunSQL(ctx context.Context, statementTimeout, lockTimeout time.Duration, fn func(q Querier) error) error {
	statementTimeout, lockTimeout = p.timeouts(ctx, statementTimeout, lockTimeout)
	p.begun()
	conn, err := p.Acquire(ctx)
	if err != nil {
		return p.classify(err, "connecting")
	}
	defer p.reset(ctx, conn)
	var (
		st, lt, role string
		super        bool
		members      []string
	)
	// BEGIN, the timeouts and the role check in one round trip.
	b := &pgx.Batch{}
	b.Queue(beginReadOnly)
	b.Queue(sessionSetupSQL, durationSetting(statementTimeout), durationSetting(lockTimeout)).QueryRow(func(row pgx.Row) error {
		return row.Scan(&st, &lt, &role, &super, &members)
	})
	p.sent(b.Len())
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return p.classify(err, "beginning a read-only transaction")
	}
	if (super || len(members) > 0) && !p.allowPrivileged {
		return collector.WithReason(collector.ReasonConfig, &PrivilegedRoleError{Role: role, Superuser: super, Members: members, Target: p.Target})
	}
	return fn(countingQuerier{conn: conn.Conn(), pool: p})
}

// countingQuerier counts the queries a check sends through it.
type countingQuerier struct {
	conn *pgx.Conn
	pool *Pool
}

func (q countingQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	q.pool.sent(1)
	return q.conn.Query(ctx, sql, args...)
}

func (q countingQuerier) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	q.pool.sent(1)
	return q.conn.QueryRow(ctx, sql, args...)
}

// reset ends what configured SQL did to a session before its connection
// goes back to the pool: the transaction is rolled back and the session
// reset with DISCARD ALL (session advisory locks, prepared statements,
// settings, LISTEN, temporary tables), both in one round trip. A session
// that cannot be reset is closed, never pooled.
func (p *Pool) reset(ctx context.Context, conn *pgxpool.Conn) {
	defer conn.Release()
	pgc := conn.Conn().PgConn()
	if pgc.IsClosed() {
		return // the pool drops it
	}
	// Resetting on a context that is already done would fail; the
	// connection would then be closed, which is what we want anyway.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	p.sent(2)
	pl := pgc.StartPipeline(rctx)
	// A Sync between them: DISCARD ALL may not run inside a transaction.
	pl.SendQueryParams("ROLLBACK", nil, nil, nil, nil)
	pl.SendPipelineSync()
	pl.SendQueryParams("DISCARD ALL", nil, nil, nil, nil)
	pl.SendPipelineSync()
	err := pl.Flush()
	if cerr := pl.Close(); err == nil {
		err = cerr
	}
	if err != nil || pgc.TxStatus() != 'I' {
		_ = conn.Conn().Close(rctx)
	}
}

// RefusalFirstLogged reports whether this is the pool's first refusal to
// run as a privileged role, the one to log.
func (p *Pool) RefusalFirstLogged() bool { return p.refusalLogged.CompareAndSwap(false, true) }

// timeouts bounds a run's statement timeout by the time left before ctx's
// deadline (or config.DefaultTimeout), and its lock timeout by the
// statement timeout.
func (p *Pool) timeouts(ctx context.Context, statementTimeout, lockTimeout time.Duration) (time.Duration, time.Duration) {
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
	return statementTimeout, lockTimeout
}

// durationSetting writes d as a PostgreSQL duration setting in whole
// milliseconds, at least 1 (0 would mean no limit).
func durationSetting(d time.Duration) string {
	return fmt.Sprintf("%dms", max(d.Milliseconds(), 1))
}

// figureUnavailable returns how a check reports a figure the role could
// not read: golive_postgres_figure_unavailable{figure} 1, and why in the
// debug log, the target's secrets removed.
func (p *Pool) figureUnavailable(r *collector.Report, logger *slog.Logger) func(figure string, err error) {
	return func(figure string, err error) {
		r.Gauge(pgUnavailableDesc, 1, figure)
		logger.Debug("postgres figure unavailable", "figure", figure, "err", collector.Scrub(cleanError(err, p.dsn), p.secrets...))
	}
}
