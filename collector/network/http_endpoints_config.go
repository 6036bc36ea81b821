package network

import (
	"fmt"
	"strings"

	commoncfg "github.com/prometheus/common/config"
	"go.yaml.in/yaml/v3"

	"github.com/golive/golive_exporter/config"
)

// Defaults and limits of the http_endpoints check.
const (
	DefaultHTTPEndpointsConcurrency = 4
	MaxHTTPEndpointsConcurrency     = 16
	MaxHTTPEndpoints                = 100
)

// HTTPEndpointsCheck requests a list of API endpoints in one check, each
// judged like an http check, with a series per endpoint labelled with its
// configured name (never its URL). The client settings (TLS,
// authentication, proxy) are the check's and apply to every endpoint.
type HTTPEndpointsCheck struct {
	// BaseURL is prefixed to endpoint URLs that are not absolute.
	BaseURL string `yaml:"base_url,omitempty"`
	// Headers are sent with every request; an endpoint's own headers win.
	Headers map[string]string `yaml:"headers,omitempty"`
	// Concurrency is how many endpoints are requested at once. Default 4,
	// at most 16.
	Concurrency int `yaml:"concurrency,omitempty"`
	// Endpoints are the requests, each with a name and the settings of an
	// http check (url, method, valid_status_codes, body_contains, json,
	// health ...).
	Endpoints []*HTTPEndpoint `yaml:"endpoints"`

	// Client holds prometheus/common's HTTP client settings, written
	// inline. A named field, so that its UnmarshalYAML is not promoted.
	Client commoncfg.HTTPClientConfig `yaml:",inline"`
}

// HTTPEndpoint is one endpoint of an http_endpoints check.
type HTTPEndpoint struct {
	// Name is the endpoint's label value: from the config, never the URL.
	Name string `yaml:"name"`
	// HTTP holds the request and the conditions, as for an http check. Its
	// client settings must stay empty: they are the check's.
	HTTP HTTPCheck `yaml:",inline"`

	request    HTTPCheck
	clientKeys []string // client settings written on the endpoint (refused)
}

// UnmarshalYAML notes the client settings written on the endpoint, which
// Validate refuses: they are the check's. (Comparing the decoded settings
// with the defaults cannot see a setting written with its default value.)
func (e *HTTPEndpoint) UnmarshalYAML(n *yaml.Node) error {
	type plain HTTPEndpoint
	if err := n.Decode((*plain)(e)); err != nil {
		return err
	}
	e.clientKeys = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		if config.IsClientKey(n.Content[i].Value) {
			e.clientKeys = append(e.clientKeys, n.Content[i].Value)
		}
	}
	return nil
}

// Request returns the endpoint as a complete http check: its URL resolved
// against base_url, the check's headers under its own, and the check's
// client settings.
func (e *HTTPEndpoint) Request() *HTTPCheck {
	r := e.request
	return &r
}

// UnmarshalYAML fills in prometheus/common's client defaults
// (follow_redirects and enable_http2 true) before the settings are read.
func (c *HTTPEndpointsCheck) UnmarshalYAML(n *yaml.Node) error {
	type plain HTTPEndpointsCheck
	return config.DecodeWithClientDefaults(n, &c.Client, (*plain)(c))
}

// SetDefaults implements config.Defaulter.
func (c *HTTPEndpointsCheck) SetDefaults() {
	if c.Concurrency == 0 {
		c.Concurrency = DefaultHTTPEndpointsConcurrency
	}
	for _, e := range c.Endpoints {
		if e != nil {
			e.HTTP.SetDefaults()
		}
	}
}

// Resolve implements config.Resolver: the client's files are relative to
// the configuration file, and each endpoint's request is built (see
// Request).
func (c *HTTPEndpointsCheck) Resolve(cfg *config.Config) {
	cfg.ResolveClient(&c.Client)
	base := c.base(cfg)
	for _, e := range c.Endpoints {
		if e == nil {
			continue
		}
		r := e.HTTP
		r.URL = joinURL(base, e.HTTP.URL)
		r.Headers = map[string]string{}
		for k, v := range c.Headers {
			r.Headers[k] = v
		}
		for k, v := range e.HTTP.Headers {
			for sk := range r.Headers {
				if strings.EqualFold(sk, k) {
					delete(r.Headers, sk)
				}
			}
			r.Headers[k] = v
		}
		r.Client = c.Client
		e.request = r
	}
}

// base is base_url without its trailing slashes, or "" when there is none
// or it is not an absolute http(s) URL (Validate reports it).
func (c *HTTPEndpointsCheck) base(cfg *config.Config) string {
	if c.BaseURL == "" || config.ValidateURL("", c.BaseURL, "", config.NewProblems(cfg)) == nil {
		return ""
	}
	return strings.TrimRight(c.BaseURL, "/")
}

// joinURL is raw, or raw after base when raw is relative (has no scheme)
// and there is a base.
func joinURL(base, raw string) string {
	if raw == "" || strings.Contains(raw, "://") || base == "" {
		return raw
	}
	return base + "/" + strings.TrimLeft(raw, "/")
}

// Validate implements config.Kind.
func (c *HTTPEndpointsCheck) Validate(path string, p *config.Problems) {
	base := ""
	if c.BaseURL != "" {
		if u := config.ValidateURL(path+".base_url", c.BaseURL, "", p); u != nil {
			base = strings.TrimRight(c.BaseURL, "/")
		}
	}
	validateHeaders(path+".headers", c.Headers, p)
	if c.Concurrency < 1 || c.Concurrency > MaxHTTPEndpointsConcurrency {
		p.Addf(path+".concurrency", "concurrency %d is out of range; write 1 to %d", c.Concurrency, MaxHTTPEndpointsConcurrency)
	}
	config.ValidateClient(path, &c.Client, p)
	switch {
	case len(c.Endpoints) == 0:
		p.Addf(path+".endpoints", "no endpoints; list them with a name and a url each, e.g. - {name: students, url: /api/v1/students}")
	case len(c.Endpoints) > MaxHTTPEndpoints:
		p.Addf(path+".endpoints", "%d endpoints; at most %d per check (each is a series): split them over several checks", len(c.Endpoints), MaxHTTPEndpoints)
	}
	seen := map[string]bool{}
	for i, e := range c.Endpoints {
		ep := fmt.Sprintf("%s.endpoints[%d]", path, i)
		if e == nil {
			p.Addf(ep, "empty endpoint; give it a name and a url")
			continue
		}
		config.ValidateEntryName(ep+".name", "endpoint", e.Name, "students", seen, p)
		if len(e.clientKeys) > 0 {
			p.Addf(ep, "%s: client settings (tls_config, basic_auth, authorization, follow_redirects, proxy_url ...) go on the check, beside endpoints:, not on one endpoint; use a check of its own for an endpoint that needs other ones", strings.Join(e.clientKeys, ", "))
		}
		// The endpoint's settings as an http check's, its URL joined to
		// base_url (a copy: validating changes nothing).
		h := e.HTTP
		if h.URL != "" && !strings.Contains(h.URL, "://") && c.BaseURL == "" {
			p.Addf(ep+".url", "%q is relative and no base_url is set; write an absolute URL or set base_url", h.URL)
			continue
		}
		h.URL = joinURL(base, h.URL)
		h.Validate(ep, p)
	}
}
