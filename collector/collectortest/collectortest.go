// Package collectortest runs a configuration's checks once through the real
// scheduler for the tests of the check packages, and gives back what a
// scrape would show: the results, the /metrics text, the debug log and the
// masked configuration. (The collector package's own tests cannot import
// it: it imports collector.)
package collectortest

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/require"
)

// Run is the outcome of running a configuration once.
type Run struct {
	Results []collector.Result
	// Metrics is the text exposition of the results, as /metrics shows it.
	Metrics string
	// Logs is everything the checks logged, at debug level.
	Logs string
	// Config is the marshalled configuration, secrets masked.
	Config string
}

// Result returns the result of the named check; the test fails when there
// is none.
func (r Run) Result(t testing.TB, check string) collector.Result {
	t.Helper()
	for _, res := range r.Results {
		if res.Check == check {
			return res
		}
	}
	t.Fatalf("no result for check %s", check)
	return collector.Result{}
}

// HasLine reports whether the metrics text has a line starting with prefix.
func (r Run) HasLine(prefix string) bool {
	for _, l := range strings.Split(r.Metrics, "\n") {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// Value returns the value of the series named exactly by series (name and
// labels, as the text shows them); the test fails when there is none.
func (r Run) Value(t testing.TB, series string) float64 {
	t.Helper()
	for _, l := range strings.Split(r.Metrics, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			require.NoError(t, err, series)
			return f
		}
	}
	t.Fatalf("no series %s in\n%s", series, r.Metrics)
	return 0
}

// RunConfig loads a YAML configuration (as test.yml in the working
// directory), runs every check once through the scheduler within timeout
// and returns what came out. The metrics are gathered by a pedantic
// registry, so an inconsistent family fails the test.
func RunConfig(t testing.TB, yml string, timeout time.Duration) Run {
	t.Helper()
	cfg, err := config.Load([]byte(yml), "test.yml")
	require.NoError(t, err)
	var logs lockedBuffer
	s := collector.New(cfg, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	results := s.RunAll(ctx, nil)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(exported(results))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	var buf bytes.Buffer
	for _, mf := range mfs {
		_, err := expfmt.MetricFamilyToText(&buf, mf)
		require.NoError(t, err)
	}
	marshalled, err := cfg.Marshal()
	require.NoError(t, err)
	return Run{Results: results, Metrics: buf.String(), Logs: logs.String(), Config: string(marshalled)}
}

// exported exposes results as the exporter's /metrics does.
type exported []collector.Result

func (exported) Describe(chan<- *prometheus.Desc)      {}
func (e exported) Collect(ch chan<- prometheus.Metric) { collector.ExportResults(e, ch) }

// lockedBuffer is a buffer the concurrent checks may log into.
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
