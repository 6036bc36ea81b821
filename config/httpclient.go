package config

import (
	"net/url"
	"reflect"
	"strings"

	commoncfg "github.com/prometheus/common/config"
	"go.yaml.in/yaml/v3"
)

// The HTTP settings every HTTP-speaking kind shares (network, monitoring):
// URL validation, prometheus/common's client settings with this exporter's
// defaults.

// ValidateURL checks an absolute http(s) URL; scheme "" allows both.
func ValidateURL(path, raw, scheme string, p *Problems) *url.URL {
	if raw == "" {
		p.Addf(path, "url is missing; write e.g. https://app.example.com/health")
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		p.Addf(path, "%q is not an absolute http:// or https:// URL; write e.g. https://app.example.com/health", raw)
		return nil
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		// Go's parser accepts a raw space; HTTP clients then send a
		// request line no server expects.
		p.Addf(path, "%q contains white space; write it as %%20 (e.g. %s)", raw, strings.ReplaceAll(strings.TrimSpace(raw), " ", "%20"))
		return nil
	}
	if scheme != "" && u.Scheme != scheme {
		p.Addf(path, "%q must start with %s://", raw, scheme)
		return nil
	}
	if u.User != nil {
		p.Addf(path, "the URL carries credentials; put them in basic_auth (password_file) so they stay masked")
	}
	return u
}

// DecodeWithClientDefaults fills in prometheus/common's client defaults
// before plain (the check's settings, client inline) is decoded: inline
// fields do not get their own unmarshaller called.
func DecodeWithClientDefaults(n *yaml.Node, client *commoncfg.HTTPClientConfig, plain any) error {
	*client = clientDefaults()
	return n.Decode(plain)
}

// clientDefaults are prometheus/common's client defaults, but HTTP/1.1:
// probes speak HTTP/2 only with enable_http2: true, so each run opens,
// measures and closes a connection of its own (an HTTP/2 check keeps one
// connection open and reuses it, see internal/httpclient).
func clientDefaults() commoncfg.HTTPClientConfig {
	c := commoncfg.DefaultHTTPClientConfig
	c.EnableHTTP2 = false
	return c
}

// ValidateClient checks prometheus/common's HTTP client settings; after
// ResolveClient it changes nothing.
func ValidateClient(path string, c *commoncfg.HTTPClientConfig, p *Problems) {
	if err := c.Validate(); err != nil {
		p.Addf(path, "%v", err)
	}
}

// ResolveClient makes the files of prometheus/common's HTTP client
// settings (ca_file, cert_file, password_file ...) relative to the
// configuration file's folder, and fills in what prometheus/common's
// Validate fills in (an authorization's type Bearer; bearer_token as an
// authorization), so that ValidateClient only reports; kinds call it from
// Resolve.
func (c *Config) ResolveClient(client *commoncfg.HTTPClientConfig) {
	client.SetDirectory(c.BaseDir())
	_ = client.Validate() // ValidateClient reports what it refuses
}

// clientKeys are the YAML keys of prometheus/common's client settings.
var clientKeys = yamlFields(reflect.TypeOf(commoncfg.HTTPClientConfig{}))

// IsClientKey reports whether key is one of prometheus/common's HTTP
// client settings (tls_config, basic_auth, follow_redirects, proxy_url
// ...), as a kind writes them inline.
func IsClientKey(key string) bool {
	_, ok := clientKeys[key]
	return ok
}
