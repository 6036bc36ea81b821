package network

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sisAPI answers like the student information system's API: a health
// endpoint, endpoints that need the bearer token, a broken one and a
// degraded health answer.
func sisAPI(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(r.URL.Path, "/api/") && r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"success":false,"error":{"code":"UNAUTHORIZED"}}`)
			return
		}
		switch r.URL.Path {
		case "/health":
			fmt.Fprint(w, `{"status":"healthy","checks":{"database":{"status":"ok"},"redis":{"status":"ok"}}}`)
		case "/health/degraded":
			fmt.Fprint(w, `{"status":"healthy","checks":{"database":{"status":"ok"},"frontend":{"status":"degraded"}}}`)
		case "/api/v1/students":
			fmt.Fprint(w, `{"success":true,"data":[{"id":1,"student_number":"S0001"}]}`)
		case "/api/v1/courses":
			fmt.Fprint(w, `{"success":true,"data":[]}`)
		case "/api/v1/grades":
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"success":false}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTPEndpointsCheck(t *testing.T) {
	srv := sisAPI(t)
	down := "http://" + testutil.FreeAddr(t)
	cases := []struct {
		name      string
		settings  string
		status    collector.Status
		reason    collector.Reason
		up        map[string]float64
		codes     map[string]float64
		failed    map[string]string // condition -> part of what was observed
		msgPrefix string
	}{
		{
			name: "every endpoint answers",
			settings: "base_url: " + srv.URL + "\nauthorization: {credentials: tok}\nendpoints:\n" +
				"  - {name: health, url: /health, health: true}\n" +
				"  - {name: students, url: /api/v1/students, json: [{path: success, equals: 'true'}]}\n" +
				"  - {name: courses, url: api/v1/courses}\n",
			status: collector.StatusPass, reason: collector.ReasonNone,
			up:    map[string]float64{"health": 1, "students": 1, "courses": 1},
			codes: map[string]float64{"health": 200, "students": 200, "courses": 200},
		},
		{
			name: "a broken endpoint, a wrong body and a service that is down",
			settings: "base_url: " + srv.URL + "\nauthorization: {credentials: tok}\nendpoints:\n" +
				"  - {name: health, url: /health}\n" +
				"  - {name: grades, url: /api/v1/grades}\n" +
				"  - {name: courses, url: /api/v1/courses, body_contains: ['\"id\"']}\n" +
				"  - {name: reports, url: " + down + "/api/v1/reports}\n",
			status: collector.StatusFail, reason: collector.ReasonConditionFailed,
			up:    map[string]float64{"health": 1, "grades": 0, "courses": 0, "reports": 0},
			codes: map[string]float64{"health": 200, "grades": 500, "courses": 200},
			failed: map[string]string{
				"endpoint grades: status code":             "500",
				`endpoint courses: body contains "\"id\""`: "not found",
				"endpoint reports answers":                 "connection refused",
			},
		},
		{
			name:     "without the token the API answers 401",
			settings: "base_url: " + srv.URL + "\nendpoints:\n  - {name: students, url: /api/v1/students}\n  - {name: health, url: /health}\n",
			status:   collector.StatusFail, reason: collector.ReasonAuth, // a 401 is auth in every kind
			up:     map[string]float64{"students": 0, "health": 1},
			codes:  map[string]float64{"students": 401, "health": 200},
			failed: map[string]string{"endpoint students: status code": "401"},
		},
		{
			name:     "every endpoint refused",
			settings: "base_url: " + down + "\nendpoints:\n  - {name: health, url: /health}\n  - {name: students, url: /api/v1/students}\n",
			status:   collector.StatusFail, reason: collector.ReasonConnRefused,
			up:    map[string]float64{"health": 0, "students": 0},
			codes: map[string]float64{},
			failed: map[string]string{
				"endpoint health answers":   "connection refused",
				"endpoint students answers": "connection refused",
			},
			msgPrefix: "every endpoint failed: health: GET " + down + "/health: ",
		},
		{
			name:     "a degraded component only warns",
			settings: "endpoints:\n  - {name: health, url: " + srv.URL + "/health/degraded, health: true}\n",
			status:   collector.StatusWarn, reason: collector.ReasonNone,
			up:    map[string]float64{"health": 1},
			codes: map[string]float64{"health": 200},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runOne(t, "http_endpoints", c.settings)
			assert.Equal(t, c.status, res.Status, res.Message)
			assert.Equal(t, c.reason, res.Reason, res.Message)
			up, codes := map[string]float64{}, map[string]float64{}
			durations := 0
			for _, s := range res.Samples() {
				switch metricName(s) {
				case "golive_http_endpoint_up":
					up[s.Labels[0]] = s.Value
				case "golive_http_endpoint_status_code":
					codes[s.Labels[0]] = s.Value
				case "golive_http_endpoint_duration_seconds":
					durations++
				}
			}
			assert.Equal(t, c.up, up)
			assert.Equal(t, c.codes, codes)
			assert.Equal(t, len(c.codes), durations, "a duration for every endpoint that answered")
			failing := 0.0
			for _, v := range c.up {
				failing += 1 - v
			}
			assert.Equal(t, failing, mustValue(t, res, "golive_http_endpoints_failing"))
			got := map[string]string{}
			for _, cond := range res.Conditions {
				if !cond.OK && !cond.Warning {
					got[cond.Name] = cond.Observed
				}
			}
			require.Len(t, got, len(c.failed), "failed conditions: %v", got)
			for name, want := range c.failed {
				assert.Contains(t, got[name], want, name)
			}
			if c.msgPrefix != "" {
				assert.True(t, strings.HasPrefix(res.Message, c.msgPrefix), res.Message)
			}
		})
	}
}

// The endpoint label is the configured name: no URL, path or query string
// reaches /metrics.
func TestHTTPEndpointsLabelIsTheName(t *testing.T) {
	srv := sisAPI(t)
	run := collectortest.RunConfig(t, "checks:\n  - name: api\n    http_endpoints:\n      base_url: "+srv.URL+
		"\n      endpoints:\n        - {name: health, url: '/health?token=s3cret'}\n", 10*time.Second)
	assert.Equal(t, 1.0, run.Value(t, `golive_http_endpoint_up{check="api",endpoint="health"}`))
	assert.NotContains(t, run.Metrics, "s3cret")
	assert.NotContains(t, run.Metrics, srv.URL)
}

// No more than concurrency endpoints are requested at once.
func TestHTTPEndpointsConcurrency(t *testing.T) {
	var inFlight, most atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
	}))
	defer srv.Close()
	var eps strings.Builder
	for i := range 8 {
		fmt.Fprintf(&eps, "  - {name: e%d, url: /e%d}\n", i, i)
	}
	res := runOne(t, "http_endpoints", "base_url: "+srv.URL+"\nconcurrency: 2\nendpoints:\n"+eps.String())
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)
	assert.LessOrEqual(t, most.Load(), int32(2))
	assert.Positive(t, most.Load())
}
