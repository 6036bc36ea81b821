package network

import (
	"fmt"
	"net/url"

	"github.com/golive/golive_exporter/config"
)

// HTTPSRedirectCheck checks that a plain http:// URL redirects to https://
// on the same host.
type HTTPSRedirectCheck struct {
	// URL is the plain http:// URL.
	URL string `yaml:"url"`
	// Host is the host the redirect must lead to. Default: the URL's host.
	Host string `yaml:"host,omitempty"`
	// ValidStatusCodes are the accepted redirect codes. Default 301, 302,
	// 307, 308.
	ValidStatusCodes []int `yaml:"valid_status_codes,omitempty"`
}

// SetDefaults implements config.Defaulter.
func (c *HTTPSRedirectCheck) SetDefaults() {
	if len(c.ValidStatusCodes) == 0 {
		c.ValidStatusCodes = []int{301, 302, 307, 308}
	}
	if c.Host == "" {
		// A URL that does not parse is refused by Validate.
		if u, err := url.Parse(c.URL); err == nil {
			c.Host = u.Hostname()
		}
	}
}

// Validate implements config.Kind.
func (c *HTTPSRedirectCheck) Validate(path string, p *config.Problems) {
	config.ValidateURL(path+".url", c.URL, "http", p)
	for i, code := range c.ValidStatusCodes {
		if code < 300 || code > 399 {
			p.Addf(fmt.Sprintf("%s.valid_status_codes[%d]", path, i), "%d is not a redirect status (3xx)", code)
		}
	}
}
