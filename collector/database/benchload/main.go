// Command benchload prints the database work the exporter causes under
// scrape load: many concurrent scrapers against a configuration of many SQL
// checks with an interval, counting the transactions that reached
// PostgreSQL against the scrapes served; and the overhead of one check run
// beside a plain SELECT 1 round trip. It creates a database of its own on
// the local PostgreSQL and drops it at the end. Run by scripts/bench.d.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/database"
	"github.com/golive/golive_exporter/config"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

func main() {
	var (
		adminDSN  = flag.String("dsn", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "superuser DSN of the PostgreSQL to use")
		duration  = flag.Duration("duration", 30*time.Second, "how long the scrapers run")
		scrapers  = flag.Int("scrapers", 100, "concurrent scrapers")
		checks    = flag.Int("checks", 50, "SQL checks in the configuration")
		interval  = flag.String("interval", "60s", "interval of each SQL check")
		probeRuns = flag.Int("probe-runs", 2000, "round trips timed for the overhead figures")
	)
	flag.Parse()
	if err := run(*adminDSN, *duration, *scrapers, *checks, *interval, *probeRuns); err != nil {
		fmt.Fprintln(os.Stderr, "benchload:", err)
		os.Exit(1)
	}
}

func run(adminDSN string, duration time.Duration, scrapers, checks int, interval string, probeRuns int) error {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	db := "golive_bench_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		return err
	}
	defer func() { _, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)") }()
	cc, err := pgx.ParseConfig(adminDSN)
	if err != nil {
		return err
	}
	cc.Database = db
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE students (id int PRIMARY KEY, active bool); INSERT INTO students SELECT g, g % 7 <> 0 FROM generate_series(1, 10000) g; ANALYZE students"); err != nil {
		return err
	}
	// The checks connect as a least-privilege role of the benchmark's own:
	// sql checks refuse a superuser.
	role := db + "_monitor"
	if _, err := admin.Exec(ctx, "CREATE ROLE "+role+" LOGIN IN ROLE pg_monitor"); err != nil {
		return err
	}
	defer func() { _, _ = admin.Exec(ctx, "DROP ROLE IF EXISTS "+role) }()
	if _, err := conn.Exec(ctx, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO "+role); err != nil {
		return err
	}
	// Revoked before the database is dropped, so that the role can go.
	defer func() { _, _ = conn.Exec(ctx, "DROP OWNED BY "+role) }()
	dsn := fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", role, cc.Host, cc.Port, db)

	// Scrape load.
	var sb strings.Builder
	fmt.Fprintf(&sb, "postgres_targets:\n  app: {dsn: %q, max_connections: 4}\nchecks:\n", dsn)
	for i := range checks {
		fmt.Fprintf(&sb, "  - name: sql_%d\n    interval: %s\n    sql: {target: app, query: \"SELECT count(*) FROM students WHERE active AND id %% %d = 0\", min: 0}\n", i, interval, i+2)
	}
	cfg, err := config.Load([]byte(sb.String()), "bench.yml")
	if err != nil {
		return err
	}
	s := collector.New(cfg, slog.New(slog.DiscardHandler))
	before, beforeStmts := database.TotalTransactions(), database.TotalStatements()
	var scrapes, failures atomic.Int64
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	start := time.Now()
	for range scrapers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				reg := prometheus.NewRegistry()
				rc := s.Collector(sctx)
				reg.MustRegister(rc)
				mfs, err := reg.Gather()
				cancel()
				if err != nil {
					failures.Add(1)
					continue
				}
				for _, mf := range mfs {
					_, _ = expfmt.MetricFamilyToText(io.Discard, mf)
				}
				for _, r := range rc.Results {
					if !r.Success() {
						failures.Add(1)
						break
					}
				}
				scrapes.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	s.Close()
	txns, stmts := database.TotalTransactions()-before, database.TotalStatements()-beforeStmts
	fmt.Printf("scrape load: %d scrapers for %s, %d sql checks at interval %s\n", scrapers, duration, checks, interval)
	fmt.Printf("  scrapes served:                   %d (%.0f/s), scrapes with a failed check: %d\n", scrapes.Load(), float64(scrapes.Load())/elapsed.Seconds(), failures.Load())
	fmt.Printf("  check transactions to PostgreSQL: %d (%.3f per scrape)\n", txns, float64(txns)/float64(max(scrapes.Load(), 1)))
	fmt.Printf("  statements to PostgreSQL:         %d (%.3f per scrape; a run is BEGIN READ ONLY and the timeouts in one round trip, the query, ROLLBACK and DISCARD ALL in one round trip)\n",
		stmts, float64(stmts)/float64(max(scrapes.Load(), 1)))
	fmt.Printf("  without interval caching it would be %d\n", scrapes.Load()*int64(checks))

	// Overhead of one check run beside a plain SELECT 1.
	plain := make([]time.Duration, 0, probeRuns)
	for range probeRuns {
		t0 := time.Now()
		var one int
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
			return err
		}
		plain = append(plain, time.Since(t0))
	}
	one, err := config.Load([]byte(fmt.Sprintf("postgres_targets:\n  app: {dsn: %q}\nchecks:\n  - name: one\n    sql: {target: app, query: \"SELECT 1\", equals: 1}\n  - name: pg\n    postgres: {target: app, probes_per_run: 1}\n", dsn)), "one.yml")
	if err != nil {
		return err
	}
	s1 := collector.New(one, slog.New(slog.DiscardHandler))
	defer s1.Close()
	var sqlRuns, pgRuns []time.Duration
	for range probeRuns {
		res := s1.RunAll(ctx, nil)
		for _, r := range res {
			if !r.Success() {
				return fmt.Errorf("check %s failed: %s", r.Check, r.Message)
			}
			if r.Check == "one" {
				sqlRuns = append(sqlRuns, r.Duration)
			} else {
				pgRuns = append(pgRuns, r.Duration)
			}
		}
	}
	fmt.Printf("probe overhead (%d runs each; mean / p95):\n", probeRuns)
	fmt.Printf("  plain SELECT 1 round trip:         %s\n", stats(plain))
	fmt.Printf("  sql check run (SELECT 1, read-only transaction): %s\n", stats(sqlRuns))
	fmt.Printf("  postgres health check run (1 probe, all figures): %s\n", stats(pgRuns))
	return nil
}

func stats(ds []time.Duration) string {
	if len(ds) == 0 {
		return "-"
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	p95 := ds[min(len(ds)-1, int(float64(len(ds))*0.95))]
	return fmt.Sprintf("%s / %s", (sum / time.Duration(len(ds))).Round(time.Microsecond), p95.Round(time.Microsecond))
}
