package database

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// BenchmarkSelect1 is the baseline: one plain SELECT 1 round trip.
func BenchmarkSelect1(b *testing.B) {
	db := testDB(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testutil.DSN(db))
	require.NoError(b, err)
	defer conn.Close(ctx)
	var one int
	for b.Loop() {
		require.NoError(b, conn.QueryRow(ctx, "SELECT 1").Scan(&one))
	}
}

// BenchmarkSQLCheckRun is one sql check run (read-only transaction with
// timeouts around SELECT 1) through the scheduler, beside BenchmarkSelect1.
func BenchmarkSQLCheckRun(b *testing.B) {
	benchCheck(b, `  - name: q
    sql: {target: db, query: "SELECT 1", equals: 1}
`)
}

// BenchmarkPostgresCheckRun is one health check run with one probe.
func BenchmarkPostgresCheckRun(b *testing.B) {
	benchCheck(b, `  - name: q
    postgres: {target: db, probes_per_run: 1}
`)
}

func benchCheck(b *testing.B, checks string) {
	db := testDB(b)
	cfg, err := config.Load([]byte(pgConfig(testutil.MonitorRole(b, db), checks)), "bench.yml")
	require.NoError(b, err)
	s := collector.New(cfg, slog.New(slog.DiscardHandler))
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for b.Loop() {
		res := s.RunAll(ctx, nil)
		if !res[0].Success() {
			b.Fatalf("check failed: %s", res[0].Message)
		}
	}
}

// BenchmarkScrapeStatements is what scrapes cost PostgreSQL: each
// iteration is one scrape by each of 10 concurrent scrapers of a health
// check and 5 sql checks, and the statements that reached PostgreSQL are
// reported per scrape: with interval 0 (every scrape runs what the others
// are not already running) and with the database kinds' default interval
// (the first scrape runs them, the others reuse the result).
func BenchmarkScrapeStatements(b *testing.B) {
	db := testDB(b, "CREATE TABLE students (id int PRIMARY KEY)", "INSERT INTO students SELECT generate_series(1, 1000)")
	dsn := testutil.MonitorRole(b, db)
	for _, bc := range []struct{ name, interval string }{{"interval_0", "    interval: 0s\n"}, {"default_interval", ""}} {
		b.Run(bc.name, func(b *testing.B) {
			checks := "  - name: health\n" + bc.interval + "    postgres: {target: db}\n"
			for i := range 5 {
				checks += fmt.Sprintf("  - name: q%d\n%s    sql: {target: db, query: \"SELECT count(*) FROM students WHERE id %% %d = 0\"}\n", i, bc.interval, i+2)
			}
			cfg, err := config.Load([]byte(pgConfig(dsn, checks)), "bench.yml")
			require.NoError(b, err)
			s := collector.New(cfg, slog.New(slog.DiscardHandler))
			defer s.Close()
			const scrapers = 10
			before := TotalStatements()
			for b.Loop() {
				var wg sync.WaitGroup
				for range scrapers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
						defer cancel()
						for _, r := range s.Collect(ctx) {
							if !r.Success() {
								b.Errorf("check %s failed: %s", r.Check, r.Message)
							}
						}
					}()
				}
				wg.Wait()
			}
			b.ReportMetric(float64(TotalStatements()-before)/float64(b.N*scrapers), "statements/scrape")
		})
	}
}

func BenchmarkAlembicHeads(b *testing.B) {
	for b.Loop() {
		if _, err := AlembicHeads("testdata/alembic/merge"); err != nil {
			b.Fatal(err)
		}
	}
}
