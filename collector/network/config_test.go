package network

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/config"
)

func TestNetworkConfigRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, yaml, want string
	}{
		{"invalid regex", `checks:
  - name: a
    http:
      url: http://x/
      body_matches:
        - 'ok('
`, "t.yml:6: checks[0].http.body_matches[0]: invalid regular expression \"ok(\""},
		{"invalid json regex", `checks:
  - name: a
    http:
      url: http://x/
      json:
        - path: status
          matches: '[a'
`, "t.yml:7: checks[0].http.json[0].matches: invalid regular expression"},
		{"json condition saying nothing", `checks:
  - name: a
    http:
      url: http://x/
      json:
        - path: status
`, "t.yml:6: checks[0].http.json[0]: the condition says nothing"},
		{"bad json path", `checks:
  - name: a
    http:
      url: http://x/
      json:
        - path: a..b
          equals: x
`, "t.yml:6: checks[0].http.json[0].path: path \"a..b\" has an empty key"},
		{"misspelt key", `checks:
  - name: a
    http:
      url: http://x/
      valid_status_code: [200]
`, `t.yml:5: checks[0].http.valid_status_code: unknown key "valid_status_code" (did you mean "valid_status_codes"?)`},
		{"url not absolute", `checks:
  - name: a
    http:
      url: /health
`, "t.yml:4: checks[0].http.url: \"/health\" is not an absolute http:// or https:// URL"},
		{"space in url", `checks:
  - name: a
    http:
      url: "https://x/a b"
`, "t.yml:4: checks[0].http.url: \"https://x/a b\" contains white space; write it as %20 (e.g. https://x/a%20b)"},
		{"credentials in url", `checks:
  - name: a
    http:
      url: https://u:p@x/
`, "checks[0].http.url: the URL carries credentials"},
		{"bad status code", `checks:
  - name: a
    http:
      url: http://x/
      valid_status_codes: [200, 999]
`, "checks[0].http.valid_status_codes[1]: 999 is not an HTTP status code"},
		{"health not a bool", `checks:
  - name: a
    http:
      url: http://x/
      health: maybe
`, "t.yml:5: checks[0].http.health: health is \"maybe\""},
		{"too many components", `checks:
  - name: a
    http:
      url: http://x/
      health:
        max_components: 5000
`, "t.yml:6: checks[0].http.health.max_components: max_components 5000 is out of range"},
		{"empty component in the policy", `checks:
  - name: a
    http:
      url: http://x/
      health:
        ignore_components: [frontend, ""]
`, "t.yml:6: checks[0].http.health.ignore_components[1]: the component name is empty"},
		{"component name with white space around it", `checks:
  - name: a
    http:
      url: http://x/
      health:
        warn_components: [" frontend"]
`, "checks[0].http.health.warn_components[0]: \" frontend\" has white space around it"},
		{"component listed twice", `checks:
  - name: a
    http:
      url: http://x/
      health:
        ignore_components: [frontend, migrations, frontend]
`, "checks[0].http.health.ignore_components[2]: frontend is listed twice"},
		{"component both ignored and warning-only", `checks:
  - name: a
    http:
      url: http://x/
      health:
        ignore_components: [frontend]
        warn_components: [migrations, frontend]
`, "checks[0].http.health.warn_components[1]: frontend is in ignore_components too; keep it in one of the two"},
		{"misspelt policy key", `checks:
  - name: a
    http:
      url: http://x/
      health:
        ignore_component: [frontend]
`, `checks[0].http.health.ignore_component: unknown key "ignore_component" (did you mean "ignore_components"?)`},
		{"fail_on_degraded not a boolean", `checks:
  - name: a
    http:
      url: http://x/
      health:
        fail_on_degraded: sometimes
`, "checks[0].http.health.fail_on_degraded"},
		{"unknown security header", `checks:
  - name: a
    http:
      url: http://x/
      security_headers: [x-powered-by]
`, "checks[0].http.security_headers.headers[0]: unknown security header \"x-powered-by\""},
		{"basic auth twice", `checks:
  - name: a
    http:
      url: http://x/
      basic_auth: {username: u, password: p, password_file: /f}
`, "checks[0].http: at most one of basic_auth password, password_file"},
		{"body too large", `checks:
  - name: a
    http:
      url: http://x/
      max_body_bytes: 1000000000
`, "checks[0].http.max_body_bytes: max_body_bytes 1000000000 is out of range"},
		{"rate limit without interval", `checks:
  - name: a
    rate_limit:
      url: http://x/
`, "t.yml:2: checks[0].interval: a rate_limit check sends a burst of requests; give it interval: of at least 1m"},
		{"rate limit interval too short", `checks:
  - name: a
    interval: 30s
    rate_limit:
      url: http://x/
`, "t.yml:3: checks[0].interval: a rate_limit check"},
		{"rate limit too many requests", `checks:
  - name: a
    interval: 1h
    rate_limit:
      url: http://x/
      max_requests: 500
`, "t.yml:6: checks[0].rate_limit.max_requests: max_requests 500 is out of range; write 1 to 200"},
		{"tls without target", `checks:
  - name: a
    tls:
      min_remaining: 7d
`, "t.yml:3: checks[0].tls: nothing to inspect"},
		{"tls starttls unknown", `checks:
  - name: a
    tls:
      address: db:5432
      starttls: mysql
`, "t.yml:5: checks[0].tls.starttls: starttls is \"mysql\""},
		{"tls warn shorter than min", `checks:
  - name: a
    tls:
      address: db:443
      min_remaining: 30d
      warn_remaining: 7d
`, "t.yml:6: checks[0].tls.warn_remaining: warn_remaining 1w is shorter than min_remaining 30d"},
		{"tls bad version", `checks:
  - name: a
    tls:
      address: db:443
      min_version: SSL3
`, "checks[0].tls.min_version: min_version is \"SSL3\""},
		{"tls bad address", `checks:
  - name: a
    tls:
      address: db
`, "checks[0].tls.address: \"db\" is not host:port"},
		{"https redirect needs http", `checks:
  - name: a
    https_redirect:
      url: https://x/
`, "t.yml:4: checks[0].https_redirect.url: \"https://x/\" must start with http://"},
		{"cors origin with path", `checks:
  - name: a
    cors:
      url: https://api.x/
      origin: https://app.x/login
`, "t.yml:5: checks[0].cors.origin: \"https://app.x/login\" is not an origin"},
		{"bad header name in a rate_limit burst", `checks:
  - name: a
    interval: 1h
    rate_limit:
      url: https://api.x/login
      headers: {"X Bad": v}
`, `t.yml:6: checks[0].rate_limit.headers.X Bad: "X Bad" is not a valid header name`},
		{"bad header name in an http check", `checks:
  - name: a
    http:
      url: https://api.x/
      headers:
        Accept: application/json
        "X:Bad": v
`, `t.yml:7: checks[0].http.headers.X:Bad: "X:Bad" is not a valid header name`},
		{"tcp expect unknown", `checks:
  - name: db_port
    tcp:
      address: 127.0.0.1:5432
      expect: maybe
`, `t.yml:5: checks[0].tcp.expect: expect is "maybe"; write open or closed`},
		{"tcp not host:port", `checks:
  - name: db_port
    tcp:
      address: localhost
`, `t.yml:4: checks[0].tcp.address: "localhost" is not host:port`},
		{"cors origin missing", `checks:
  - name: a
    cors:
      url: https://api.x/
`, "checks[0].cors.origin: origin is missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load([]byte(tc.yaml), "t.yml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestNetworkConfigDefaults(t *testing.T) {
	t.Parallel()
	c, err := config.Load([]byte(`checks:
  - name: a
    http:
      url: https://x/health
      health: true
      security_headers: true
      basic_auth: {username: u, password: hunter2}
  - name: b
    http:
      url: https://x/
      follow_redirects: false
  - name: c
    tls:
      address: x:443
  - name: d
    interval: 1h
    background: true
    rate_limit:
      url: https://x/login
`), "t.yml")
	require.NoError(t, err)
	a := c.Checks[0].Spec().(*HTTPCheck)
	assert.Equal(t, "GET", a.Method)
	assert.True(t, a.Client.FollowRedirects)
	assert.EqualValues(t, DefaultMaxBodyBytes, a.MaxBodyBytes)
	assert.True(t, a.Health.Enabled())
	assert.Equal(t, 50, a.Health.MaxComponents)
	assert.Equal(t, AllSecurityHeaders, a.SecurityHeaders.Headers)
	assert.True(t, a.StatusOK(204))
	assert.False(t, a.StatusOK(301))
	assert.False(t, c.Checks[1].Spec().(*HTTPCheck).Client.FollowRedirects)
	tl := c.Checks[2].Spec().(*TLSCheck)
	assert.True(t, *tl.VerifyChain)
	assert.Equal(t, "TLS12", tl.MinVersion)
	rl := c.Checks[3].Spec().(*RateLimitCheck)
	assert.Equal(t, 50, rl.MaxRequests)
	assert.Equal(t, 429, rl.LimitedStatus)

	out, err := c.Marshal()
	require.NoError(t, err)
	assert.NotContains(t, string(out), "hunter2")
	assert.Contains(t, string(out), "<secret>")
	// The marshalled form loads again to the same settings.
	c2, err := config.Load(out, "t2.yml")
	require.NoError(t, err, string(out))
	assert.True(t, c2.Checks[0].Spec().(*HTTPCheck).Health.Enabled())
	assert.True(t, c2.Checks[0].Spec().(*HTTPCheck).SecurityHeaders.Enabled())
	assert.False(t, c2.Checks[1].Spec().(*HTTPCheck).Client.FollowRedirects)
}

func TestParseJSONPath(t *testing.T) {
	t.Parallel()
	steps, err := ParseJSONPath(`checks.db[2]["a.b"].status`)
	require.NoError(t, err)
	var parts []string
	for _, s := range steps {
		if s.IsIdx {
			parts = append(parts, "#")
		} else {
			parts = append(parts, s.Key)
		}
	}
	assert.Equal(t, "checks db # a.b status", strings.Join(parts, " "))
	for _, bad := range []string{"a..b", "a[", "a[x]", "a[-1]", "a.", ".[0]"} {
		_, err := ParseJSONPath(bad)
		assert.Error(t, err, bad)
	}
	steps, err = ParseJSONPath("")
	require.NoError(t, err)
	assert.Empty(t, steps)
}
