package monitoring

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/stretchr/testify/assert"
)

// A monitoring server that refuses the credentials makes the check fail
// with reason auth, also where the answer is judged as a condition
// (readiness, Grafana's health); a Prometheus whose newest sample is older
// than max_head_age is stale, like every too-old figure.
func TestMonitoringReasons(t *testing.T) {
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) }))
	t.Cleanup(refuse.Close)
	forbid := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	t.Cleanup(forbid.Close)
	readyOK := answer{200, string(corpus(t, "prometheus-ready-200.txt"))}
	stalled, _ := fakeServer(t, map[string]answer{"/-/ready": readyOK, "/api/v1/targets": {200, targetsAllUp},
		"/api/v1/rules": {200, rulesBundle(t)}, "/api/v1/status/tsdb": {200, tsdb(time.Now().Add(-time.Hour))}})
	out := collectortest.RunConfig(t, fmt.Sprintf(`checks:
  - {name: prometheus_refused, prometheus: {url: %[1]s}}
  - {name: grafana_refused, grafana: {url: %[1]s}}
  - {name: alertmanager_refused, alertmanager: {url: %[2]s}}
  - {name: loki_refused, loki: {url: %[2]s}}
  - {name: ready_refused, service_ready: {url: %[1]s, preset: grafana}}
  - {name: prometheus_stalled, prometheus: {url: %[3]s}}
`, refuse.URL, forbid.URL, stalled.URL), 20*time.Second)
	for _, name := range []string{"prometheus_refused", "grafana_refused", "alertmanager_refused", "loki_refused", "ready_refused"} {
		res := out.Result(t, name)
		assert.Equal(t, collector.StatusFail, res.Status, name)
		assert.Equal(t, collector.ReasonAuth, res.Reason, "%s: %s", name, res.Message)
	}
	st := out.Result(t, "prometheus_stalled")
	assert.Equal(t, collector.ReasonStale, st.Reason, st.Message)
	// The fake's sample is an hour old when the test starts; a busy machine
	// may take a few seconds more to run the check.
	assert.Regexp(t, `samples ingested: observed newest sample 1h(1m)? old`, st.Message)
}
