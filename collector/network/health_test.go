package network

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/testutil"
)

func defaultHealth(t testing.TB, settings string) *HealthCondition {
	t.Helper()
	cfg := loadConfig(t, "  - name: h\n    http:\n      url: http://127.0.0.1:1/\n      health:\n"+indent(settings, "        "))
	return cfg.Checks[0].Spec().(*HTTPCheck).Health
}

func components(res healthResult) string {
	parts := make([]string, 0, len(res.Components))
	for _, c := range res.Components {
		parts = append(parts, c.Name+"="+c.State.String())
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func TestEvaluateHealth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		json     string
		settings string
		status   string // overall state, "" for none
		comps    string
	}{
		{"strings and objects", `{"status":"healthy","checks":{"database":{"status":"ok","response_time":0.002},"redis":"up","mail":false}}`, "", "ok", "database=ok mail=failed redis=ok"},
		{"spring boot 2 with details", `{"status":"UP","components":{"db":{"status":"UP","details":{"database":"PostgreSQL","validationQuery":"isValid()"}},"diskSpace":{"status":"UP","details":{"total":1,"free":1}},"ping":{"status":"UP"}}}`, "", "ok", "db=ok diskSpace=ok ping=ok"},
		{"spring boot nested group", `{"status":"DOWN","components":{"broker":{"status":"DOWN","components":{"us1":{"status":"UP"},"us2":{"status":"DOWN"}}}}}`, "", "failed", "broker.us1=ok broker.us2=failed broker=failed"},
		{"spring out of service", `{"status":"OUT_OF_SERVICE","components":{"db":{"status":"UNKNOWN"}}}`, "", "failed", "db=warning"},
		{"group without status", `{"status":"ok","checks":{"external_services":{"email":"ok","sms":{"status":"down"}}}}`, "", "ok", "external_services.email=ok external_services.sms=failed"},
		{"member without anything health-like", `{"checks":{"db":{"latency_ms":3}}}`, "", "", "db=warning"},
		{"IETF health+json", `{"status":"pass","checks":{"db:responseTime":[{"componentId":"a","status":"pass"},{"componentId":"b","status":"warn"}],"uptime":[{"status":"pass"}]}}`, "", "ok", "db:responseTime[0]=ok db:responseTime[1]=warning uptime=ok"},
		{"grafana root members", `{"commit":"087143285","database":"failing","version":"5.1.3"}`, "", "", "database=failed"},
		{"details container", `{"status":"ok","details":{"cache":{"status":"ok"}}}`, "", "ok", "cache=ok"},
		{"configured container", `{"status":"ok","deps":{"a":"ok","b":"bad"}}`, "components: deps\nother_values: fail", "ok", "a=ok b=failed"},
		{"status elsewhere", `{"health":{"state":"green"},"checks":{}}`, "status_path: health.state", "ok", ""},
		{"boolean status", `{"status":true,"checks":{"x":{"status":false}}}`, "", "ok", "x=failed"},
		{"case-insensitive values", `{"status":"Healthy","checks":{"a":"OK","b":"Degraded"}}`, "", "ok", "a=ok b=warning"},
		{"numbers and nulls are not components", `{"status":"ok","checks":{"a":1,"b":null,"c":[1,2]}}`, "", "ok", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := defaultHealth(t, tc.settings+"\nmax_components: 50")
			doc, err := parseJSON([]byte(tc.json), "application/json")
			require.NoError(t, err)
			res, err := evaluateHealth(doc, h)
			require.NoError(t, err)
			if tc.status == "" {
				assert.False(t, res.HasStatus)
			} else {
				assert.True(t, res.HasStatus)
				assert.Equal(t, tc.status, res.StatusState.String())
			}
			assert.Equal(t, tc.comps, components(res))
		})
	}
}

func TestParseJSON(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "  ", "<html>", "<!DOCTYPE html>", `{"a":1} {"b":2}`, `{"a":`, "ready\n", "Service Unavailable"} {
		_, err := parseJSON([]byte(bad), "")
		assert.ErrorIs(t, err, errNotJSON, "%q", bad)
	}
	v, err := parseJSON([]byte(` {"n": 12345678901234567890} `), "")
	require.NoError(t, err)
	n, ok := v.get("n")
	require.True(t, ok)
	assert.Equal(t, "12345678901234567890", jsonText(n))
}

// TestHealthCorpus serves every file of the health corpus the way
// its producer does (the status code its name says) and checks the outcome.
func TestHealthCorpus(t *testing.T) {
	t.Parallel()
	corpusHealth := testutil.Corpus(t, "health")
	type want struct {
		code     int
		ctype    string
		settings string
		status   collector.Status
		reason   collector.Reason
		comps    map[string]string
	}
	cases := map[string][]want{
		"alertmanager-0.31.0-api-v2-alerts-groups.json": {
			{200, "application/json", "health: true", collector.StatusFail, collector.ReasonConditionFailed, nil},
			{200, "application/json", "json:\n  - path: '[0].receiver.name'\n    equals: by-name\n  - path: '[0].alerts[0].status.state'\n    matches: '^(active|suppressed|unprocessed)$'", collector.StatusPass, "", nil},
		},
		"fastapi-template-health-basic.json": {
			{200, "application/json", "health: true", collector.StatusWarn, "", map[string]string{"database": "ok", "application": "ok", "external_services": "warning"}},
			{200, "application/json", "health:\n  other_values: ok", collector.StatusPass, "", map[string]string{"external_services": "ok"}},
		},
		"fastapi-template-ready-503.json": {
			{503, "application/json", "health: true", collector.StatusFail, collector.ReasonUnexpectedStatus, nil},
		},
		"grafana-api-health-docs-example.json": {
			{200, "application/json", "health: true", collector.StatusPass, "", map[string]string{"database": "ok"}},
			{200, "application/json", "json:\n  - path: database\n    equals: ok", collector.StatusPass, "", nil},
			{503, "application/json", "health: true", collector.StatusFail, collector.ReasonUnexpectedStatus, map[string]string{"database": "ok"}},
		},
		// Readiness endpoints answer text: the status code decides, the
		// body is matched loosely if at all.
		"loki-ready-200.txt": {
			{200, "text/plain", "body_matches: ['(?i)ready']", collector.StatusPass, "", nil},
			{200, "text/plain", "health: true", collector.StatusFail, collector.ReasonInvalidResponse, nil},
		},
		"loki-ready-503-ingester.txt": {
			{503, "text/plain", "", collector.StatusFail, collector.ReasonUnexpectedStatus, nil},
		},
		"prometheus-ready-200.txt": {
			{200, "text/plain", "body_matches: ['(?i)ready']", collector.StatusPass, "", nil},
		},
		"prometheus-ready-503.txt": {
			{503, "text/plain", "", collector.StatusFail, collector.ReasonUnexpectedStatus, nil},
		},
		"spring-actuator-health-legacy-1x-down.json": {
			{503, "application/json", "health: true", collector.StatusFail, collector.ReasonUnexpectedStatus,
				map[string]string{"sub-1": "failed", "sub-1.sub-1-1": "ok", "sub-1.sub-1-2": "failed", "sub-2": "ok"}},
			{503, "application/json", "valid_status_codes: [200, 503]\nhealth: true", collector.StatusFail, collector.ReasonConditionFailed,
				map[string]string{"sub-1": "failed", "sub-2": "ok"}},
		},
	}
	entries, err := os.ReadDir(corpusHealth)
	require.NoError(t, err)
	for _, e := range entries {
		name := e.Name()
		wants, ok := cases[name]
		if !assert.True(t, ok, "corpus file %s has no expected outcome here", name) {
			continue
		}
		body, err := os.ReadFile(filepath.Join(corpusHealth, name))
		require.NoError(t, err)
		for i, w := range wants {
			s := serve(t, fixed(w.code, w.ctype, string(body)))
			res := runOne(t, "http", "url: "+s.URL+"/health\n"+w.settings)
			label := fmt.Sprintf("%s #%d", name, i)
			assert.Equal(t, w.status, res.Status, "%s: %s", label, res.Message)
			if w.reason != "" {
				assert.Equal(t, w.reason, res.Reason, label)
			}
			for comp, state := range w.comps {
				v, ok := value(res, "golive_http_health_component_state", comp, state)
				assert.True(t, ok && v == 1, "%s: component %s not %s:%s", label, comp, state, dumpSamples(res))
			}
		}
	}
}
