package network

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serve starts a local HTTP server with handler h.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func fixed(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

const healthyJSON = `{"status":"healthy","checks":{"database":{"status":"ok","response_time":0.002},"redis":"up","queue":{"status":"pass"}}}`

func TestHTTPHealth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		handler    http.HandlerFunc
		settings   string
		status     collector.Status
		reason     collector.Reason
		msg        string
		components map[string]string // component -> state with value 1
	}{
		{
			name:       "healthy",
			handler:    fixed(200, "application/json", healthyJSON),
			settings:   "health: true",
			status:     collector.StatusPass,
			components: map[string]string{"database": "ok", "redis": "ok", "queue": "ok"},
		},
		{
			name:       "503 with JSON is a result with components",
			handler:    fixed(503, "application/json", `{"status":"unhealthy","checks":{"database":{"status":"down"},"redis":"ok"}}`),
			settings:   "health: true",
			status:     collector.StatusFail,
			reason:     collector.ReasonUnexpectedStatus,
			msg:        "answered 503",
			components: map[string]string{"database": "failed", "redis": "ok"},
		},
		{
			name:     "single page app fallback",
			handler:  fixed(200, "text/html; charset=utf-8", "<!doctype html><html><head><title>App</title></head><body><div id=root></div></body></html>"),
			settings: "health: true",
			status:   collector.StatusFail,
			reason:   collector.ReasonInvalidResponse,
			msg:      "answer is not JSON",
		},
		{
			name:     "malformed JSON",
			handler:  fixed(200, "application/json", `{"status":"ok","checks":{"db":"ok"`),
			settings: "json:\n  - path: status\n    equals: ok",
			status:   collector.StatusFail,
			reason:   collector.ReasonInvalidResponse,
			msg:      "answer is not JSON",
		},
		{
			name:       "degraded component warns",
			handler:    fixed(200, "application/json", `{"status":"ok","components":{"db":{"status":"UP"},"cache":{"status":"degraded"}}}`),
			settings:   "health: true",
			status:     collector.StatusWarn,
			components: map[string]string{"db": "ok", "cache": "warning"},
		},
		{
			name:       "degraded counted as failing when configured",
			handler:    fixed(200, "application/json", `{"status":"ok","components":{"db":{"status":"UP"},"cache":{"status":"degraded"}}}`),
			settings:   "health:\n  warning_values: []\n  failing_values: [degraded, down]",
			status:     collector.StatusFail,
			reason:     collector.ReasonConditionFailed,
			components: map[string]string{"db": "ok", "cache": "failed"},
		},
		{
			name:       "healthy values are configurable",
			handler:    fixed(200, "application/json", `{"status":"green","checks":{"db":"green","cache":"ok"}}`),
			settings:   "health:\n  healthy_values: [green]\n  other_values: fail",
			status:     collector.StatusFail,
			reason:     collector.ReasonConditionFailed,
			msg:        "cache=ok",
			components: map[string]string{"db": "ok", "cache": "failed"},
		},
		{
			name:     "json field equals",
			handler:  fixed(200, "application/json", `{"status":"ok","build":{"version":"1.4.2","replicas":3,"ready":true}}`),
			settings: "json:\n  - path: build.version\n    equals: 1.4.2\n  - path: build.replicas\n    equals: 3.0\n  - path: build.ready\n    equals: true\n  - path: build.debug\n    exists: false",
			status:   collector.StatusPass,
		},
		{
			name:     "json field differs",
			handler:  fixed(200, "application/json", `{"status":"ok","build":{"version":"1.4.1"}}`),
			settings: "json:\n  - path: build.version\n    equals: 1.4.2",
			status:   collector.StatusFail,
			reason:   collector.ReasonConditionFailed,
			msg:      "observed 1.4.1, expected 1.4.2",
		},
		{
			name:     "components required",
			handler:  fixed(200, "application/json", `{"status":"ok"}`),
			settings: "health:\n  require_components: true",
			status:   collector.StatusFail,
			reason:   collector.ReasonConditionFailed,
			msg:      "health components: observed none",
		},
		{
			name:     "no status and no components",
			handler:  fixed(200, "application/json", `{"detail":"fine"}`),
			settings: "health: true",
			status:   collector.StatusFail,
			reason:   collector.ReasonConditionFailed,
			msg:      "no status and no components",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := serve(t, tc.handler)
			res := runOne(t, "http", "url: "+s.URL+"/health\n"+tc.settings)
			assert.Equal(t, tc.status, res.Status, res.Message)
			if tc.reason != "" {
				assert.Equal(t, tc.reason, res.Reason, res.Message)
			}
			assert.Contains(t, res.Message, tc.msg)
			for comp, state := range tc.components {
				assert.Equal(t, 1.0, mustValue(t, res, "golive_http_health_component_state", comp, state), comp)
			}
		})
	}
}

func TestHTTPComponentsCapped(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`{"status":"ok","checks":{`)
	for i := 0; i < 60; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"c%02d":"ok"`, i)
	}
	b.WriteString("}}")
	s := serve(t, fixed(200, "application/json", b.String()))
	res := runOne(t, "http", "url: "+s.URL+"\nhealth:\n  max_components: 50")
	n := map[string]bool{}
	for _, smp := range res.Samples() {
		if metricName(smp) == "golive_http_health_component_state" {
			n[smp.Labels[0]] = true
		}
	}
	assert.Len(t, n, 50)
	assert.Equal(t, 60.0, mustValue(t, res, "golive_http_health_components", "ok"))
	assert.Equal(t, collector.StatusWarn, res.Status, res.Message)
}

// TestHTTPComponentNameCutAtCharacter: a component name longer than the
// label bound is cut between characters, never inside one (client_golang
// drops a series whose label is not valid UTF-8).
func TestHTTPComponentNameCutAtCharacter(t *testing.T) {
	t.Parallel()
	name := strings.Repeat("检", 40) // 120 bytes; the bound is 100
	s := serve(t, fixed(200, "application/json", `{"status":"ok","checks":{"`+name+`":"ok"}}`))
	res := runOne(t, "http", "url: "+s.URL+"\nhealth: {}")
	assert.Equal(t, 1.0, mustValue(t, res, "golive_http_health_component_state", strings.Repeat("检", 33), "ok"))
	for _, smp := range res.Samples() {
		for _, l := range smp.Labels {
			assert.True(t, utf8.ValidString(l), "%s: label %q", metricName(smp), l)
		}
	}
}

func TestHTTPRequestShape(t *testing.T) {
	t.Parallel()
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u, p, _ := r.BasicAuth()
		if r.Method != "POST" || r.Header.Get("X-Probe") != "golive" || string(b) != `{"ping":1}` || u != "probe" || p != "s3cret" || r.Host != "api.example.com" {
			w.WriteHeader(400)
			fmt.Fprintf(w, "bad request: %s %q %q %s %s", r.Method, r.Header.Get("X-Probe"), b, u, r.Host)
			return
		}
		io.WriteString(w, "pong")
	})
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pw, []byte("s3cret\n"), 0o600))
	res := runOne(t, "http", fmt.Sprintf(`url: %s/ping
method: post
headers: {X-Probe: golive, Host: api.example.com}
body: '{"ping":1}'
basic_auth: {username: probe, password_file: %s}
body_contains: [pong]
body_not_contains: [error]
body_matches: ['^p.ng$']
body_not_matches: ['(?i)exception']`, s.URL, pw))
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)
	assert.Equal(t, 200.0, mustValue(t, res, "golive_http_status_code"))
	assert.Equal(t, 4.0, mustValue(t, res, "golive_http_response_body_bytes"))
	// Latency is recorded (its value is the clock's, not asserted).
	_, ok := value(res, "golive_http_request_duration_seconds")
	assert.True(t, ok, "request latency recorded")
	_, ok = value(res, "golive_http_first_byte_duration_seconds")
	assert.True(t, ok, "first-byte latency recorded")
	assert.NotContains(t, res.Message+dumpSamples(res), "s3cret")
}

func TestHTTPStatusCodesAndRedirects(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/missing", fixed(404, "", "nope"))
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusFound) })
	mux.HandleFunc("/new", fixed(200, "", "here"))
	s := serve(t, mux.ServeHTTP)
	cases := []struct {
		settings string
		status   collector.Status
		code     float64
		redirect float64
	}{
		{"url: " + s.URL + "/missing", collector.StatusFail, 404, 0},
		{"url: " + s.URL + "/missing\nvalid_status_codes: [404]", collector.StatusPass, 404, 0},
		{"url: " + s.URL + "/old", collector.StatusPass, 200, 1},
		{"url: " + s.URL + "/old\nfollow_redirects: false", collector.StatusFail, 302, 0},
		{"url: " + s.URL + "/old\nfollow_redirects: false\nvalid_status_codes: [302]", collector.StatusPass, 302, 0},
	}
	for _, tc := range cases {
		res := runOne(t, "http", tc.settings)
		assert.Equal(t, tc.status, res.Status, "%s: %s", tc.settings, res.Message)
		// The board shows what was seen beside what was wanted.
		c, ok := condition(res, "status code")
		require.True(t, ok)
		assert.Equal(t, fmt.Sprint(tc.code), c.Observed)
		assert.Equal(t, tc.status == collector.StatusPass, c.OK)
		if tc.status == collector.StatusFail {
			assert.Equal(t, collector.ReasonUnexpectedStatus, res.Reason)
		}
		assert.Equal(t, tc.code, mustValue(t, res, "golive_http_status_code"), tc.settings)
		assert.Equal(t, tc.redirect, mustValue(t, res, "golive_http_redirects"), tc.settings)
	}
}

// TestHTTPHangingServers: a slow answer and a body that never ends are cut
// by the check's timeout and reported as timeouts.
func TestHTTPHangingServers(t *testing.T) {
	t.Parallel()
	slow := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	})
	endless := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		io.WriteString(w, `{"status":`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	for _, u := range []string{slow.URL, endless.URL} {
		res := runOne(t, "http", "url: "+u+"\nhealth: true", "    timeout: 300ms\n")
		assert.Equal(t, collector.StatusFail, res.Status)
		assert.Equal(t, collector.ReasonTimeout, res.Reason, res.Message)
	}
}

// A slow answer within the timeout is waited for and judged like any
// other: slowness alone fails nothing.
func TestHTTPSlowAnswerWithinTimeout(t *testing.T) {
	t.Parallel()
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(200 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		io.WriteString(w, `{"status":`)
		w.(http.Flusher).Flush()
		select {
		case <-time.After(200 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, `"ok"}`)
	})
	res := runOne(t, "http", "url: "+s.URL+"\nhealth: true", "    timeout: 10s\n")
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)
	assert.Equal(t, 1.0, mustValue(t, res, "golive_http_health_status_state", "ok"))
}

// TestHTTPHugeBody: an endless body is read only up to max_body_bytes.
func TestHTTPHugeBody(t *testing.T) {
	t.Parallel()
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		chunk := []byte(strings.Repeat("x", 32<<10))
		io.WriteString(w, "MARKER")
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	res := runOne(t, "http", "url: "+s.URL+"\nmax_body_bytes: 4096\nbody_contains: [MARKER]", "    timeout: 5s\n")
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)
	assert.Equal(t, 4096.0, mustValue(t, res, "golive_http_response_body_bytes"))
	assert.Equal(t, 1.0, mustValue(t, res, "golive_http_response_body_truncated"))

	res = runOne(t, "http", "url: "+s.URL+"\nmax_body_bytes: 4096\nhealth: true", "    timeout: 5s\n")
	assert.Equal(t, collector.ReasonInvalidResponse, res.Reason, res.Message)
	assert.Contains(t, res.Message, "max_body_bytes")
}

func TestHTTPTLSClientConfig(t *testing.T) {
	t.Parallel()
	s := httptest.NewTLSServer(fixed(200, "application/json", healthyJSON))
	t.Cleanup(s.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, pemCert(s.Certificate()), 0o600))

	res := runOne(t, "http", "url: "+s.URL+"\nhealth: true")
	assert.Equal(t, collector.ReasonTLS, res.Reason, res.Message)

	res = runOne(t, "http", "url: "+s.URL+"\nhealth: true\ntls_config: {ca_file: "+caFile+"}")
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)
}

func TestHTTPConnectionRefused(t *testing.T) {
	t.Parallel()
	s := httptest.NewServer(http.NotFoundHandler())
	u := s.URL
	s.Close()
	res := runOne(t, "http", "url: "+u+"/health?token=abc")
	assert.Equal(t, collector.ReasonConnRefused, res.Reason, res.Message)
	assert.NotContains(t, res.Message, "token=abc")
}

func secureHeaders() http.Header {
	return http.Header{
		"Strict-Transport-Security": {"max-age=31536000; includeSubDomains"},
		"X-Frame-Options":           {"DENY"},
		"X-Content-Type-Options":    {"nosniff"},
		"Content-Security-Policy":   {"default-src 'self'"},
		"Referrer-Policy":           {"strict-origin-when-cross-origin"},
	}
}

func headerServer(t *testing.T, h http.Header) *httptest.Server {
	return serve(t, func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range h {
			w.Header()[k] = v
		}
		io.WriteString(w, "ok")
	})
}

func TestHTTPSecurityHeaders(t *testing.T) {
	t.Parallel()
	all := []string{"strict-transport-security", "x-frame-options", "x-content-type-options", "content-security-policy", "referrer-policy"}
	res := runOne(t, "http", "url: "+headerServer(t, secureHeaders()).URL+"\nsecurity_headers: true")
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)
	for _, h := range all {
		assert.Equal(t, 1.0, mustValue(t, res, "golive_http_security_header_ok", h), h)
	}
	assert.Equal(t, 31536000.0, mustValue(t, res, "golive_http_hsts_max_age_seconds"))

	// Each header missing in turn fails exactly that header.
	for _, missing := range []string{"Strict-Transport-Security", "X-Frame-Options", "X-Content-Type-Options", "Content-Security-Policy", "Referrer-Policy"} {
		h := secureHeaders()
		h.Del(missing)
		res := runOne(t, "http", "url: "+headerServer(t, h).URL+"\nsecurity_headers: true")
		assert.Equal(t, collector.ReasonConditionFailed, res.Reason, missing)
		for _, name := range all {
			want := 1.0
			if name == strings.ToLower(missing) {
				want = 0
			}
			assert.Equal(t, want, mustValue(t, res, "golive_http_security_header_ok", name), "%s missing: %s", missing, name)
		}
	}
}

func TestSecurityHeaderValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		header, value string
		extra         http.Header
		check         string
		ok            bool
	}{
		{"Strict-Transport-Security", "max-age=15552000", nil, "strict-transport-security", true},
		{"Strict-Transport-Security", "max-age=15551999", nil, "strict-transport-security", false},
		{"Strict-Transport-Security", `max-age="63072000"; preload`, nil, "strict-transport-security", true},
		{"Strict-Transport-Security", "includeSubDomains", nil, "strict-transport-security", false},
		{"X-Frame-Options", "sameorigin", nil, "x-frame-options", true},
		{"X-Frame-Options", "ALLOW-FROM https://x.example", nil, "x-frame-options", false},
		{"X-Frame-Options", "", http.Header{"Content-Security-Policy": {"default-src 'self'; frame-ancestors 'none'"}}, "x-frame-options", true},
		{"X-Frame-Options", "DENY", http.Header{"Content-Security-Policy": {"frame-ancestors *"}}, "x-frame-options", false},
		{"X-Content-Type-Options", "NoSniff", nil, "x-content-type-options", true},
		{"X-Content-Type-Options", "sniff", nil, "x-content-type-options", false},
		{"Referrer-Policy", "unsafe-url", nil, "referrer-policy", false},
		{"Referrer-Policy", "no-referrer-when-downgrade", nil, "referrer-policy", false},
		{"Referrer-Policy", "no-referrer, strict-origin-when-cross-origin", nil, "referrer-policy", true},
		{"Referrer-Policy", "same-origin, bogus", nil, "referrer-policy", true},
	}
	for _, tc := range cases {
		h := secureHeaders()
		h.Del(tc.header)
		if tc.value != "" {
			h.Set(tc.header, tc.value)
		}
		for k, v := range tc.extra {
			h[k] = v
		}
		res := runOne(t, "http", "url: "+headerServer(t, h).URL+"\nsecurity_headers: ["+tc.check+"]")
		want := 0.0
		if tc.ok {
			want = 1
		}
		assert.Equal(t, want, mustValue(t, res, "golive_http_security_header_ok", tc.check), "%s: %q", tc.header, tc.value)
	}
	// The HSTS minimum is configurable.
	h := secureHeaders()
	h.Set("Strict-Transport-Security", "max-age=86400")
	res := runOne(t, "http", "url: "+headerServer(t, h).URL+"\nsecurity_headers:\n  headers: [strict-transport-security]\n  hsts_min_max_age: 1d")
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)
}

func TestHTTPBearerTokenFromFile(t *testing.T) {
	t.Parallel()
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t0ken" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"status":"ok"}`)
	})
	tok := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tok, []byte("t0ken\n"), 0o600))
	res := runOne(t, "http", "url: "+s.URL+"\nhealth: true\nauthorization: {credentials_file: "+tok+"}")
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)
	res = runOne(t, "http", "url: "+s.URL+"\nhealth: true")
	assert.Equal(t, collector.ReasonAuth, res.Reason, "a 401 is auth, as in every kind: %s", res.Message)
	assert.Equal(t, 401.0, mustValue(t, res, "golive_http_status_code"))
}

// Secrets of the HTTP client settings can come from the environment:
// *_ref names the variable. An unset variable is a configuration problem
// that says what to set.
func TestHTTPSecretFromEnvironment(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if u, p, _ := r.BasicAuth(); u != "probe" || p != "env-s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "ok")
	})
	t.Setenv("GOLIVE_TEST_HTTP_PASSWORD", "env-s3cret")
	res := runOne(t, "http", "url: "+s.URL+"\nbasic_auth: {username: probe, password_ref: GOLIVE_TEST_HTTP_PASSWORD}")
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)

	res = runOne(t, "http", "url: "+s.URL+"\nbasic_auth: {username: probe, password_ref: GOLIVE_TEST_UNSET_VARIABLE}")
	assert.Equal(t, collector.ReasonConfig, res.Reason, res.Message)
	assert.Contains(t, res.Message, "environment variable GOLIVE_TEST_UNSET_VARIABLE (named by a *_ref setting) is not set")

	// Bearer credentials the same way.
	tok := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer env-t0ken" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	t.Setenv("GOLIVE_TEST_HTTP_TOKEN", "env-t0ken")
	res = runOne(t, "http", "url: "+tok.URL+"\nauthorization: {credentials_ref: GOLIVE_TEST_HTTP_TOKEN}")
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://api.example.com/health?token=abc":      "https://api.example.com/health",
		"https://user:s3cret@api.example.com/health":    "https://api.example.com/health",
		"https://user:p@ss@api.example.com/x#frag":      "https://api.example.com/x",
		"https://api.example.com/users/@me":             "https://api.example.com/users/@me",
		"https://user:s3cret@api.example.com/users/@me": "https://api.example.com/users/@me",
		"http://127.0.0.1:8080/health":                  "http://127.0.0.1:8080/health",
	} {
		assert.Equal(t, want, redactURL(in), in)
	}
}
