package backup

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/jackc/pgx/v5"

	"github.com/golive/golive_exporter/internal/human"
)

var (
	restoreAttemptDesc = collector.NewDesc("golive_restore_last_attempt_timestamp_seconds",
		"When the last restore test started (active) or finished (a restore job's result).")
	restoreSuccessTSDesc = collector.NewDesc("golive_restore_last_success_timestamp_seconds",
		"When the last successful restore test ran; absent until one succeeded.")
	restoreDurationDesc = collector.NewDesc("golive_restore_duration_seconds",
		"How long the last restore test took.")
	restoreSuccessDesc = collector.NewDesc("golive_restore_success",
		"Whether the last restore test succeeded (1) or not (0).")
	restoreRowsCheckedDesc = collector.NewDesc("golive_restore_rows_checked",
		"Rows counted in the restored tables by the last restore test.")
	restoreTableRowsDesc = collector.NewDesc("golive_restore_table_rows",
		"Rows of a configured table in the restored scratch database.", "table")
	restoreSourceRowsDesc = collector.NewDesc("golive_restore_source_table_rows",
		"Rows of a configured table in the source database, for comparison.", "table")
	restoreDumpTSDesc = collector.NewDesc("golive_restore_dump_timestamp_seconds",
		"Time of the dump the last restore test used (name timestamp or modification time).")
	restoreDumpSizeDesc = collector.NewDesc("golive_restore_dump_size_bytes",
		"Size of the dump the last restore test used.")
	restoreStepDesc = collector.NewDesc("golive_restore_step_success",
		"Whether each step of the last restore test succeeded: pgbackrest_verify, dump_check, restore, row_count, drop.", "step")
)

// restoreSlot lets one restore run at a time in this process; an advisory
// lock on the scratch server keeps exporters on several hosts apart.
var restoreSlot = make(chan struct{}, 1)

// dropTimeout bounds dropping the scratch database, which happens even
// after the check's own deadline passed.
const dropTimeout = 30 * time.Second

type restoreCheck struct {
	name       string
	interval   time.Duration
	cfg        *RestoreCheck
	lister     *dumpLister
	scratch    connSpec
	source     connSpec
	verifyConf string
	logger     *slog.Logger
	// statePath is the state file ("" keeps the results in memory only);
	// fingerprint ties a kept result to these settings.
	statePath   string
	fingerprint string

	mu          sync.Mutex
	lastSuccess time.Time
	// kept is the state file's result, reported once by the first run
	// when younger than the interval; stateErr says why the file could not
	// be read, shown by the first run.
	kept     *restoreState
	stateErr error
}

func newRestore(c *config.Check, env collector.Env) (collector.Check, error) {
	cfg := c.Spec().(*RestoreCheck)
	chk := &restoreCheck{name: c.Name, interval: time.Duration(c.Interval), cfg: cfg, logger: env.Logger,
		statePath: env.Config.ResolvePath(cfg.StateFile), fingerprint: configFingerprint(cfg),
		scratch: connFrom(env.Config, cfg.Target, cfg.DSN, cfg.Password, cfg.PasswordFile, cfg.PasswordRef),
		source:  connFrom(env.Config, cfg.SourceTarget, cfg.SourceDSN, cfg.SourcePassword, cfg.SourcePasswordFile, cfg.SourcePasswordRef)}
	if chk.logger == nil {
		chk.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Glob != "" {
		l, err := newDumpLister(&cfg.DumpSelection, env.Config)
		if err != nil {
			return nil, err
		}
		chk.lister = l
	}
	if v := cfg.PgBackRestVerify; v != nil {
		chk.verifyConf = env.Config.ResolvePath(v.ConfigFile)
	}
	if chk.statePath != "" {
		chk.loadState()
	}
	return chk, nil
}

// loadState takes the last success and the last result from the state file
// when they belong to this check with these settings.
func (c *restoreCheck) loadState() {
	st, err := loadRestoreState(c.statePath)
	switch {
	case err != nil:
		c.stateErr = err
		c.logger.Warn("restore state not read; the next restore test starts afresh", "err", err)
	case st == nil:
	case st.Check != c.name:
		c.stateErr = fmt.Errorf("restore state %s belongs to check %q; give each restore check its own state_file", c.statePath, st.Check)
		c.logger.Warn("restore state of another check ignored", "file", c.statePath, "other", st.Check)
	case st.Config != c.fingerprint:
		// A result of other settings (a table added, another server) says
		// nothing about these: the first run restores again.
		c.logger.Info("restore settings changed since the kept result; restoring again", "file", c.statePath)
	default:
		c.kept = st
		if st.LastSuccess != nil {
			c.lastSuccess = *st.LastSuccess
		}
	}
}

// takeKept returns the kept result once: only the first run after a start
// or reload may report it instead of restoring.
func (c *restoreCheck) takeKept() (*restoreState, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, err := c.kept, c.stateErr
	c.kept, c.stateErr = nil, nil
	return st, err
}

func (c *restoreCheck) tool(name string) string {
	if c.cfg.BinDir != "" {
		return filepath.Join(c.cfg.BinDir, name)
	}
	return name
}

// Run performs one restore test. Its outcome is also kept as metrics (last
// attempt, last success, duration, result) so that a background schedule
// shows when it last worked.
func (c *restoreCheck) Run(ctx context.Context, r *collector.Report) (err error) {
	kept, stateErr := c.takeKept()
	if stateErr != nil {
		r.Warn(condStateReadable, false, stateErr.Error(), "the state_file holds this check's last result")
	}
	// A success younger than the interval, kept across a restart or
	// reload, is reported again instead of starting a restore that may take
	// many minutes (and that the next reload would cancel again). A kept
	// failure is not: the restart may well be the fix, so it runs again.
	if now := time.Now(); kept != nil && kept.Success && c.interval > 0 && !now.Before(kept.Attempt) && now.Before(kept.Attempt.Add(c.interval)) {
		if c.lister == nil {
			return kept.replay(r, c.statePath, c.interval)
		}
		replayed, why, err := c.replayKept(ctx, r, kept, now)
		if replayed {
			return err
		}
		if why != "" {
			r.Assert(condKeptResult, true, why, "a kept result stands only for the dump it tested, unchanged")
		}
	}
	select {
	case restoreSlot <- struct{}{}:
		defer func() { <-restoreSlot }()
	case <-ctx.Done():
		return collector.WithReason(collector.ReasonTimeout, fmt.Errorf("waiting for another restore test to finish: %w", ctx.Err()))
	}
	start := time.Now()
	r.Gauge(restoreAttemptDesc, unixSeconds(start))
	var tested *dump // the dump this run took, kept with its result
	defer func() {
		ok := err == nil
		for _, cond := range r.Conditions() {
			if !cond.OK && !cond.Warning {
				ok = false
			}
		}
		took := time.Since(start)
		r.Gauge(restoreDurationDesc, took.Seconds())
		if max := c.cfg.MaxDuration; max > 0 && err == nil {
			within := took <= time.Duration(max)
			ok = ok && within
			r.Assert("restore duration", within, human.Duration(took), "at most "+max.String())
		}
		r.Bool(restoreSuccessDesc, ok)
		c.mu.Lock()
		if ok {
			c.lastSuccess = start
		}
		last := c.lastSuccess
		c.mu.Unlock()
		if !last.IsZero() {
			r.Gauge(restoreSuccessTSDesc, unixSeconds(last))
		}
		// A run cancelled by a shutdown or reload proved nothing either
		// way: the state keeps the run before it.
		if c.statePath != "" && !errors.Is(ctx.Err(), context.Canceled) {
			if serr := saveRestoreState(c.statePath, stateFrom(c.name, c.fingerprint, start, ok, last, tested, err, r)); serr != nil {
				c.logger.Error("restore state not saved", "err", serr)
				r.Warn("restore state saved", false, serr.Error(), "the result written to "+c.statePath)
			}
		}
	}()
	if c.cfg.PgBackRestVerify != nil {
		if err := c.pgbackrestVerify(ctx, r); err != nil {
			return err
		}
	}
	if c.lister == nil {
		return nil
	}
	dumps, skipped, err := c.lister.list(ctx)
	if err != nil {
		return err
	}
	reportSkipped(r, len(dumps), skipped)
	if ns := newestSkipped(dumps, skipped); ns != nil {
		r.Bool(restoreStepDesc, false, "dump_check")
		r.Assert("dump readable", false, ns.Name+": "+ns.why(), "the newest dump readable by the exporter")
		return nil
	}
	d := newestSettled(dumps, time.Now())
	tested = &d
	r.Gauge(restoreDumpTSDesc, unixSeconds(d.Time))
	r.Gauge(restoreDumpSizeDesc, float64(d.Size))

	checkErr := c.checkDump(ctx, d)
	if ctx.Err() != nil {
		return collector.WithReason(collector.ReasonTimeout, fmt.Errorf("checking dump %s: %w", d.Name, ctx.Err()))
	}
	r.Bool(restoreStepDesc, checkErr == nil, "dump_check")
	r.Assert("dump readable", checkErr == nil, dumpObserved(d, checkErr), "the newest dump reads to its end ("+d.Format+")")
	if checkErr != nil {
		return nil
	}
	return c.restore(ctx, r, d)
}

// condNewestTested is the warning a kept result adds while a newer dump
// has not been restored yet.
const condNewestTested = "newest dump restore-tested"

// replayKept reports a kept success again when the dump it tested is still
// there, unchanged. A newer dump is not covered by it: that one gets the
// cheap readability test at once (a truncated or corrupt dump fails the
// check) and a warning until the next restore test restores it. replayed
// is false when the kept result stands for nothing any more (its dump gone
// or changed); why then says so, and the caller restores at once.
func (c *restoreCheck) replayKept(ctx context.Context, r *collector.Report, kept *restoreState, now time.Time) (replayed bool, why string, err error) {
	when := kept.Attempt.UTC().Format(time.RFC3339)
	if kept.Dump == nil {
		return false, "not reused: the restore test of " + when + " names no dump (written by an older version); restoring again", nil
	}
	dumps, skipped, err := c.lister.list(ctx)
	if err != nil {
		// The restore run lists again and reports the error.
		return false, "", nil
	}
	var keptD *dump
	for i := range dumps {
		if dumps[i].Path == kept.Dump.Path {
			keptD = &dumps[i]
		}
	}
	switch {
	case keptD == nil:
		return false, fmt.Sprintf("not reused: %s, restored by the test of %s, is gone; restoring the newest dump", kept.Dump.Name, when), nil
	case !kept.Dump.matches(*keptD):
		return false, fmt.Sprintf("not reused: %s changed since the restore test of %s (%d bytes modified %s, now %d bytes modified %s); restoring again",
			keptD.Name, when, kept.Dump.Size, kept.Dump.ModTime.UTC().Format(time.RFC3339), keptD.Size, keptD.ModTime.UTC().Format(time.RFC3339)), nil
	}
	err = kept.replay(r, c.statePath, c.interval)
	reportSkipped(r, len(dumps), skipped)
	if ns := newestSkipped(dumps, skipped); ns != nil && ns.Time.After(keptD.Time) {
		r.Assert(condNewestReadable, false, ns.Name+": "+ns.why(), "the newest dump readable by the exporter")
		return true, "", err
	}
	newest := newestSettled(dumps, now)
	if newest.Path == keptD.Path || !newest.Time.After(keptD.Time) {
		return true, "", err
	}
	checkErr := c.checkDump(ctx, newest)
	if ctx.Err() != nil {
		return true, "", collector.WithReason(collector.ReasonTimeout, fmt.Errorf("checking dump %s: %w", newest.Name, ctx.Err()))
	}
	r.Assert(condNewestReadable, checkErr == nil, dumpObserved(newest, checkErr),
		"the newest dump reads to its end ("+newest.Format+"), also before its restore test")
	if checkErr == nil {
		r.Warn(condNewestTested, false,
			fmt.Sprintf("restore verified for %s (%s ago); newest dump %s not yet restore-tested", keptD.Name, human.Duration(now.Sub(kept.Attempt)), newest.Name),
			"the newest dump restored; the next restore test runs one interval ("+human.Duration(c.interval)+") after this start")
	}
	return true, "", err
}

// settleTime: a dump modified this recently may still be being written.
const settleTime = time.Minute

// newestSettled picks the newest dump not modified within settleTime, so a
// restore test running while the nightly dump is written does not take the
// half-written file; the newest of all when every dump is that recent.
func newestSettled(dumps []dump, now time.Time) dump {
	for i := len(dumps) - 1; i >= 0; i-- {
		if now.Sub(dumps[i].ModTime) >= settleTime {
			return dumps[i]
		}
	}
	return dumps[len(dumps)-1]
}

func dumpObserved(d dump, err error) string {
	if err != nil {
		return d.Name + ": " + err.Error()
	}
	return fmt.Sprintf("%s (%d bytes, %s)", d.Name, d.Size, d.Format)
}

func (c *restoreCheck) pgbackrestVerify(ctx context.Context, r *collector.Report) error {
	v := c.cfg.PgBackRestVerify
	var args []string
	if c.verifyConf != "" {
		args = append(args, "--config="+c.verifyConf)
	}
	args = append(args, "--stanza="+v.Stanza, "verify")
	_, err := command{path: v.Command, args: args, stdout: io.Discard}.run(ctx)
	if err != nil && collector.ReasonOf(err) != collector.ReasonCommandFailed {
		return fmt.Errorf("pgbackrest verify: %w", err)
	}
	r.Bool(restoreStepDesc, err == nil, "pgbackrest_verify")
	obs := "no errors"
	if err != nil {
		obs = err.Error()
	}
	r.Assert("pgbackrest verify", err == nil, obs, "the repository's backups and WAL verify")
	return nil
}

// dumpTrailer ends every complete plain-SQL pg_dump output.
var dumpTrailer = []byte("-- PostgreSQL database dump complete")

// checkDump reads the dump through: pg_restore --list for the archive
// formats; gzip -t and a streamed read to pg_dump's closing line for SQL.
func (c *restoreCheck) checkDump(ctx context.Context, d dump) error {
	switch d.Format {
	case formatCustom, formatDirectory, formatTar:
		_, err := command{path: c.tool("pg_restore"), args: []string{"--list", d.Path}, stdout: io.Discard}.run(ctx)
		return err
	case formatGzip:
		if _, err := (command{path: "gzip", args: []string{"-t", d.Path}}).run(ctx); err != nil {
			return err
		}
		return streamCheck(ctx, d.Path, true)
	case formatPlain:
		return streamCheck(ctx, d.Path, false)
	}
	return fmt.Errorf("not a pg_dump file (format %s)", d.Format)
}

// streamCheck reads a plain SQL dump (optionally gzip-compressed) to its
// end and requires pg_dump's closing line near the end: a dump cut short
// (disk full, killed job) lacks it.
func streamCheck(ctx context.Context, path string, gz bool) error {
	_, err := fsCall(ctx, func() (struct{}, error) {
		f, err := os.Open(path)
		if err != nil {
			return struct{}{}, err
		}
		defer f.Close()
		var rd io.Reader = bufio.NewReaderSize(f, 1<<16)
		if gz {
			zr, err := gzip.NewReader(rd)
			if err != nil {
				return struct{}{}, fmt.Errorf("gzip: %w", err)
			}
			rd = zr
		}
		tail := make([]byte, 0, 8192)
		buf := make([]byte, 1<<16)
		for {
			if ctx.Err() != nil {
				return struct{}{}, ctx.Err()
			}
			n, err := rd.Read(buf)
			if n > 0 {
				tail = append(tail, buf[:n]...)
				if len(tail) > 4096 {
					tail = append(tail[:0], tail[len(tail)-4096:]...)
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return struct{}{}, fmt.Errorf("reading: %w", err)
			}
		}
		if !bytes.Contains(tail, dumpTrailer) {
			return struct{}{}, errors.New("the dump ends without pg_dump's closing line (\"-- PostgreSQL database dump complete\"): it is truncated")
		}
		return struct{}{}, nil
	})
	return err
}

func (c *restoreCheck) scratchName() string {
	return fmt.Sprintf("%s%s_%d", c.cfg.ScratchPrefix, time.Now().UTC().Format("20060102150405"), os.Getpid())
}

func (c *restoreCheck) leftoverRE() *regexp.Regexp {
	return regexp.MustCompile(`^` + regexp.QuoteMeta(c.cfg.ScratchPrefix) + `[0-9]{14}_[0-9]+$`)
}

// restore creates the scratch database, restores d into it, counts rows,
// and drops it whatever happened.
func (c *restoreCheck) restore(ctx context.Context, r *collector.Report, d dump) error {
	srv, err := resolveServer(c.scratch)
	if err != nil {
		return collector.WithReason(collector.ReasonConfig, err)
	}
	admin, err := pgx.ConnectConfig(ctx, srv.conn)
	if err != nil {
		return fmt.Errorf("connecting to the scratch server: %w", err)
	}
	defer admin.Close(context.Background())

	lockKey := "golive_restore:" + c.cfg.ScratchPrefix
	var locked bool
	if err := admin.QueryRow(ctx, "SELECT pg_try_advisory_lock(hashtext($1))", lockKey).Scan(&locked); err != nil {
		return fmt.Errorf("taking the restore lock: %w", err)
	}
	if !locked {
		return collector.Failf(collector.ReasonUnavailable, "another restore test into %s* is running on the scratch server", c.cfg.ScratchPrefix)
	}
	// The lock is a session lock: closing the connection releases it too.
	defer admin.Exec(context.Background(), "SELECT pg_advisory_unlock(hashtext($1))", lockKey) //nolint:errcheck

	// Under the lock no other restore is running: a scratch database of
	// ours that still exists was left by a crash. Drop it.
	if err := c.dropLeftovers(ctx, admin); err != nil {
		return err
	}

	name := c.scratchName()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("creating scratch database %s: %w", name, err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
		defer cancel()
		derr := dropScratch(dctx, admin, name, c.cfg.ScratchPrefix)
		r.Bool(restoreStepDesc, derr == nil, "drop")
		obs := name + " dropped"
		if derr != nil {
			obs = derr.Error()
			c.logger.Error("scratch database not dropped", "database", name, "err", derr)
		}
		r.Assert("scratch database dropped", derr == nil, obs, "dropped after the test")
	}()

	rerr := c.runRestore(ctx, srv, name, d)
	if ctx.Err() != nil {
		return collector.WithReason(collector.ReasonTimeout, fmt.Errorf("restoring %s: %w", d.Name, ctx.Err()))
	}
	r.Bool(restoreStepDesc, rerr == nil, "restore")
	obs := d.Name + " restored into " + name
	if rerr != nil {
		obs = rerr.Error()
	}
	r.Assert("restore", rerr == nil, obs, "the dump restores without error")
	if rerr != nil {
		return nil
	}
	return c.countRows(ctx, r, srv, name)
}

func (c *restoreCheck) dropLeftovers(ctx context.Context, admin *pgx.Conn) error {
	// A database someone is connected to is in use, not left over: an
	// exporter that connects to another maintenance database of the same
	// server holds its advisory lock there, out of this one's sight.
	rows, err := admin.Query(ctx, `SELECT datname FROM pg_database d WHERE starts_with(datname, $1)
		AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)`, c.cfg.ScratchPrefix)
	if err != nil {
		return fmt.Errorf("listing scratch databases: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("listing scratch databases: %w", err)
	}
	re := c.leftoverRE()
	for _, n := range names {
		if !re.MatchString(n) {
			continue
		}
		c.logger.Warn("dropping a scratch database left by an earlier restore test", "database", n)
		if err := dropScratch(ctx, admin, n, c.cfg.ScratchPrefix); err != nil {
			return err
		}
	}
	return nil
}

// dropScratch drops a scratch database; it refuses any name without the
// prefix, so no configuration can make it drop another database.
func dropScratch(ctx context.Context, admin *pgx.Conn, name, prefix string) error {
	if !strings.HasPrefix(name, prefix) || prefix == "" {
		return fmt.Errorf("refusing to drop %q: it does not start with the scratch prefix %q", name, prefix)
	}
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("dropping scratch database %s: %w", name, err)
	}
	return nil
}

func (c *restoreCheck) runRestore(ctx context.Context, srv *server, db string, d dump) error {
	env := append(append([]string(nil), srv.env...), "PGDATABASE="+db)
	switch d.Format {
	case formatCustom, formatDirectory, formatTar:
		_, err := command{path: c.tool("pg_restore"), env: env, stdout: io.Discard,
			args: []string{"--no-owner", "--no-privileges", "--exit-on-error", "--dbname=" + db, d.Path}}.run(ctx)
		return err
	case formatGzip, formatPlain:
		f, err := os.Open(d.Path)
		if err != nil {
			return err
		}
		defer f.Close()
		var in io.Reader = f
		if d.Format == formatGzip {
			zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<16))
			if err != nil {
				return fmt.Errorf("gzip: %w", err)
			}
			in = zr
		}
		_, err = command{path: c.tool("psql"), env: env, stdin: in, stdout: io.Discard,
			args: []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d", db}}.run(ctx)
		return err
	}
	return fmt.Errorf("cannot restore format %s", d.Format)
}

// tableIdent quotes a configured table name ("schema.table" or "table").
func tableIdent(table string) string { return pgx.Identifier(strings.Split(table, ".")).Sanitize() }

// countTable counts a table's rows on a connection or in a transaction.
func countTable(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, table string) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, "SELECT count(*) FROM "+tableIdent(table)).Scan(&n)
	return n, err
}

func (c *restoreCheck) countRows(ctx context.Context, r *collector.Report, srv *server, db string) error {
	if len(c.cfg.Tables) == 0 {
		return nil
	}
	sc := srv.conn.Copy()
	sc.Database = db
	conn, err := pgx.ConnectConfig(ctx, sc)
	if err != nil {
		return fmt.Errorf("connecting to scratch database %s: %w", db, err)
	}
	defer conn.Close(context.Background())

	var source map[string]int64
	if c.source.dsn != "" {
		if source, err = c.sourceCounts(ctx); err != nil {
			return err
		}
	}
	var checked int64
	allOK := true
	for _, t := range c.cfg.Tables {
		n, err := countTable(ctx, conn, t.Name)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("counting rows: %w", err)
			}
			allOK = false
			r.Assert("table "+t.Name+" restored", false, err.Error(), "the table exists in the restore")
			n = -1
		} else {
			checked += n
			r.Gauge(restoreTableRowsDesc, float64(n), t.Name)
		}
		if t.MinRows > 0 && n >= 0 {
			ok := n >= t.MinRows
			allOK = allOK && ok
			r.Assert("table "+t.Name+" rows", ok, fmt.Sprintf("%d rows restored", n), fmt.Sprintf("at least %d", t.MinRows))
		}
		if src, has := source[t.Name]; has && src < 0 {
			allOK = false
			r.Assert("table "+t.Name+" rows against source", false, "the table does not exist in the source database", "the table in both")
		} else if has && n >= 0 {
			r.Gauge(restoreSourceRowsDesc, float64(src), t.Name)
			want := minRows(src, c.cfg.SourceMinRatio)
			ok := n >= want
			allOK = allOK && ok
			r.Assert("table "+t.Name+" rows against source", ok, fmt.Sprintf("%d restored, %d in the source", n, src),
				fmt.Sprintf("at least %g of the source's rows (%d)", c.cfg.SourceMinRatio, want))
		}
	}
	r.Gauge(restoreRowsCheckedDesc, float64(checked))
	r.Bool(restoreStepDesc, allOK, "row_count")
	return nil
}

// sourceCounts counts the tables in the source database inside a read-only
// transaction with a statement timeout: it is production.
func (c *restoreCheck) sourceCounts(ctx context.Context) (map[string]int64, error) {
	srv, err := resolveServer(c.source)
	if err != nil {
		return nil, collector.WithReason(collector.ReasonConfig, fmt.Errorf("source: %w", err))
	}
	conn, err := pgx.ConnectConfig(ctx, srv.conn)
	if err != nil {
		return nil, fmt.Errorf("connecting to the source database: %w", err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck
	timeout := 5 * time.Minute
	if dl, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(dl), time.Second)
	}
	for _, set := range []string{fmt.Sprintf("SET LOCAL statement_timeout = %d", timeout.Milliseconds()), "SET LOCAL lock_timeout = 5000"} {
		if _, err := tx.Exec(ctx, set); err != nil {
			return nil, fmt.Errorf("source: %w", err)
		}
	}
	out := map[string]int64{}
	for _, t := range c.cfg.Tables {
		// A missing table would abort the transaction: look first.
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", tableIdent(t.Name)).Scan(&exists); err != nil {
			return nil, fmt.Errorf("looking up %s in the source: %w", t.Name, err)
		}
		if !exists {
			out[t.Name] = -1
			continue
		}
		n, err := countTable(ctx, tx, t.Name)
		if err != nil {
			return nil, fmt.Errorf("counting %s in the source: %w", t.Name, err)
		}
		out[t.Name] = n
	}
	return out, nil
}
