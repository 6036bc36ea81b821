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

// needServer skips server tests under -short.
func needServer(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the PostgreSQL server (skipped with -short)")
	}
}

// testDB creates a database of its own for the test, runs the setup SQL in
// it, and drops it when the test ends. It returns the database's name.
func testDB(t testing.TB, setup ...string) string {
	t.Helper()
	needServer(t)
	name := testutil.CreateDatabase(t, "golive_test_")
	if len(setup) > 0 {
		execIn(t, name, setup...)
	}
	return name
}

// execIn runs statements in the named database as the superuser.
func execIn(t testing.TB, db string, stmts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, testutil.DSN(db))
	require.NoError(t, err)
	defer c.Close(ctx)
	for _, s := range stmts {
		_, err := c.Exec(ctx, s)
		require.NoError(t, err, "running %.80s", s)
	}
}

// holdTransaction opens a transaction of another session in the named
// database, runs stmt in it and keeps it open (its locks held, its age
// growing) until the test ends.
func holdTransaction(t testing.TB, db, stmt string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testutil.DSN(db))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(ctx) })
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback(ctx) })
	_, err = tx.Exec(ctx, stmt)
	require.NoError(t, err)
}

// writeSelfSigned writes a certificate that signed nothing a server uses,
// so verification against it (as sslrootcert) must fail.
func writeSelfSigned(t testing.TB) string {
	t.Helper()
	cert, _, _ := testutil.SelfSignedCert(t, t.TempDir())
	return cert
}

// loadConfig loads a YAML configuration; the test fails when it is invalid.
func loadConfig(t testing.TB, yml string) *config.Config {
	t.Helper()
	cfg, err := config.Load([]byte(yml), "test.yml")
	require.NoError(t, err)
	return cfg
}

// newScheduler makes the scheduler of cfg, closed when the test ends.
func newScheduler(t testing.TB, cfg *config.Config) *collector.Scheduler {
	t.Helper()
	s := collector.New(cfg, slog.New(slog.DiscardHandler))
	t.Cleanup(s.Close)
	return s
}
