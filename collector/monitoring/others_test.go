package monitoring

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGrafanaCheck(t *testing.T) {
	health := answer{200, string(corpus(t, "grafana-api-health-docs-example.json"))}
	// The field set Grafana 10-12 answers with (the corpus has no recorded
	// search answer): a folder and two dashboards, the third one missing.
	search := answer{200, `[{"id":7,"uid":"golive-readiness","orgId":1,"title":"Go-Live Readiness","uri":"db/go-live-readiness","url":"/d/golive-readiness/go-live-readiness","slug":"","type":"dash-db","tags":["golive"],"isStarred":false,"folderId":3,"folderUid":"f","folderTitle":"Go-Live","folderUrl":"/dashboards/f/f/go-live","sortMeta":0,"isDeleted":false},` +
		`{"id":8,"uid":"golive-day","orgId":1,"title":"Go-Live Day","uri":"db/go-live-day","url":"/d/golive-day/go-live-day","slug":"","type":"dash-db","tags":["golive"],"isStarred":false,"folderId":3,"folderUid":"f","folderTitle":"Go-Live","folderUrl":"/dashboards/f/f/go-live","sortMeta":0,"isDeleted":false},` +
		`{"id":3,"uid":"f","orgId":1,"title":"Go-Live","uri":"db/go-live","url":"/dashboards/f/f/go-live","slug":"","type":"dash-folder","tags":[],"isStarred":false,"sortMeta":0,"isDeleted":false}]`}
	cases := []struct {
		name    string
		extra   string
		answers map[string]answer
		failed  []string
		reason  collector.Reason
		missing float64 // golive_grafana_dashboards_missing; -1: not reported
	}{
		{name: "default dashboards, one missing", answers: map[string]answer{"/api/health": health, "/api/search": search},
			failed: []string{"dashboards present"}, missing: 1},
		{name: "a folder's uid is not a dashboard", extra: "\n      dashboard_uids: [golive-day, f]",
			answers: map[string]answer{"/api/health": health, "/api/search": search}, failed: []string{"dashboards present"}, missing: 1},
		{name: "named dashboards present", extra: "\n      dashboard_uids: [golive-day]",
			answers: map[string]answer{"/api/health": health, "/api/search": search}},
		{name: "health only", extra: "\n      dashboard_uids: []", answers: map[string]answer{"/api/health": health}, missing: -1},
		{name: "database failing", answers: map[string]answer{"/api/health": {503, `{"database":"failing"}`}},
			failed: []string{"Grafana healthy"}, missing: -1},
		{name: "token refused", answers: map[string]answer{"/api/health": health, "/api/search": {401, `{"message":"Unauthorized"}`}},
			reason: collector.ReasonAuth},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, seen := fakeServer(t, tc.answers)
			tok := t.TempDir() + "/token"
			require.NoError(t, writeFile(tok, "glsa_secret\n"))
			c := loadCheck(t, fmt.Sprintf("checks:\n  - name: g\n    grafana:\n      url: %s\n      authorization:\n        credentials_file: %s%s\n", srv.URL, tok, tc.extra))
			r, err := runCheck(t, c, newGrafana)
			if tc.reason != "" {
				require.Error(t, err)
				assert.Equal(t, tc.reason, collector.ReasonOf(err))
				assert.NotContains(t, err.Error(), "glsa_secret")
				return
			}
			require.NoError(t, err)
			assert.ElementsMatch(t, tc.failed, failed(r))
			if tc.missing >= 0 {
				assert.Equal(t, tc.missing, value(t, r, "golive_grafana_dashboards_missing"))
			}
			for _, s := range *seen {
				if strings.HasPrefix(s, "/api/search") {
					assert.Contains(t, s, "auth=Bearer glsa_secret")
					assert.Contains(t, s, "dashboardUIDs=")
				}
			}
		})
	}
}

func TestLokiCheck(t *testing.T) {
	vec := func(v string) string {
		return `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1800000000,"` + v + `"]}],"stats":{}}}`
	}
	empty := `{"status":"success","data":{"resultType":"vector","result":[]}}`
	cases := []struct {
		name         string
		extra        string
		readyCode    int
		readyBody    string
		lines, errs  string // answers to the ingestion and the error query
		failed       []string
		errors, seen float64 // golive_loki_error_lines, golive_loki_lines; -1: not reported
	}{
		{name: "lines, no errors", readyCode: 200, readyBody: string(corpus(t, "loki-ready-200.txt")), lines: vec("1234"), errs: empty, seen: 1234},
		{name: "errors over limit", readyCode: 200, readyBody: "ready\n", lines: vec("50"), errs: vec("7"),
			failed: []string{"no error lines in logs"}, errors: 7, seen: 50},
		{name: "errors within limit", extra: "\n      max_errors: 10", readyCode: 200, readyBody: "ready\n", lines: vec("50"), errs: vec("7"), errors: 7, seen: 50},
		{name: "nothing ingested", readyCode: 200, readyBody: "ready\n", lines: empty, errs: empty, failed: []string{"log lines ingested"}},
		{name: "ingestion not required", extra: "\n      min_lines: 0", readyCode: 200, readyBody: "ready\n", errs: empty, seen: -1},
		{name: "ingester not ready", readyCode: 503, readyBody: string(corpus(t, "loki-ready-503-ingester.txt")),
			failed: []string{"Loki ready"}, errors: -1, seen: -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var queries []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/ready":
					w.WriteHeader(tc.readyCode)
					fmt.Fprint(w, tc.readyBody)
				case "/loki/api/v1/query":
					q := r.URL.Query().Get("query")
					queries = append(queries, q)
					if strings.Contains(q, "|~") {
						fmt.Fprint(w, tc.errs)
					} else {
						fmt.Fprint(w, tc.lines)
					}
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			c := loadCheck(t, fmt.Sprintf("checks:\n  - name: l\n    loki:\n      url: %s\n      window: 30m%s\n", srv.URL, tc.extra))
			r, err := runCheck(t, c, newLoki)
			require.NoError(t, err)
			assert.ElementsMatch(t, tc.failed, failed(r))
			if tc.errors >= 0 {
				assert.Equal(t, tc.errors, value(t, r, "golive_loki_error_lines"))
				assert.Equal(t, 1800.0, value(t, r, "golive_loki_error_window_seconds"))
			}
			if tc.seen >= 0 {
				assert.Equal(t, tc.seen, value(t, r, "golive_loki_lines"))
				assert.Contains(t, queries, `sum(count_over_time({job=~".+"} [30m]))`)
			}
		})
	}
	c := &LokiCheck{}
	c.SetDefaults()
	assert.Equal(t, "sum(count_over_time({job=~\".+\"} |~ `"+DefaultLokiLineFilter+"` [1h]))", c.LogQL())
}

func TestPromQLCheck(t *testing.T) {
	vec := `{"status":"success","data":{"resultType":"vector","result":[
	 {"metric":{"instance":"a"},"value":[1,"0.42"]},{"metric":{"instance":"b"},"value":[1,"0.91"]}]}}`
	cases := []struct {
		name   string
		bounds string
		body   string
		failed []string
		value  float64
	}{
		{name: "all below max", bounds: "max: 0.95", body: vec, value: 0.91},
		{name: "one above max", bounds: "max: 0.8\n      unit: percent", body: vec, failed: []string{"query result within bounds"}, value: 0.91},
		{name: "min bound", bounds: "min: 0.5", body: vec, failed: []string{"query result within bounds"}, value: 0.42},
		{name: "scalar", bounds: "max: 1", body: `{"status":"success","data":{"resultType":"scalar","result":[1,"0.5"]}}`, value: 0.5},
		{name: "NaN fails", bounds: "max: 1", body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}}`,
			failed: []string{"query result within bounds"}, value: -1},
		{name: "empty fails", bounds: "max: 1", body: `{"status":"success","data":{"resultType":"vector","result":[]}}`,
			failed: []string{"query result within bounds"}, value: -1},
		{name: "empty passes", bounds: "max: 1\n      on_empty: pass", body: `{"status":"success","data":{"resultType":"vector","result":[]}}`, value: -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, seen := fakeServer(t, map[string]answer{"/api/v1/query": {200, tc.body}})
			c := loadCheck(t, fmt.Sprintf("checks:\n  - name: q\n    promql:\n      url: %s\n      query: up\n      %s\n", srv.URL, tc.bounds))
			r, err := runCheck(t, c, newPromQL)
			require.NoError(t, err)
			assert.ElementsMatch(t, tc.failed, failed(r))
			if tc.value >= 0 {
				assert.Equal(t, tc.value, value(t, r, "golive_promql_value"))
			}
			assert.Contains(t, (*seen)[0], "query=up")
		})
	}
	t.Run("matrix refused", func(t *testing.T) {
		srv, _ := fakeServer(t, map[string]answer{"/api/v1/query": {200, `{"status":"success","data":{"resultType":"matrix","result":[]}}`}})
		c := loadCheck(t, "checks:\n  - name: q\n    promql:\n      url: "+srv.URL+"\n      query: up[5m]\n      max: 1\n")
		_, err := runCheck(t, c, newPromQL)
		require.Error(t, err)
		assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err))
	})
}

func TestServiceReadyCheck(t *testing.T) {
	cases := []struct {
		preset string
		path   string
		code   int
		body   string
		ready  bool
	}{
		{"prometheus", "/-/ready", 200, "Prometheus Server is Ready.\n", true},
		{"prometheus", "/-/ready", 503, "Service Unavailable", false},
		{"loki", "/ready", 200, "ready\n", true},
		{"promtail", "/ready", 200, "Ready", true},
		{"node_exporter", "/metrics", 200, "# HELP node_exporter_build_info x\nnode_exporter_build_info 1\n", true},
		{"node_exporter", "/metrics", 200, "something else\n", false},
		{"cadvisor", "/healthz", 200, "ok", true},
		{"grafana", "/api/health", 200, `{"database":"ok"}`, true},
		{"alertmanager", "/-/ready", 200, "OK", true},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s %d", tc.preset, tc.code), func(t *testing.T) {
			srv, _ := fakeServer(t, map[string]answer{tc.path: {tc.code, tc.body}})
			c := loadCheck(t, fmt.Sprintf("checks:\n  - name: s\n    service_ready:\n      url: %s\n      preset: %s\n", srv.URL, tc.preset))
			r, err := runCheck(t, c, newServiceReady)
			require.NoError(t, err)
			want := 0.0
			if tc.ready {
				want = 1
			}
			assert.Equal(t, want, value(t, r, "golive_service_ready", tc.preset))
			assert.Equal(t, !tc.ready, len(failed(r)) == 1)
		})
	}
}

func TestConfigRefusesBadSettings(t *testing.T) {
	cases := map[string]string{
		"promql without bound":   "promql:\n      url: http://p:9090\n      query: up",
		"promql bad on_empty":    "promql:\n      url: http://p:9090\n      query: up\n      max: 1\n      on_empty: maybe",
		"unknown preset":         "service_ready:\n      url: http://x:1\n      preset: tempo",
		"loki bad selector":      "loki:\n      url: http://l:3100\n      selector: job=app",
		"prometheus missing url": "prometheus:\n      max_down_targets: 1",
		"alertmanager typo":      "alertmanager:\n      url: http://a:9093\n      recievers: [x]",
		"grafana token and basic": "grafana:\n      url: http://g:3000\n      basic_auth: {username: a, password: b}\n" +
			"      authorization: {credentials: c}",
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := config.Load([]byte("checks:\n  - name: x\n    "+body+"\n"), "bad.yml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "bad.yml:")
		})
	}
}

// TestSecretRefs: the *_ref forms that name an environment variable work on
// every monitoring kind as they do on http (issue 13: a grafana check with
// password_ref loaded and then failed every run with "cannot use secret ref
// without manager").
func TestSecretRefs(t *testing.T) {
	t.Setenv("GOLIVE_TEST_GRAFANA_PASSWORD", "s3cret-ref")
	t.Setenv("GOLIVE_TEST_PROM_TOKEN", "tok-ref")
	health := answer{200, string(corpus(t, "grafana-api-health-docs-example.json"))}
	cases := []struct {
		name  string
		auth  string
		build collector.Factory
		kind  string
		want  string
	}{
		{name: "grafana basic_auth password_ref", kind: "grafana", build: newGrafana,
			auth: "basic_auth: {username: viewer, password_ref: GOLIVE_TEST_GRAFANA_PASSWORD}",
			want: "auth=Basic " + base64.StdEncoding.EncodeToString([]byte("viewer:s3cret-ref"))},
		{name: "service_ready authorization credentials_ref", kind: "service_ready", build: newServiceReady,
			auth: "preset: prometheus\n      authorization: {credentials_ref: GOLIVE_TEST_PROM_TOKEN}", want: "auth=Bearer tok-ref"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, seen := fakeServer(t, map[string]answer{"/api/health": health, "/-/ready": {200, "ready"}, "/ready": {200, "ready"}})
			extra := ""
			if tc.kind == "grafana" {
				extra = "\n      dashboard_uids: []"
			}
			c := loadCheck(t, fmt.Sprintf("checks:\n  - name: m\n    %s:\n      url: %s\n      %s%s\n", tc.kind, srv.URL, tc.auth, extra))
			_, err := runCheck(t, c, tc.build)
			require.NoError(t, err)
			require.NotEmpty(t, *seen)
			for _, s := range *seen {
				assert.Contains(t, s, tc.want)
			}
		})
	}
}
