package monitoring

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seriesGen writes one series of the backfill: its value at each time.
type seriesGen struct {
	family string
	labels string // {a="b",...}
	value  func(t time.Time) float64
}

// appSeries are the application's histogram series for one job: requests
// per minute by status, and the share of them at or under each bucket.
func appSeries(job, ok, bad string, okPerMin, badPerMin float64, fractions []float64, start time.Time) []seriesGen {
	les := []string{"0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"}
	var out []seriesGen
	for _, st := range []struct {
		status string
		perMin float64
	}{{ok, okPerMin}, {bad, badPerMin}} {
		perMin := st.perMin
		total := func(t time.Time) float64 { return perMin * t.Sub(start).Minutes() }
		out = append(out, seriesGen{"sms_http_request_duration_seconds_count", fmt.Sprintf(`{job=%q,status=%q}`, job, st.status), total})
		for i, le := range les {
			f := fractions[i]
			out = append(out, seriesGen{"sms_http_request_duration_seconds_bucket", fmt.Sprintf(`{job=%q,le=%q,status=%q}`, job, le, st.status),
				func(t time.Time) float64 { return f * total(t) }})
		}
	}
	return out
}

// nodeSeries are node_exporter's series of one host: idle CPU seconds
// growing by idle per second, memory and the root filesystem.
func nodeSeries(job string, idle, memAvail, fsFree float64, start time.Time) []seriesGen {
	l := fmt.Sprintf(`{instance="host:9100",job=%q`, job)
	return []seriesGen{
		{"node_cpu_seconds_total", l + `,cpu="0",mode="idle"}`, func(t time.Time) float64 { return idle * t.Sub(start).Seconds() }},
		{"node_memory_MemTotal_bytes", l + "}", func(time.Time) float64 { return 8e9 }},
		{"node_memory_MemAvailable_bytes", l + "}", func(time.Time) float64 { return memAvail * 8e9 }},
		{"node_filesystem_size_bytes", l + `,fstype="ext4",mountpoint="/"}`, func(time.Time) float64 { return 100e9 }},
		{"node_filesystem_avail_bytes", l + `,fstype="ext4",mountpoint="/"}`, func(time.Time) float64 { return fsFree * 100e9 }},
	}
}

// backfill writes the series as OpenMetrics from start to end (a sample
// every 10 minutes, every minute in the last hour) and turns them into
// TSDB blocks in dataDir with promtool.
func backfill(t *testing.T, promtool, dataDir string, series []seriesGen, start, end time.Time) {
	t.Helper()
	var times []time.Time
	for ts := start; ts.Before(end.Add(-time.Hour)); ts = ts.Add(10 * time.Minute) {
		times = append(times, ts)
	}
	for ts := end.Add(-time.Hour); !ts.After(end); ts = ts.Add(time.Minute) {
		times = append(times, ts)
	}
	sort.SliceStable(series, func(i, j int) bool { return series[i].family < series[j].family })
	path := filepath.Join(t.TempDir(), "backfill.om")
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriter(f)
	family := ""
	for _, s := range series {
		if s.family != family {
			family = s.family
			fmt.Fprintf(w, "# TYPE %s unknown\n", family)
		}
		for _, ts := range times {
			fmt.Fprintf(w, "%s%s %g %d\n", s.family, s.labels, s.value(ts), ts.Unix())
		}
	}
	fmt.Fprintln(w, "# EOF")
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
	testutil.CreateBlocks(t, promtool, path, dataDir)
}

// TestReadyMadeQueries runs the ready-made queries of docs/monitoring.md
// (the seed application's own metric names, node_exporter's, this
// exporter's health probe) against a real Prometheus holding ten days of
// those series: a good first week passes every check, a bad one fails
// every check.
func TestReadyMadeQueries(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Prometheus")
	}
	prometheus := testutil.Tool(t, "prometheus")
	promtool := testutil.Tool(t, "promtool")
	var block string
	for _, y := range testutil.DocYAML(testutil.Doc(t, "monitoring.md")) {
		if strings.Contains(y, "sms_http_request_duration_seconds") && strings.HasPrefix(y, "checklist:") {
			block = y
		}
	}
	require.NotEmpty(t, block, "docs/monitoring.md has no block of ready-made queries")

	now := time.Now().UTC().Truncate(time.Minute)
	goLive := now.Add(-9 * 24 * time.Hour).Truncate(time.Hour)
	start := goLive.Add(-24 * time.Hour)
	var series []seriesGen
	// A good week: 600 requests a minute answered 2xx, 2 answered 5xx
	// (99.67% available); p95 about 333 ms, 1% slower than 500 ms.
	series = append(series, appSeries("sms", "2xx", "5xx", 600, 2, []float64{0.5, 0.75, 0.93, 0.99, 1, 1, 1}, start)...)
	// A bad week, with status codes: 2% 503 (98%), p95 about 875 ms, 20%
	// slower than 500 ms.
	series = append(series, appSeries("sms_slow", "200", "503", 588, 12, []float64{0.2, 0.4, 0.6, 0.8, 1, 1, 1}, start)...)
	series = append(series, nodeSeries("node", 0.7, 0.5, 0.6, start)...)
	series = append(series, nodeSeries("node_busy", 0.1, 0.1, 0.1, start)...)
	n := 0
	probe := func(failEvery int) func(time.Time) float64 {
		return func(time.Time) float64 {
			n++
			if n%failEvery == 0 {
				return 0
			}
			return 1
		}
	}
	series = append(series,
		seriesGen{"golive_check_success", `{check="app_health",job="golive",kind="http"}`, probe(300)},
		seriesGen{"golive_check_success", `{check="app_health",job="golive_slow",kind="http"}`, probe(20)})
	dataDir := t.TempDir()
	backfill(t, promtool, dataDir, series, start, now)
	url := testutil.StartPrometheus(t, prometheus, dataDir, "--storage.tsdb.retention.time=60d")

	cfg := strings.ReplaceAll(block, "http://prometheus:9090", url)
	cfg = strings.Replace(cfg, "go_live: 2026-12-01T08:00:00Z", "go_live: "+goLive.Format(time.RFC3339), 1)
	run := collectortest.RunConfig(t, cfg, 60*time.Second)
	require.NotEmpty(t, run.Results)
	for _, res := range run.Results {
		assert.Equal(t, collector.StatusPass, res.Status, "%s (good week): %s %v", res.Check, res.Message, res.Conditions)
	}
	weekEnd := goLive.Add(7 * 24 * time.Hour).Format(time.RFC3339)
	assert.Contains(t, run.Result(t, "sms_uptime_first_week").Conditions[0].Observed, "(at "+weekEnd+")")

	bad := strings.NewReplacer(`job="sms"`, `job="sms_slow"`, `job="node"`, `job="node_busy"`, `job="golive"`, `job="golive_slow"`).Replace(cfg)
	run = collectortest.RunConfig(t, bad, 60*time.Second)
	for _, res := range run.Results {
		assert.Equal(t, collector.StatusFail, res.Status, "%s (bad week): %s %v", res.Check, res.Message, res.Conditions)
		assert.Equal(t, collector.ReasonConditionFailed, res.Reason, "%s: %s", res.Check, res.Message)
	}
	obs := func(check string) string { return run.Result(t, check).Conditions[0].Observed }
	assert.Equal(t, "98.0% (at "+weekEnd+")", obs("sms_uptime_first_week"))
	assert.Equal(t, "875ms (at "+weekEnd+")", obs("sms_p95_first_week"))
	assert.Equal(t, "875ms", obs("sms_p95"))
	assert.Equal(t, "2.0%", obs("sms_errors"))
	assert.Equal(t, "20.0%", obs("sms_sla_24h"))
	assert.Equal(t, "90.0%", obs("host_cpu_now"))
	assert.Equal(t, "90.0%", obs("host_memory_now"))
	assert.Equal(t, "10.0%", obs("host_disk_now"))
}
