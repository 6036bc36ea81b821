package database

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Many checks on one target share its one small pool, and scrapes within a
// check's interval reuse its last result: many concurrent scrapers cause
// one transaction per check, over at most max_connections connections.
func TestSharedPoolBoundedAndCached(t *testing.T) {
	db := testDB(t, "CREATE TABLE students (id int)", "INSERT INTO students SELECT generate_series(1, 100)")
	const checks = 20
	var b strings.Builder
	fmt.Fprintf(&b, "postgres_targets:\n  db: {dsn: %q, max_connections: 2}\nchecks:\n", testutil.MonitorRole(t, db))
	for i := range checks {
		fmt.Fprintf(&b, "  - name: q%d\n    interval: 1h\n    sql: {target: db, query: \"SELECT count(*) FROM students WHERE id %% %d = 0\", min: 1}\n", i, i+2)
	}
	b.WriteString("  - name: health\n    interval: 1h\n    postgres: {target: db}\n")
	cfg, err := config.Load([]byte(b.String()), "pool.yml")
	require.NoError(t, err)
	s := collector.New(cfg, slog.New(slog.DiscardHandler))
	defer s.Close()

	before := TotalTransactions()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				for _, r := range s.Collect(ctx) {
					if !r.Success() {
						mu.Lock()
						failed = append(failed, r.Check+": "+r.Message)
						mu.Unlock()
					}
				}
				cancel()
			}
		}()
	}
	wg.Wait()
	assert.Empty(t, failed)
	// One read-only transaction per check (the health check's figures are
	// one too), whatever the 50 scrapes.
	assert.Equal(t, int64(checks+1), TotalTransactions()-before)

	var conns int
	execInScan(t, db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'golive_exporter'", &conns)
	assert.LessOrEqual(t, conns, 2, "the exporter opened more connections than max_connections")
	assert.GreaterOrEqual(t, conns, 1)
}
