package loadtest

import (
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A k6_metric the summary does not have, or that is not a trend (a
// counter, a rate), says so: adding p(95) to summaryTrendStats would not
// help. In both k6 formats.
func TestK6MetricMissingOrNotATrend(t *testing.T) {
	for _, file := range []string{"k6-handlesummary-compact-thresholds-ok.json", "k6-summary-export-legacy-threshold-failed.json"} {
		for _, tc := range []struct {
			metric, want string
		}{
			{"http_req_durations", `max_p95: the k6 metric "http_req_durations" is not in the summary; set k6_metric to a trend of times the summary has (such as http_req_duration)`},
			{"http_reqs", `max_p95: the k6 metric "http_reqs" is a counter, not a trend; set k6_metric to a trend of times (such as http_req_duration)`},
			{"http_req_failed", `max_p95: the k6 metric "http_req_failed" is a rate, not a trend; set k6_metric to a trend of times (such as http_req_duration)`},
		} {
			t.Run(file+" "+tc.metric, func(t *testing.T) {
				dir := copyCorpus(t, map[string]string{file: "summary.json"})
				c := newTestCheck(t, LoadTestCheck{Paths: []string{dir}, MaxP95: msec(500), K6Metric: tc.metric, ToolThresholds: "ignore"})
				r, err := runCheck(t, c)
				require.Error(t, err)
				assert.Equal(t, collector.ReasonUnavailable, collector.ReasonOf(err))
				assert.Contains(t, err.Error(), tc.want)
				assert.NotContains(t, err.Error(), "summaryTrendStats")
				assert.Equal(t, "not in the result", condition(t, r, "p95 latency").Observed)
			})
		}
	}
}

// A limit that failed is the headline of the check, not one the result
// could not answer that came before it: the k6 summary has no p99 and its
// peak of 5 users fails min_vus.
func TestFailedLimitIsTheHeadline(t *testing.T) {
	dir := copyCorpus(t, map[string]string{"k6-handlesummary-compact-thresholds-ok.json": "summary.json"})
	out := collectortest.RunConfig(t, "checks:\n  - name: load\n    loadtest: {paths: ["+dir+"], max_p99: 500ms, min_vus: 100}\n", 10*time.Second)
	res := out.Result(t, "load")
	assert.Equal(t, collector.StatusFail, res.Status)
	assert.Equal(t, collector.ReasonConditionFailed, res.Reason, "a limit it can answer failed: the definite verdict")
	assert.Equal(t, "concurrent users: observed 5 peak, expected >= 100", res.Message)
}
