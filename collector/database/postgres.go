package database

import (
	"context"
	"fmt"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/human"
)

var (
	pgUpDesc = collector.NewDesc("golive_postgres_up",
		"Whether PostgreSQL answered a query (1) or not (0).")
	pgConnectDesc = collector.NewDesc("golive_postgres_connect_duration_seconds",
		"How long the pool's newest connection took to open (TCP, TLS and authentication).")
	pgProbeDesc = collector.NewHistogramDesc("golive_postgres_probe_duration_seconds",
		"Round-trip time of the SELECT 1 probes through the pool, since the exporter started.")
	pgProbeP95Desc = collector.NewDesc("golive_postgres_probe_p95_seconds",
		"95th percentile of the recent probe round trips (the window is latency_window probes); max_p95 applies to it.")
	pgProbeWindowDesc = collector.NewDesc("golive_postgres_probe_window_probes",
		"How many recent probes the p95 covers.")
	pgVersionDesc = collector.NewDesc("golive_postgres_server_version_num",
		"The server's version as server_version_num (e.g. 150020).")
	pgInRecoveryDesc = collector.NewDesc("golive_postgres_in_recovery",
		"Whether the server is a replica in recovery (1) or a primary (0).")
	pgStartDesc = collector.NewDesc("golive_postgres_start_timestamp_seconds",
		"When the server started, as a Unix timestamp.")
	pgConnsDesc = collector.NewDesc("golive_postgres_connections",
		"Backends connected to the server (pg_stat_activity).")
	pgMaxConnsDesc = collector.NewDesc("golive_postgres_max_connections",
		"The server's max_connections setting.")
	pgConnsRatioDesc = collector.NewDesc("golive_postgres_connections_ratio",
		"Connections in use as a share of max_connections.")
	pgOldestTxDesc = collector.NewDesc("golive_postgres_oldest_transaction_age_seconds",
		"Age of the oldest open transaction the monitoring role can see (0 when none).")
	pgReplLagDesc = collector.NewDesc("golive_postgres_replication_lag_seconds",
		"On a replica, how far replay is behind the primary (0 when caught up).")
	pgDBSizeDesc = collector.NewDesc("golive_postgres_database_size_bytes",
		"Size of the target's database.")
	pgArchiveModeDesc = collector.NewDesc("golive_postgres_archive_mode_enabled",
		"Whether archive_mode is on (1) or off (0).")
	pgArchivedDesc = collector.NewCounterDesc("golive_postgres_archiver_archived_total",
		"WAL files archived successfully since the statistics were reset (pg_stat_archiver).")
	pgArchiveFailedDesc = collector.NewCounterDesc("golive_postgres_archiver_failed_total",
		"Failed attempts to archive WAL files (pg_stat_archiver).")
	pgLastArchivedDesc = collector.NewDesc("golive_postgres_archiver_last_archived_timestamp_seconds",
		"When the newest WAL file was archived (absent when none ever was).")
	pgLastFailedDesc = collector.NewDesc("golive_postgres_archiver_last_failed_timestamp_seconds",
		"When archiving last failed (absent when it never did).")
	pgChecksumFailDesc = collector.NewCounterDesc("golive_postgres_checksum_failures_total",
		"Data page checksum failures detected in every database (pg_stat_database): data corruption.")
	pgChecksumsOnDesc = collector.NewDesc("golive_postgres_data_checksums_enabled",
		"Whether data checksums are on (1); when off, corruption goes undetected.")
	pgPoolConnsDesc = collector.NewDesc("golive_postgres_pool_connections",
		"The exporter's own connections to the target, by state (idle, in_use), and its bound (max).", "state")
	pgUnavailableDesc = collector.NewDesc("golive_postgres_figure_unavailable",
		"1 for each figure the monitoring role could not read (missing privilege, extension or view).", "figure")
)

type postgresCheck struct {
	cfg     *PostgresCheck
	env     collector.Env
	latency *Latencies
}

func newPostgres(c *config.Check, env collector.Env) (collector.Check, error) {
	cfg := c.Spec().(*PostgresCheck)
	return &postgresCheck{cfg: cfg, env: env, latency: NewLatencies(cfg.LatencyWindow)}, nil
}

// Run probes the server, then reads the health figures in one read-only
// transaction, all in one round trip; a figure the role may not read is
// reported unavailable.
func (c *postgresCheck) Run(ctx context.Context, r *collector.Report) error {
	pool, err := PoolFor(c.env, c.cfg.Target)
	if err != nil {
		r.Bool(pgUpDesc, false)
		return err
	}
	// The probe times the query round trip on a connection already open;
	// opening one is the connect latency, reported apart.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		r.Bool(pgUpDesc, false)
		return pool.classify(err, "connecting")
	}
	for range c.cfg.ProbesPerRun {
		start := time.Now()
		var one int
		pool.sent(1)
		err := conn.QueryRow(ctx, "SELECT 1").Scan(&one)
		if err != nil {
			conn.Release()
			r.Bool(pgUpDesc, false)
			return pool.classify(err, "probing")
		}
		c.latency.Observe(time.Since(start))
	}
	conn.Release()
	r.Bool(pgUpDesc, true)
	if d := pool.LastConnectDuration(); d > 0 {
		r.Gauge(pgConnectDesc, d.Seconds())
	}
	r.Histogram(pgProbeDesc, c.latency.Histogram())
	p95, n := c.latency.Quantile(0.95)
	r.Gauge(pgProbeP95Desc, p95.Seconds())
	r.Gauge(pgProbeWindowDesc, float64(n))
	r.Assert("probe p95", p95 <= time.Duration(c.cfg.MaxP95), fmt.Sprintf("%s over %d probes", p95.Round(time.Microsecond), n), "<= "+c.cfg.MaxP95.String())
	st := pool.Stat()
	r.Gauge(pgPoolConnsDesc, float64(st.IdleConns()), "idle")
	r.Gauge(pgPoolConnsDesc, float64(st.AcquiredConns()), "in_use")
	r.Gauge(pgPoolConnsDesc, float64(st.MaxConns()), "max")

	var f figures
	errs, err := pool.readBatch(ctx, 0, 0, f.queries())
	if err != nil {
		return err
	}
	unavailable := pool.figureUnavailable(r, c.env.Logger)
	c.reportServer(r, &f, errs[0], errs[1], errs[2], unavailable)
	c.reportActivity(r, &f, errs[3], unavailable)
	c.reportArchiver(r, &f, errs[4], unavailable)
	c.reportChecksums(r, &f, errs[5], unavailable)
	return nil
}

// figures are the health figures one run reads.
type figures struct {
	version              int64
	recovery             bool
	started              float64
	size                 int64
	caughtUp             bool
	replayAge            *float64
	conns, maxConns      int64
	oldest               float64
	seesAll              bool
	archiveMode          string
	archived, archFailed int64
	lastArchived, lastFl *float64
	checksumFailures     int64
	checksums            string
}

// queries are the statements that read f, in the order Run reports them;
// each fails alone.
func (f *figures) queries() []readQuery {
	return []readQuery{
		{sql: `SELECT current_setting('server_version_num')::bigint, pg_is_in_recovery(),
			extract(epoch from pg_postmaster_start_time())::float8`, read: one(&f.version, &f.recovery, &f.started)},
		{sql: `SELECT pg_database_size(current_database())`, read: one(&f.size)},
		// On a primary both LSNs are NULL: read always, used on a replica.
		// Without streaming (archive recovery) the received LSN is NULL:
		// not caught up, the age says how far behind.
		{sql: `SELECT coalesce(pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), false),
			extract(epoch from now() - pg_last_xact_replay_timestamp())::float8`, read: one(&f.caughtUp, &f.replayAge)},
		{sql: `SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
			current_setting('max_connections')::bigint,
			coalesce((SELECT extract(epoch from max(now() - xact_start)) FROM pg_stat_activity
				WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() AND backend_type = 'client backend'), 0)::float8,
			(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR pg_has_role('pg_read_all_stats', 'MEMBER')`,
			read: one(&f.conns, &f.maxConns, &f.oldest, &f.seesAll)},
		{sql: `SELECT current_setting('archive_mode'), archived_count, failed_count,
			extract(epoch from last_archived_time)::float8, extract(epoch from last_failed_time)::float8 FROM pg_stat_archiver`,
			read: one(&f.archiveMode, &f.archived, &f.archFailed, &f.lastArchived, &f.lastFl)},
		{sql: `SELECT coalesce(sum(checksum_failures), 0)::bigint, current_setting('data_checksums') FROM pg_stat_database`,
			read: one(&f.checksumFailures, &f.checksums)},
	}
}

func (c *postgresCheck) reportServer(r *collector.Report, f *figures, serverErr, sizeErr, lagErr error, unavailable func(string, error)) {
	if serverErr != nil {
		unavailable("server", serverErr)
	} else {
		r.Gauge(pgVersionDesc, float64(f.version))
		r.Bool(pgInRecoveryDesc, f.recovery)
		r.Gauge(pgStartDesc, f.started)
		role := "primary"
		if f.recovery {
			role = "replica"
		}
		if c.cfg.ExpectRole != "" {
			r.Assert("role", role == c.cfg.ExpectRole, role, c.cfg.ExpectRole)
		}
		if f.recovery {
			c.reportReplicationLag(r, f, lagErr, unavailable)
		}
	}
	if sizeErr != nil {
		unavailable("database_size", sizeErr)
	} else {
		r.Gauge(pgDBSizeDesc, float64(f.size))
	}
}

// reportReplicationLag reports how far replay is behind on a replica: 0
// when everything received is replayed, else the age of the newest
// replayed transaction. A replica that has received WAL but replayed no
// transaction since it started has no such age: the lag is then unknown,
// reported unavailable rather than as a reassuring 0.
func (c *postgresCheck) reportReplicationLag(r *collector.Report, f *figures, err error, unavailable func(string, error)) {
	maxLag := time.Duration(c.cfg.MaxReplicationLag)
	switch {
	case err != nil:
		unavailable("replication_lag", err)
	case !f.caughtUp && f.replayAge == nil:
		unavailable("replication_lag", fmt.Errorf("the replica has WAL to replay but has replayed no transaction since it started"))
		if maxLag > 0 {
			r.Warn("replication lag", false, "unknown (WAL not yet replayed, no transaction replayed since the replica started)", "<= "+maxLag.String())
		}
	default:
		lag := 0.0
		if !f.caughtUp {
			lag = max(*f.replayAge, 0)
		}
		r.Gauge(pgReplLagDesc, lag)
		if maxLag > 0 {
			r.Assert("replication lag", lag <= maxLag.Seconds(), fmt.Sprintf("%.1fs", lag), "<= "+maxLag.String())
		}
	}
}

func (c *postgresCheck) reportActivity(r *collector.Report, f *figures, err error, unavailable func(string, error)) {
	if err != nil {
		unavailable("connections", err)
		unavailable("oldest_transaction", err)
		return
	}
	r.Gauge(pgConnsDesc, float64(f.conns))
	r.Gauge(pgMaxConnsDesc, float64(f.maxConns))
	ratio := float64(f.conns) / float64(max(f.maxConns, 1))
	r.Gauge(pgConnsRatioDesc, ratio)
	r.Assert("connections", ratio <= c.cfg.MaxConnectionsRatio, fmt.Sprintf("%d of %d (%.0f%%)", f.conns, f.maxConns, ratio*100), fmt.Sprintf("<= %.0f%% of max_connections", c.cfg.MaxConnectionsRatio*100))
	if !f.seesAll {
		// Without pg_read_all_stats other roles' transactions are hidden:
		// a 0 would be a lie, so the figure is unavailable.
		unavailable("oldest_transaction", fmt.Errorf("role lacks pg_read_all_stats (grant pg_monitor)"))
		return
	}
	r.Gauge(pgOldestTxDesc, f.oldest)
	maxAge := time.Duration(c.cfg.MaxTransactionAge)
	r.Assert("oldest transaction", f.oldest <= maxAge.Seconds(), human.Duration(time.Duration(f.oldest*float64(time.Second))), "<= "+maxAge.String())
}

func (c *postgresCheck) reportArchiver(r *collector.Report, f *figures, err error, unavailable func(string, error)) {
	if err != nil {
		unavailable("archiver", err)
		return
	}
	mode, lastArchived, lastFl := f.archiveMode, f.lastArchived, f.lastFl
	on := mode == "on" || mode == "always"
	r.Bool(pgArchiveModeDesc, on)
	r.Counter(pgArchivedDesc, float64(f.archived))
	r.Counter(pgArchiveFailedDesc, float64(f.archFailed))
	if lastArchived != nil {
		r.Gauge(pgLastArchivedDesc, *lastArchived)
	}
	if lastFl != nil {
		r.Gauge(pgLastFailedDesc, *lastFl)
	}
	if c.cfg.RequireArchiving {
		r.Assert("WAL archiving on", on, "archive_mode="+mode, "archive_mode=on")
	}
	if on && lastFl != nil {
		ok := lastArchived != nil && *lastArchived >= *lastFl
		r.Assert("WAL archiving healthy", ok, "last failure "+unixString(lastFl)+", last success "+unixString(lastArchived), "no failure since the last success")
	}
	if on && c.cfg.MaxArchiveAge > 0 {
		maxAge := time.Duration(c.cfg.MaxArchiveAge)
		ok := lastArchived != nil && time.Since(time.Unix(int64(*lastArchived), 0)) <= maxAge
		r.AssertReason(collector.ReasonStale, "WAL archived recently", ok, "last success "+unixString(lastArchived), "within "+maxAge.String())
	}
}

func unixString(v *float64) string {
	if v == nil {
		return "never"
	}
	return time.Unix(int64(*v), 0).UTC().Format(time.RFC3339)
}

func (c *postgresCheck) reportChecksums(r *collector.Report, f *figures, err error, unavailable func(string, error)) {
	if err != nil {
		unavailable("checksum_failures", err)
		return
	}
	r.Counter(pgChecksumFailDesc, float64(f.checksumFailures))
	r.Bool(pgChecksumsOnDesc, f.checksums == "on")
	r.Assert("checksum failures", f.checksumFailures == 0, fmt.Sprint(f.checksumFailures), "0")
}
