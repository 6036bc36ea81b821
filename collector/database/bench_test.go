package database

import (
	"context"
	"log/slog"
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

func BenchmarkAlembicHeads(b *testing.B) {
	for b.Loop() {
		if _, err := AlembicHeads("testdata/alembic/merge"); err != nil {
			b.Fatal(err)
		}
	}
}
