package database

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/require"
)

// needServer skips server tests under -short.
func needServer(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the PostgreSQL server (skipped with -short)")
	}
}

// missingTool skips a test whose server binary is not installed, but fails
// it under CI, where scripts/install-deps.sh installs every one: a skipped
// test there would hide a missing install step.
func missingTool(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format+" (CI installs it with scripts/install-deps.sh)", args...)
	}
	t.Skipf(format, args...)
}

func randomName(prefix string) string { return testutil.RandomName(prefix) }

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
	c, err := pgx.Connect(ctx, dbDSN(db))
	require.NoError(t, err)
	defer c.Close(ctx)
	for _, s := range stmts {
		_, err := c.Exec(ctx, s)
		require.NoError(t, err, "running %.80s", s)
	}
}

func dbDSN(db string) string {
	return "postgres://postgres@127.0.0.1:5432/" + db + "?sslmode=disable"
}

// run is the outcome of running a configuration once.
type run struct {
	results []collector.Result
	metrics string
	logs    string
	config  string
}

func (r run) result(t testing.TB, name string) collector.Result {
	t.Helper()
	for _, res := range r.results {
		if res.Check == name {
			return res
		}
	}
	t.Fatalf("no result for check %s", name)
	return collector.Result{}
}

// runConfig loads a YAML configuration, runs every check once through the
// scheduler and returns the results, the /metrics text, the debug log and
// the marshalled (masked) configuration.
func runConfig(t testing.TB, yml string, timeout time.Duration) run {
	t.Helper()
	cfg, err := config.Load([]byte(yml), "test.yml")
	require.NoError(t, err)
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := collector.New(cfg, logger)
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	results := s.RunAll(ctx, nil)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(exportCollector(results))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	var buf bytes.Buffer
	for _, mf := range mfs {
		_, err := expfmt.MetricFamilyToText(&buf, mf)
		require.NoError(t, err)
	}
	marshalled, err := cfg.Marshal()
	require.NoError(t, err)
	return run{results: results, metrics: buf.String(), logs: logs.String(), config: string(marshalled)}
}

type exportCollector []collector.Result

func (e exportCollector) Describe(chan<- *prometheus.Desc) {}
func (e exportCollector) Collect(ch chan<- prometheus.Metric) {
	collector.ExportResults(e, ch)
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// silentListener accepts connections and never answers.
func silentListener(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

// refusedAddr returns a loopback address nothing listens on.
func refusedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// metricLine reports whether the metrics text has a line starting with
// prefix.
func metricLine(metrics, prefix string) bool {
	for _, l := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}
