package monitoring

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const targetsOneDown = `{"status":"success","data":{"activeTargets":[
 {"labels":{"job":"golive","instance":"a:9"},"scrapePool":"golive","health":"up"},
 {"labels":{"job":"node","instance":"b:9"},"scrapePool":"node","health":"down"},
 {"labels":{"job":"node","instance":"c:9"},"scrapePool":"node","health":"up"},
 {"labels":{},"scrapePool":"cadvisor","health":"unknown"}],"droppedTargets":[]}}`

const targetsAllUp = `{"status":"success","data":{"activeTargets":[
 {"labels":{"job":"golive"},"health":"up"}]}}`

const rulesOK = `{"status":"success","data":{"groups":[
 {"name":"golive.backups","file":"x","rules":[{"name":"GoLiveBackupFailed","health":"ok","type":"alerting"}]},
 {"name":"other","rules":[{"name":"Broken","health":"err","type":"alerting"}]}]}}`

const rulesErr = `{"status":"success","data":{"groups":[
 {"name":"golive.slo","rules":[{"name":"slo:x:ratio","health":"err","type":"recording"},{"name":"A","health":"unknown"}]}]}}`

// rulesBundle is a /api/v1/rules answer with every group of the shipped
// bundle loaded and evaluating.
func rulesBundle(t *testing.T) string {
	t.Helper()
	names, err := rules.GroupNames()
	require.NoError(t, err)
	require.Greater(t, len(names), 5)
	var groups []string
	for _, n := range names {
		groups = append(groups, fmt.Sprintf(`{"name":%q,"file":"/etc/prometheus/rules/x.rules.yml","rules":[{"name":"R","health":"ok","type":"alerting"}]}`, n))
	}
	return `{"status":"success","data":{"groups":[` + strings.Join(groups, ",") + `]}}`
}

func tsdb(maxTime time.Time) string {
	return fmt.Sprintf(`{"status":"success","data":{"headStats":{"numSeries":1234,"chunkCount":5,"minTime":1,"maxTime":%d},"seriesCountByMetricName":[]}}`, maxTime.UnixMilli())
}

func TestPrometheusCheck(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	readyOK := answer{200, string(corpus(t, "prometheus-ready-200.txt"))}
	cases := []struct {
		name    string
		extra   string
		answers map[string]answer
		failed  []string
		reason  collector.Reason
		check   func(t *testing.T, r *collector.Report)
	}{
		{
			name: "healthy",
			answers: map[string]answer{"/-/ready": readyOK, "/api/v1/targets": {200, targetsAllUp},
				"/api/v1/rules": {200, rulesBundle(t)}, "/api/v1/status/tsdb": {200, tsdb(now.Add(-30 * time.Second))}},
			check: func(t *testing.T, r *collector.Report) {
				names, _ := rules.GroupNames()
				assert.Equal(t, 1.0, value(t, r, "golive_prometheus_ready"))
				assert.Equal(t, 1.0, value(t, r, "golive_prometheus_targets", "up"))
				assert.Equal(t, float64(len(names)), value(t, r, "golive_prometheus_rule_groups_loaded"))
				assert.Equal(t, 0.0, value(t, r, "golive_prometheus_rules", "err"), "errors outside the bundle do not count")
				assert.Equal(t, 1234.0, value(t, r, "golive_prometheus_head_series"))
				assert.Equal(t, float64(now.Unix()-30), value(t, r, "golive_prometheus_head_max_timestamp_seconds"))
			},
		},
		{
			name: "target down, rule failing, ingestion stalled",
			answers: map[string]answer{"/-/ready": readyOK, "/api/v1/targets": {200, targetsOneDown},
				"/api/v1/rules": {200, rulesErr}, "/api/v1/status/tsdb": {200, tsdb(now.Add(-10 * time.Minute))}},
			failed: []string{"targets up", "rule groups loaded", "rules evaluate without errors", "samples ingested"},
			check: func(t *testing.T, r *collector.Report) {
				assert.Equal(t, 1.0, value(t, r, "golive_prometheus_job_targets_down", "node"))
				assert.Equal(t, 0.0, value(t, r, "golive_prometheus_job_targets_down", "golive"))
				assert.Equal(t, 1.0, value(t, r, "golive_prometheus_targets", "unknown"))
				assert.Equal(t, 1.0, value(t, r, "golive_prometheus_rules", "err"))
				for _, c := range r.Conditions() {
					if c.Name == "targets up" {
						assert.Equal(t, "1 of 4 targets down (jobs node)", c.Observed)
					}
				}
			},
		},
		{
			name:  "ignored job and named groups",
			extra: "\n      ignore_jobs: [node]\n      rule_groups: [golive.backups, golive.missing]",
			answers: map[string]answer{"/-/ready": readyOK, "/api/v1/targets": {200, targetsOneDown},
				"/api/v1/rules": {200, rulesOK}, "/api/v1/status/tsdb": {200, tsdb(now)}},
			failed: []string{"rule groups loaded"},
		},
		{
			name: "one file of the bundle loaded, errors outside it ignored",
			answers: map[string]answer{"/-/ready": readyOK, "/api/v1/targets": {200, targetsAllUp},
				"/api/v1/rules": {200, rulesOK}, "/api/v1/status/tsdb": {200, tsdb(now)}},
			failed: []string{"rule groups loaded"},
			check: func(t *testing.T, r *collector.Report) {
				assert.Equal(t, 0.0, value(t, r, "golive_prometheus_rules", "err"))
				for _, c := range r.Conditions() {
					if c.Name == "rule groups loaded" {
						assert.Contains(t, c.Observed, "golive.slo")
						assert.NotContains(t, c.Observed, "golive.backups")
					}
				}
			},
		},
		{
			name:  "a renamed bundle: at least one group with its prefix",
			extra: "\n      rule_group_prefix: myorg.",
			answers: map[string]answer{"/-/ready": readyOK, "/api/v1/targets": {200, targetsAllUp},
				"/api/v1/rules":       {200, `{"status":"success","data":{"groups":[{"name":"myorg.backups","rules":[{"name":"A","health":"ok"}]}]}}`},
				"/api/v1/status/tsdb": {200, tsdb(now)}},
		},
		{
			name:    "not ready",
			answers: map[string]answer{"/-/ready": {503, string(corpus(t, "prometheus-ready-503.txt"))}},
			failed:  []string{"Prometheus ready"},
			check: func(t *testing.T, r *collector.Report) {
				assert.Equal(t, 0.0, value(t, r, "golive_prometheus_ready"))
			},
		},
		{
			name:    "API error",
			answers: map[string]answer{"/-/ready": readyOK, "/api/v1/targets": {200, `{"status":"error","errorType":"internal","error":"boom"}`}},
			reason:  collector.ReasonInvalidResponse,
		},
		{
			name:    "unauthorized",
			answers: map[string]answer{"/-/ready": readyOK, "/api/v1/targets": {401, "no"}},
			reason:  collector.ReasonAuth,
		},
		{
			name: "no bundle rules",
			answers: map[string]answer{"/-/ready": readyOK, "/api/v1/targets": {200, targetsAllUp},
				"/api/v1/rules": {200, `{"status":"success","data":{"groups":[]}}`}, "/api/v1/status/tsdb": {200, tsdb(now)}},
			failed: []string{"rule groups loaded"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := fakeServer(t, tc.answers)
			c := loadCheck(t, fmt.Sprintf("checks:\n  - name: prom\n    prometheus:\n      url: %s%s\n", srv.URL, tc.extra))
			chk, err := newPrometheus(c, collector.Env{})
			require.NoError(t, err)
			chk.(*prometheusCheck).now = func() time.Time { return now }
			r, err := runCheck(t, c, func(*config.Check, collector.Env) (collector.Check, error) { return chk, nil })
			if tc.reason != "" {
				require.Error(t, err)
				assert.Equal(t, tc.reason, collector.ReasonOf(err))
				return
			}
			require.NoError(t, err)
			assert.ElementsMatch(t, tc.failed, failed(r))
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestPrometheusCheckConnectionRefused(t *testing.T) {
	srv, _ := fakeServer(t, nil)
	u := srv.URL
	srv.Close()
	c := loadCheck(t, "checks:\n  - name: prom\n    prometheus:\n      url: "+u+"\n")
	r, err := runCheck(t, c, newPrometheus)
	require.Error(t, err)
	assert.Equal(t, collector.ReasonConnRefused, collector.ReasonOf(err))
	assert.Equal(t, 0.0, value(t, r, "golive_prometheus_ready"))
}

// TestPrometheusJobLabelBounded: a Prometheus with more scrape jobs than
// maxJobs gets at most maxJobs job series, while the counts and the
// verdict still see every down target.
func TestPrometheusJobLabelBounded(t *testing.T) {
	var ts []string
	for i := 0; i < maxJobs+50; i++ {
		ts = append(ts, fmt.Sprintf(`{"labels":{"job":"job%03d"},"scrapePool":"job%03d","health":"down"}`, i, i))
	}
	targets := `{"status":"success","data":{"activeTargets":[` + strings.Join(ts, ",") + `],"droppedTargets":[]}}`
	srv, _ := fakeServer(t, map[string]answer{"/-/ready": {200, "Prometheus Server is Ready.\n"}, "/api/v1/targets": {200, targets},
		"/api/v1/status/tsdb": {200, tsdb(time.Now())}})
	c := loadCheck(t, "checks:\n  - name: prom\n    prometheus:\n      url: "+srv.URL+"\n      skip_rules: true\n")
	r, err := runCheck(t, c, newPrometheus)
	require.NoError(t, err)
	jobs := 0
	for _, s := range r.Samples() {
		if strings.Contains(s.Desc.String(), `"golive_prometheus_job_targets_down"`) {
			jobs++
		}
	}
	assert.Equal(t, maxJobs, jobs)
	assert.Equal(t, float64(maxJobs+50), value(t, r, "golive_prometheus_targets", "down"))
	assert.Equal(t, []string{"targets up"}, failed(r))
	for _, c := range r.Conditions() {
		if c.Name == "targets up" {
			assert.Equal(t, "150 of 150 targets down (jobs job000, job001, job002, job003, job004, job005, job006, job007, job008, job009 and 140 more)", c.Observed)
		}
	}
}
