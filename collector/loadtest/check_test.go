package loadtest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/config"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// copyCorpus copies corpus files into a fresh folder, renamed as given
// (src -> dst; an empty dst keeps the name).
func copyCorpus(t *testing.T, files map[string]string) string {
	t.Helper()
	return collectortest.CopyFiles(t, corpusDir(t), files)
}

func newTestCheck(t *testing.T, lc LoadTestCheck) *check {
	t.Helper()
	lc.SetDefaults()
	var p config.Problems
	lc.Validate("checks[0].loadtest", &p)
	c, err := newCheck(config.NewCheck("load", "loadtest", &lc), collector.Env{})
	require.NoError(t, err)
	return c.(*check)
}

// The package's tests run checks directly and read their reports through
// collectortest's helpers.
var (
	runCheck  = collectortest.RunCheck
	value     = collectortest.SampleValue
	condition = collectortest.Condition
	hasSample = collectortest.HasSample
)

func ratio(v float64) *float64 { return &v }

func msec(n int) model.Duration { return model.Duration(time.Duration(n) * time.Millisecond) }

// TestCheckK6Summary: the handleSummary corpus file against the checklist's
// limits: p95 380 ms passes (261 ms), 100 concurrent users fails (5).
func TestCheckK6Summary(t *testing.T) {
	dir := copyCorpus(t, map[string]string{"k6-handlesummary-compact-thresholds-ok.json": "summary.json"})
	c := newTestCheck(t, LoadTestCheck{Paths: []string{dir}, MaxP95: msec(380), MaxErrorRatio: ratio(0.01), MinVUs: 100, MinRequests: 10})
	r, err := runCheck(t, c)
	require.NoError(t, err)
	assert.InDelta(t, 0.26064205, value(t, r, latencyDesc, "95"), 1e-9)
	assert.InDelta(t, 0.2550285, value(t, r, latencyDesc, "50"), 1e-9)
	assert.InDelta(t, 0.26089, value(t, r, latencyDesc, "100"), 1e-9)
	assert.False(t, hasSample(r, latencyDesc, "99"), "k6 wrote no p(99): not exported")
	assert.Equal(t, 0.38, value(t, r, latencyLimitDesc, "95"))
	assert.Equal(t, 20.0, value(t, r, requestsDesc))
	assert.Equal(t, 0.0, value(t, r, errorRatioDesc))
	assert.Equal(t, 5.0, value(t, r, vusDesc))
	assert.InDelta(t, 8.274949, value(t, r, durationDesc), 1e-9)
	assert.Equal(t, 2.0, value(t, r, thresholdsDesc, "passed"))
	assert.Equal(t, 0.0, value(t, r, thresholdsDesc, "failed"))
	assert.Equal(t, 1.0, value(t, r, infoDesc, "k6"))
	info, err := os.Stat(filepath.Join(dir, "summary.json"))
	require.NoError(t, err)
	assert.InDelta(t, float64(info.ModTime().Unix()), value(t, r, timestampDesc), 1, "no time in the file: its mtime")

	assert.True(t, condition(t, r, "p95 latency").OK)
	assert.Equal(t, "260.642ms", condition(t, r, "p95 latency").Observed)
	assert.True(t, condition(t, r, "error ratio").OK)
	assert.True(t, condition(t, r, "requests").OK)
	assert.True(t, condition(t, r, "tool thresholds").OK)
	vus := condition(t, r, "concurrent users")
	assert.False(t, vus.OK)
	assert.Equal(t, "5 peak", vus.Observed)
	assert.Equal(t, ">= 100", vus.Expected)
}

// TestCheckK6Legacy: the legacy export with its failed p(95)<50 threshold,
// and a p99 limit that the file cannot answer.
func TestCheckK6Legacy(t *testing.T) {
	dir := copyCorpus(t, map[string]string{"k6-summary-export-legacy-threshold-failed.json": ""})
	c := newTestCheck(t, LoadTestCheck{Paths: []string{filepath.Join(dir, "*.json")}, MaxP95: msec(500), MinVUs: 100, MaxErrorRatio: ratio(0.01)})
	r, err := runCheck(t, c)
	require.NoError(t, err)
	assert.Equal(t, 1.0, value(t, r, thresholdsDesc, "failed"))
	assert.Equal(t, 0.0, value(t, r, thresholdsDesc, "passed"))
	assert.Equal(t, 752192.0, value(t, r, checksDesc, "passed"))
	assert.Equal(t, 2961.0, value(t, r, vusDesc))
	assert.True(t, condition(t, r, "p95 latency").OK, "165 ms <= 500 ms")
	assert.True(t, condition(t, r, "concurrent users").OK)
	er := condition(t, r, "error ratio")
	assert.False(t, er.OK)
	assert.Equal(t, "22.85% (171890 of 752192 requests failed)", er.Observed)
	th := condition(t, r, "tool thresholds")
	assert.False(t, th.OK)
	assert.False(t, th.Warning)
	assert.Equal(t, "1 of 1 failed", th.Observed)

	c = newTestCheck(t, LoadTestCheck{Paths: []string{dir}, ToolThresholds: "warn"})
	r, err = runCheck(t, c)
	require.NoError(t, err)
	assert.True(t, condition(t, r, "tool thresholds").Warning)

	c = newTestCheck(t, LoadTestCheck{Paths: []string{dir}, ToolThresholds: "ignore"})
	r, err = runCheck(t, c)
	require.NoError(t, err)
	for _, cond := range r.Conditions() {
		assert.NotEqual(t, "tool thresholds", cond.Name)
	}

	c = newTestCheck(t, LoadTestCheck{Paths: []string{dir}, MaxP99: msec(500), MaxP95: msec(500), ToolThresholds: "ignore"})
	r, err = runCheck(t, c)
	require.Error(t, err)
	assert.Equal(t, collector.ReasonUnavailable, collector.ReasonOf(err))
	assert.Contains(t, err.Error(), `max_p99: the result has no p99`)
	assert.Contains(t, err.Error(), `add "p(99)" there`)
	assert.False(t, condition(t, r, "p99 latency").OK)
	assert.Equal(t, "not in the result", condition(t, r, "p99 latency").Observed)
	assert.True(t, condition(t, r, "p95 latency").OK)
}

// TestCheckLocustRun merges the parts of a Locust run: latency from the
// stats file's Aggregated row, users and end time from the history.
func TestCheckLocustRun(t *testing.T) {
	dir := copyCorpus(t, map[string]string{
		"locust-retail_stats.csv":         "retail_stats.csv",
		"locust-retail_stats_history.csv": "retail_stats_history.csv",
		"locust-retail_failures.csv":      "retail_failures.csv",
	})
	c := newTestCheck(t, LoadTestCheck{Paths: []string{dir}, Format: "locust", MaxP95: msec(380), MinVUs: 100, MinDuration: model.Duration(time.Minute)})
	r, err := runCheck(t, c)
	require.NoError(t, err)
	assert.Equal(t, 3.0, value(t, r, filesDesc))
	assert.Equal(t, 3.0, value(t, r, filesParsedDesc))
	assert.Equal(t, 33.0, value(t, r, latencyDesc, "95"))
	assert.Equal(t, 15000.0, value(t, r, vusDesc))
	assert.Equal(t, 63.0, value(t, r, durationDesc))
	assert.Equal(t, 1724151306.0, value(t, r, timestampDesc))
	assert.InDelta(t, 631.3258640849056, value(t, r, rpsDesc), 1e-9)
	assert.Equal(t, 1.0, value(t, r, failedDesc))
	assert.False(t, hasSample(r, thresholdsDesc, "passed"), "Locust has no thresholds")
	assert.False(t, condition(t, r, "p95 latency").OK)
	assert.Equal(t, "33s", condition(t, r, "p95 latency").Observed)
	assert.True(t, condition(t, r, "concurrent users").OK)
	assert.True(t, condition(t, r, "test duration").OK)

	// Unchanged files are not read again.
	r, err = runCheck(t, c)
	require.NoError(t, err)
	assert.Equal(t, 0.0, value(t, r, filesParsedDesc))
	assert.Equal(t, 15000.0, value(t, r, vusDesc))

	// Without the history, users and duration are unavailable.
	require.NoError(t, os.Remove(filepath.Join(dir, "retail_stats_history.csv")))
	c = newTestCheck(t, LoadTestCheck{Paths: []string{dir}, Format: "locust", MaxP95: model.Duration(time.Minute), MinVUs: 100})
	r, err = runCheck(t, c)
	require.Error(t, err)
	assert.Equal(t, collector.ReasonUnavailable, collector.ReasonOf(err))
	assert.Contains(t, err.Error(), "_stats_history.csv")
	assert.False(t, hasSample(r, vusDesc))

	// Failures alone are no result.
	require.NoError(t, os.Remove(filepath.Join(dir, "retail_stats.csv")))
	_, err = runCheck(t, c)
	require.Error(t, err)
	assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err))
	assert.Contains(t, err.Error(), "neither a _stats.csv nor a _stats_history.csv")
}

func TestCheckJMeterAndGatling(t *testing.T) {
	dir := copyCorpus(t, map[string]string{"jmeter-results-422-failures.jtl": "results.jtl"})
	c := newTestCheck(t, LoadTestCheck{Paths: []string{dir}, Format: "jmeter", MaxP95: msec(500), MaxP99: msec(500), MaxErrorRatio: ratio(0.01), MinVUs: 8})
	r, err := runCheck(t, c)
	require.NoError(t, err)
	for _, n := range []string{"p95 latency", "p99 latency", "error ratio", "concurrent users"} {
		assert.True(t, condition(t, r, n).OK, n)
	}
	assert.InDelta(t, 0.49898, value(t, r, latencyDesc, "99"), 1e-9)

	c = newTestCheck(t, LoadTestCheck{Paths: []string{dir}, JMeterExcludeLabels: "^Debug Sampler$"})
	r, err = runCheck(t, c)
	require.NoError(t, err)
	assert.Equal(t, 1600.0, value(t, r, requestsDesc))
	assert.Equal(t, 1776660534.655, value(t, r, timestampDesc))

	dir = copyCorpus(t, map[string]string{"gatling-global_stats-high-ko.json": "global_stats.json"})
	c = newTestCheck(t, LoadTestCheck{Paths: []string{dir}, Format: "gatling", MaxP95: model.Duration(time.Minute), MinVUs: 100})
	r, err = runCheck(t, c)
	require.Error(t, err)
	assert.Equal(t, collector.ReasonUnavailable, collector.ReasonOf(err))
	assert.Contains(t, err.Error(), "no user count")
	assert.True(t, condition(t, r, "p95 latency").OK)
	assert.Equal(t, "48.321s", condition(t, r, "p95 latency").Observed)
	assert.False(t, condition(t, r, "concurrent users").OK)

	// A failed limit on a figure the result has is the verdict
	// (condition_failed), before a limit it cannot answer.
	c = newTestCheck(t, LoadTestCheck{Paths: []string{dir}, Format: "gatling", MaxP90: msec(500), MaxP99: msec(500)})
	r, err = runCheck(t, c)
	require.NoError(t, err)
	assert.False(t, condition(t, r, "p90 latency").OK)
	assert.Equal(t, "not in the result", condition(t, r, "p90 latency").Observed)
	assert.Equal(t, "60.005s", condition(t, r, "p99 latency").Observed)
}

// TestCheckNewestAndStale: of several results the newest is judged; an old
// one fails with reason stale.
func TestCheckNewestAndStale(t *testing.T) {
	dir := copyCorpus(t, map[string]string{
		"k6-summary-export-legacy-threshold-failed.json": "run-1.json",
		"k6-handlesummary-compact-thresholds-ok.json":    "run-2.json",
	})
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "run-1.json"), old, old))
	require.NoError(t, os.Chtimes(filepath.Join(dir, "run-2.json"), old.Add(time.Hour), old.Add(time.Hour)))
	c := newTestCheck(t, LoadTestCheck{Paths: []string{dir}, MaxAge: model.Duration(24 * time.Hour)})
	c.now = func() time.Time { return old.Add(2 * time.Hour) }
	r, err := runCheck(t, c)
	require.NoError(t, err)
	assert.Equal(t, 5.0, value(t, r, vusDesc), "run-2 is newer")
	assert.Equal(t, 2.0, value(t, r, filesDesc))
	assert.Equal(t, 1.0, value(t, r, filesParsedDesc), "only the newest is read")
	assert.Equal(t, float64(old.Add(time.Hour).Unix()), value(t, r, timestampDesc))
	assert.Equal(t, 86400.0, value(t, r, maxAgeDesc))
	age := condition(t, r, "result age")
	assert.True(t, age.OK)
	assert.Equal(t, "1h old (ended 2026-01-01T01:00:00Z)", age.Observed)
	assert.Equal(t, "<= 1d", age.Expected)

	require.NoError(t, os.Chtimes(filepath.Join(dir, "run-1.json"), old.Add(90*time.Minute), old.Add(90*time.Minute)))
	r, err = runCheck(t, c)
	require.NoError(t, err)
	assert.Equal(t, 2961.0, value(t, r, vusDesc), "run-1 touched later")

	c.now = func() time.Time { return old.Add(72 * time.Hour) }
	r, err = runCheck(t, c)
	require.Error(t, err)
	assert.Equal(t, collector.ReasonStale, collector.ReasonOf(err))
	assert.Contains(t, err.Error(), "run the load test again")
	assert.True(t, hasSample(r, vusDesc), "figures of a stale result are still exported")
	age = condition(t, r, "result age")
	assert.False(t, age.OK)
	assert.Equal(t, "2d23h old (ended 2026-01-01T01:30:00Z)", age.Observed)
}

func TestCheckFailures(t *testing.T) {
	t.Run("no files", func(t *testing.T) {
		_, err := runCheck(t, newTestCheck(t, LoadTestCheck{Paths: []string{filepath.Join(t.TempDir(), "*.json")}}))
		assert.Equal(t, collector.ReasonNotFound, collector.ReasonOf(err))
		_, err = runCheck(t, newTestCheck(t, LoadTestCheck{Paths: []string{filepath.Join(t.TempDir(), "missing.json")}}))
		assert.Equal(t, collector.ReasonNotFound, collector.ReasonOf(err))
	})
	t.Run("corrupt newest", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "r.json"), []byte(`{"metrics":{"http_reqs":`), 0o644))
		r, err := runCheck(t, newTestCheck(t, LoadTestCheck{Paths: []string{dir}}))
		require.Error(t, err)
		assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err))
		assert.Contains(t, err.Error(), "truncated")
		assert.False(t, hasSample(r, latencyDesc, "95"))
	})
	t.Run("too large", func(t *testing.T) {
		dir := copyCorpus(t, map[string]string{"jmeter-results-422-failures.jtl": ""})
		_, err := runCheck(t, newTestCheck(t, LoadTestCheck{Paths: []string{dir}, MaxFileSize: 1000}))
		require.Error(t, err)
		assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err))
		assert.Contains(t, err.Error(), "max_file_size")
	})
	t.Run("cancelled", func(t *testing.T) {
		dir := copyCorpus(t, map[string]string{"jmeter-results-422-failures.jtl": ""})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := newTestCheck(t, LoadTestCheck{Paths: []string{dir}}).Run(ctx, &collector.Report{})
		assert.ErrorIs(t, err, context.Canceled)
	})
}

// TestConfig loads loadtest checks through the real config loader.
func TestConfig(t *testing.T) {
	good := `checks:
  - name: load_p95
    items: [P1.2.03]
    loadtest:
      paths: [results/k6-summary.json]
      max_p95: 380ms
      max_error_ratio: 0.01
      min_vus: 100
      max_age: 7d
`
	cfg, err := config.Load([]byte(good), "good.yml")
	require.NoError(t, err)
	lc := cfg.Checks[0].Spec().(*LoadTestCheck)
	assert.Equal(t, "auto", lc.Format)
	assert.Equal(t, "*", lc.FolderPattern)
	assert.Equal(t, "http_req_duration", lc.K6Metric)
	assert.Equal(t, []float64{50, 75, 95, 99}, lc.GatlingPercentiles)
	assert.Equal(t, "enforce", lc.ToolThresholds)
	assert.Equal(t, DefaultLoadTestMaxFileSize, lc.MaxFileSize)
	assert.Equal(t, 380*time.Millisecond, time.Duration(lc.MaxP95))

	bad := `checks:
  - name: load
    loadtest:
      paths: ["results/[.json"]
      format: wrk
      max_error_ratio: 5
      min_vus: -1
      gatling_percentiles: [50, 150]
      tool_thresholds: maybe
      jmeter_exclude_labels: "(unclosed"
`
	_, err = config.Load([]byte(bad), "bad.yml")
	require.Error(t, err)
	for _, want := range []string{"bad.yml:4", "paths[0]", "bad.yml:5", "unknown format \"wrk\"", "max_error_ratio", "min_vus", "gatling_percentiles[1]", "tool_thresholds", "jmeter_exclude_labels: bad regular expression"} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = config.Load([]byte("checks:\n  - name: x\n    loadtest:\n      paths: [a]\n      max_p96: 1s\n"), "typo.yml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "max_p96")
	_, err = config.Load([]byte("checks:\n  - name: x\n    loadtest: {}\n"), "empty.yml")
	assert.ErrorContains(t, err, "no result paths")
}

// TestCheckUnchangedFileIsNotReadAgain proves that an unchanged result
// (same size and modification time) is not opened again: its bytes are
// replaced by garbage of the same length and its time put back, and the
// check keeps the figures of the first read until the time changes.
func TestCheckUnchangedFileIsNotReadAgain(t *testing.T) {
	dir := copyCorpus(t, map[string]string{"jmeter-results-422-failures.jtl": "results.jtl"})
	path := filepath.Join(dir, "results.jtl")
	info, err := os.Stat(path)
	require.NoError(t, err)
	c := newTestCheck(t, LoadTestCheck{Paths: []string{dir}, MaxP95: msec(500)})
	r, err := runCheck(t, c)
	require.NoError(t, err)
	assert.InDelta(t, 0.43195, value(t, r, latencyDesc, "95"), 1e-9)
	assert.Equal(t, 1.0, value(t, r, filesParsedDesc))

	require.NoError(t, os.WriteFile(path, []byte(strings.Repeat("x", int(info.Size()))), 0o644))
	require.NoError(t, os.Chtimes(path, info.ModTime(), info.ModTime()))
	for i := 0; i < 2; i++ {
		r, err = runCheck(t, c)
		require.NoError(t, err, "the file was read again")
		assert.Equal(t, 0.0, value(t, r, filesParsedDesc))
		assert.InDelta(t, 0.43195, value(t, r, latencyDesc, "95"), 1e-9)
		assert.Equal(t, 1700.0, value(t, r, requestsDesc))
	}

	later := info.ModTime().Add(time.Minute)
	require.NoError(t, os.Chtimes(path, later, later))
	_, err = runCheck(t, c)
	require.Error(t, err, "a new modification time is read")
	assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err))
}

// TestCheckLimitOnAbsentFigure: a limit on a figure the result lacks fails
// as "not in the result", names the config key among the unavailable, and
// shows the limit as it shows when the figure is there (the error ratio in
// percent, as for a result that has one).
func TestCheckLimitOnAbsentFigure(t *testing.T) {
	c := newTestCheck(t, LoadTestCheck{Paths: []string{"unused"}, MaxErrorRatio: ratio(0.01), MinRPS: 5})
	r := &collector.Report{}
	unavailable := c.record(r, &Result{Format: "k6"}, time.Now())
	assert.Equal(t, []string{
		"max_error_ratio: the result has no error ratio (the result does not carry it)",
		"min_rps: the result has no throughput (the result does not carry it)",
	}, unavailable)
	er := condition(t, r, "error ratio")
	assert.False(t, er.OK)
	assert.Equal(t, "not in the result", er.Observed)
	assert.Equal(t, "<= 1%", er.Expected)
	assert.Equal(t, ">= 5/s", condition(t, r, "throughput").Expected)
	assert.Equal(t, 0.01, value(t, r, errorRatioLimitDesc))

	r = &collector.Report{}
	unavailable = c.record(r, &Result{Format: "k6", ErrorRatio: some(0.02), RPS: some(4)}, time.Now())
	assert.Empty(t, unavailable)
	er = condition(t, r, "error ratio")
	assert.False(t, er.OK)
	assert.Equal(t, "2%", er.Observed)
	assert.Equal(t, "<= 1%", er.Expected)
	assert.Equal(t, "4/s", condition(t, r, "throughput").Observed)
	assert.False(t, condition(t, r, "throughput").OK)
}
