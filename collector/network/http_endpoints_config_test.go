package network

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/config"
)

func TestHTTPEndpointsConfig(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load([]byte(`checks:
  - name: api
    http_endpoints:
      base_url: https://sms.example.edu/
      headers: {Accept: application/json}
      authorization: {credentials: tok}
      endpoints:
        - {name: health, url: /health, health: true}
        - {name: students, url: api/v1/students, valid_status_codes: [200, 401]}
        - name: login
          url: https://auth.example.edu/login
          method: post
          headers: {Accept: text/html}
`), "t.yml")
	require.NoError(t, err)
	c := cfg.Checks[0].Spec().(*HTTPEndpointsCheck)
	require.Len(t, c.Endpoints, 3)
	assert.Equal(t, DefaultHTTPEndpointsConcurrency, c.Concurrency)
	assert.True(t, c.Client.FollowRedirects, "prometheus/common's client defaults apply")
	assert.Equal(t, "Bearer", c.Client.Authorization.Type)

	h := c.Endpoints[0].Request()
	assert.Equal(t, "https://sms.example.edu/health", h.URL)
	assert.Equal(t, "GET", h.Method)
	assert.True(t, h.Health.Enabled())
	assert.Equal(t, map[string]string{"Accept": "application/json"}, h.Headers)
	assert.Equal(t, "Bearer", h.Client.Authorization.Type, "the check's client settings")
	assert.Equal(t, int64(DefaultMaxBodyBytes), h.MaxBodyBytes)

	h = c.Endpoints[1].Request()
	assert.Equal(t, "https://sms.example.edu/api/v1/students", h.URL)
	assert.True(t, h.StatusOK(401))

	h = c.Endpoints[2].Request()
	assert.Equal(t, "https://auth.example.edu/login", h.URL)
	assert.Equal(t, "POST", h.Method)
	assert.Equal(t, map[string]string{"Accept": "text/html"}, h.Headers, "the endpoint's header wins")
}

func TestHTTPEndpointsConfigRefused(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, yaml, want string }{
		{"no endpoints", "http_endpoints: {base_url: \"http://x\"}", "t.yml:3: checks[0].http_endpoints.endpoints: no endpoints; list them with a name and a url each"},
		{"no name", "http_endpoints:\n      endpoints: [{url: \"http://x/a\"}]", "t.yml:4: checks[0].http_endpoints.endpoints[0].name: endpoint has no name; add name: (letters, digits, _ . -), it becomes the endpoint label"},
		{"bad name", "http_endpoints:\n      endpoints: [{name: \"a b\", url: \"http://x/a\"}]", `checks[0].http_endpoints.endpoints[0].name: endpoint name "a b" is not a short label`},
		{"name twice", "http_endpoints:\n      endpoints: [{name: a, url: \"http://x/a\"}, {name: a, url: \"http://x/b\"}]", `checks[0].http_endpoints.endpoints[1].name: endpoint name "a" is used twice`},
		{"relative without base", "http_endpoints:\n      endpoints: [{name: a, url: /a}]", `checks[0].http_endpoints.endpoints[0].url: "/a" is relative and no base_url is set; write an absolute URL or set base_url`},
		{"bad base", "http_endpoints:\n      base_url: x\n      endpoints: [{name: a, url: /a}]", `t.yml:4: checks[0].http_endpoints.base_url: "x" is not an absolute http:// or https:// URL`},
		{"http settings checked", "http_endpoints:\n      endpoints: [{name: a, url: \"http://x/a\", valid_status_codes: [999]}]", "checks[0].http_endpoints.endpoints[0].valid_status_codes[0]: 999 is not an HTTP status code"},
		{"client on an endpoint", "http_endpoints:\n      endpoints: [{name: a, url: \"http://x/a\", basic_auth: {username: u}}]", "checks[0].http_endpoints.endpoints[0]: basic_auth: client settings (tls_config, basic_auth, authorization, follow_redirects, proxy_url ...) go on the check, beside endpoints:, not on one endpoint"},
		{"a client default on an endpoint", "http_endpoints:\n      endpoints: [{name: a, url: \"http://x/a\", follow_redirects: false}]", "checks[0].http_endpoints.endpoints[0]: follow_redirects: client settings"},
		{"unknown key", "http_endpoints:\n      endpoints: [{name: a, url: \"http://x/a\", status: 200}]", `checks[0].http_endpoints.endpoints[0].status: unknown key "status"`},
		{"concurrency", "http_endpoints:\n      concurrency: 100\n      endpoints: [{name: a, url: \"http://x/a\"}]", "checks[0].http_endpoints.concurrency: concurrency 100 is out of range; write 1 to 16"},
		{"bad shared header", "http_endpoints:\n      headers: {\"a b\": c}\n      endpoints: [{name: a, url: \"http://x/a\"}]", `checks[0].http_endpoints.headers.a b: "a b" is not a valid header name`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Load([]byte("checks:\n  - name: api\n    "+c.yaml+"\n"), "t.yml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}
