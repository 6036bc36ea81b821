package monitoring

import (
	"fmt"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func amAlertJSON(name, severity, state string, inhibited bool) string {
	inh := "[]"
	if inhibited {
		inh = `["abc"]`
	}
	return fmt.Sprintf(`{"fingerprint":"%s%s","labels":{"alertname":"%s","severity":"%s","item":"P1.1.04"},
	 "status":{"state":"%s","silencedBy":[],"inhibitedBy":%s}}`, name, severity, name, severity, state, inh)
}

func TestAlertmanagerCheck(t *testing.T) {
	status := answer{200, `{"cluster":{"status":"ready","peers":[{"name":"a"}]},"config":{"original":""},"uptime":"2026-01-01T00:00:00Z"}`}
	receivers := answer{200, `[{"name":"pager"},{"name":"go-live-channel"},{"name":"null"}]`}
	ready := answer{200, "OK"}
	watchdog := amAlertJSON("Watchdog", "none", "active", false)
	cases := []struct {
		name    string
		extra   string
		answers map[string]answer
		failed  []string
		check   func(t *testing.T, r *collector.Report)
	}{
		{
			name: "quiet with watchdog",
			answers: map[string]answer{"/-/ready": ready, "/api/v2/status": status, "/api/v2/receivers": receivers,
				"/api/v2/alerts": {200, "[" + watchdog + "," + amAlertJSON("GoLiveInfo", "info", "active", false) + "," +
					`{"labels":{"alertname":"GoLiveMonitoringCheckFailing","severity":"warning","check":"am"},"status":{"state":"active"}}` + "," +
					`{"labels":{"alertname":"GoLiveChecklistItemOverdue","severity":"warning","item":"P3.1.06"},"status":{"state":"active"}}` + "]"}},
			check: func(t *testing.T, r *collector.Report) {
				assert.Equal(t, 1.0, value(t, r, "golive_alertmanager_watchdog_firing"))
				assert.Equal(t, 1.0, value(t, r, "golive_alertmanager_alerts_firing", "info"))
				assert.Equal(t, 0.0, value(t, r, "golive_alertmanager_alerts_firing", "critical"))
				assert.Equal(t, 3.0, value(t, r, "golive_alertmanager_receivers"))
				assert.Equal(t, 1.0, value(t, r, "golive_alertmanager_cluster_peers"))
			},
		},
		{
			name:  "critical firing, warning inhibited, no watchdog, receiver missing",
			extra: "\n      receivers: [pager, email]",
			answers: map[string]answer{"/-/ready": ready, "/api/v2/status": status, "/api/v2/receivers": receivers,
				"/api/v2/alerts": {200, "[" + amAlertJSON("GoLiveBackupStale", "critical", "active", false) + "," +
					amAlertJSON("GoLiveBackupAging", "warning", "suppressed", true) + "," +
					amAlertJSON("Weird", "page", "active", false) + "]"}},
			failed: []string{"Watchdog arriving", "no critical alerts firing", "receivers configured"},
			check: func(t *testing.T, r *collector.Report) {
				assert.Equal(t, 1.0, value(t, r, "golive_alertmanager_alerts_firing", "critical"))
				assert.Equal(t, 0.0, value(t, r, "golive_alertmanager_alerts_firing", "warning"))
				assert.Equal(t, 1.0, value(t, r, "golive_alertmanager_alerts_firing", "other"))
				assert.Equal(t, 1.0, value(t, r, "golive_alertmanager_alerts_suppressed"))
				for _, c := range r.Conditions() {
					if c.Name == "no critical alerts firing" {
						assert.Equal(t, "1 firing: GoLiveBackupStale", c.Observed)
					}
				}
			},
		},
		{
			name:  "watchdog optional, warnings allowed",
			extra: "\n      require_watchdog: false\n      max_firing: {warning: 5}",
			answers: map[string]answer{"/-/ready": ready, "/api/v2/status": {200, `{"cluster":{"status":"settling"}}`},
				"/api/v2/receivers": receivers, "/api/v2/alerts": {200, "[" + amAlertJSON("W", "warning", "active", false) + "]"}},
			failed: []string{"cluster settled"},
		},
		{
			name:  "a severity of its own is counted as other, with its alerts named",
			extra: "\n      require_watchdog: false\n      max_firing: {page: 0}",
			answers: map[string]answer{"/-/ready": ready, "/api/v2/status": status, "/api/v2/receivers": receivers,
				"/api/v2/alerts": {200, "[" + amAlertJSON("Weird", "page", "active", false) + "," + amAlertJSON("Odd", "", "active", false) + "]"}},
			failed: []string{"no page alerts firing"},
			check: func(t *testing.T, r *collector.Report) {
				assert.Equal(t, 2.0, value(t, r, "golive_alertmanager_alerts_firing", "other"))
				for _, c := range r.Conditions() {
					if c.Name == "no page alerts firing" {
						assert.Equal(t, "2 firing: Odd, Weird", c.Observed)
					}
				}
			},
		},
		{
			name:    "not ready",
			answers: map[string]answer{"/-/ready": {503, "Service Unavailable"}},
			failed:  []string{"Alertmanager ready"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, seen := fakeServer(t, tc.answers)
			c := loadCheck(t, fmt.Sprintf("checks:\n  - name: am\n    items: [P3.1.06]\n    alertmanager:\n      url: %s%s\n", srv.URL, tc.extra))
			r, err := runCheck(t, c, newAlertmanager)
			require.NoError(t, err)
			assert.ElementsMatch(t, tc.failed, failed(r))
			if tc.check != nil {
				tc.check(t, r)
			}
			// The alerts are asked for once a ready Alertmanager's status and
			// receivers were read, and only the active ones.
			var alertQueries []string
			for _, s := range *seen {
				if strings.HasPrefix(s, "/api/v2/alerts?") {
					alertQueries = append(alertQueries, s)
				}
			}
			if tc.answers["/-/ready"].code != 200 {
				assert.Empty(t, alertQueries)
				return
			}
			require.Len(t, alertQueries, 1, *seen)
			assert.Contains(t, alertQueries[0], "active=true")
		})
	}
}

func TestParseAlertsCorpusGroups(t *testing.T) {
	b := corpus(t, "alertmanager-0.31.0-api-v2-alerts-groups.json")
	alerts, err := parseAlerts(b)
	require.NoError(t, err)
	require.NotEmpty(t, alerts)
	fps := map[string]bool{}
	for _, a := range alerts {
		assert.NotEmpty(t, a.Labels["alertname"])
		assert.False(t, fps[a.Fingerprint], "an alert in several groups is counted once")
		fps[a.Fingerprint] = true
	}
	// The same file through the check: every alert is counted once.
	srv, _ := fakeServer(t, map[string]answer{"/-/ready": {200, "OK"},
		"/api/v2/status": {200, `{"cluster":{"status":"disabled"}}`}, "/api/v2/receivers": {200, `[{"name":"x"}]`},
		"/api/v2/alerts": {200, string(b)}})
	c := loadCheck(t, "checks:\n  - name: am\n    alertmanager:\n      url: "+srv.URL+"\n      require_watchdog: false\n      max_firing: {}\n")
	r, err := runCheck(t, c, newAlertmanager)
	require.NoError(t, err)
	var total float64
	for _, s := range severities {
		total += value(t, r, "golive_alertmanager_alerts_firing", s)
	}
	total += value(t, r, "golive_alertmanager_alerts_suppressed")
	assert.Equal(t, float64(len(alerts)), total)
}
