package network

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	commoncfg "github.com/prometheus/common/config"

	"github.com/golive/golive_exporter/config"
)

// CORSCheck sends CORS preflights from the production origin (must be
// allowed) and from a foreign origin (must not be echoed).
type CORSCheck struct {
	// URL is the API URL a browser would call.
	URL string `yaml:"url"`
	// Origin is the production origin of the web app, e.g.
	// https://app.example.com.
	Origin string `yaml:"origin"`
	// ForeignOrigin must not be allowed. Default
	// https://golive-exporter.invalid.
	ForeignOrigin string `yaml:"foreign_origin,omitempty"`
	// Method is sent as Access-Control-Request-Method. Default GET.
	Method string `yaml:"method,omitempty"`
	// RequestHeaders are sent as Access-Control-Request-Headers and must
	// be allowed.
	RequestHeaders []string `yaml:"request_headers,omitempty"`

	// Client holds prometheus/common's HTTP client settings, written
	// inline. A named field, so that its UnmarshalYAML is not promoted.
	Client commoncfg.HTTPClientConfig `yaml:",inline"`
}

// SetDefaults implements config.Defaulter.
func (c *CORSCheck) SetDefaults() {
	if c.ForeignOrigin == "" {
		c.ForeignOrigin = DefaultCORSForeignOrigin
	}
	c.Method = strings.ToUpper(c.Method)
	if c.Method == "" {
		c.Method = http.MethodGet
	}
}

// Resolve implements config.Resolver: the client's files are relative to the
// configuration file.
func (c *CORSCheck) Resolve(cfg *config.Config) { cfg.ResolveClient(&c.Client) }

// Validate implements config.Kind.
func (c *CORSCheck) Validate(path string, p *config.Problems) {
	config.ValidateURL(path+".url", c.URL, "", p)
	validateOrigin(path+".origin", c.Origin, p)
	validateOrigin(path+".foreign_origin", c.ForeignOrigin, p)
	if c.Origin != "" && strings.EqualFold(c.Origin, c.ForeignOrigin) {
		p.Addf(path+".foreign_origin", "foreign_origin equals origin; pick an origin the API must not allow")
	}
	if !validToken(c.Method) {
		p.Addf(path+".method", "method %q is not an HTTP method", c.Method)
	}
	for i, h := range c.RequestHeaders {
		if !validToken(h) {
			p.Addf(fmt.Sprintf("%s.request_headers[%d]", path, i), "%q is not a valid header name", h)
		}
	}
	config.ValidateClient(path, &c.Client, p)
}

func validateOrigin(path, o string, p *config.Problems) {
	if o == "" {
		p.Addf(path, "origin is missing; write the web app's origin, e.g. https://app.example.com")
		return
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		p.Addf(path, "%q is not an origin; write scheme://host[:port] with no path, e.g. https://app.example.com", o)
	}
}
