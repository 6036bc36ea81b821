package config

import (
	commoncfg "github.com/prometheus/common/config"
	"go.yaml.in/yaml/v3"
)

// The loader's tests write files as users do, with tcp:, tls: and http:
// checks, but config cannot link the kind packages (deps_test.go): their
// settings live in collector/network, which imports config. These tests
// register small stand-ins under those keys instead, with the fields the
// tests write and the shared checks the real kinds make (ValidateHostPort,
// ValidateURL, the HTTP client settings); the real kinds' settings are
// tested in collector/network.
func init() {
	RegisterKind("tcp", func() Kind { return new(tcpStandIn) })
	RegisterKind("tls", func() Kind { return new(tlsStandIn) })
	RegisterKind("http", func() Kind { return new(httpStandIn) })
}

var (
	_ Defaulter = (*tcpStandIn)(nil)
	_ Resolver  = (*httpStandIn)(nil)
)

// tcpStandIn is a tcp check: an address and what to expect of it.
type tcpStandIn struct {
	Address string `yaml:"address"`
	Expect  string `yaml:"expect,omitempty"`
}

func (c *tcpStandIn) SetDefaults() {
	if c.Expect == "" {
		c.Expect = "open"
	}
}

func (c *tcpStandIn) Validate(path string, p *Problems) {
	ValidateHostPort(path+".address", c.Address, p)
}

// tlsStandIn is a tls check of an endpoint.
type tlsStandIn struct {
	Address string `yaml:"address,omitempty"`
}

func (c *tlsStandIn) Validate(path string, p *Problems) {
	ValidateHostPort(path+".address", c.Address, p)
}

// httpStandIn is an http check: a URL, headers and prometheus/common's
// client settings written inline.
type httpStandIn struct {
	URL     string                     `yaml:"url"`
	Headers map[string]string          `yaml:"headers,omitempty"`
	Client  commoncfg.HTTPClientConfig `yaml:",inline"`
}

func (c *httpStandIn) UnmarshalYAML(n *yaml.Node) error {
	type plain httpStandIn
	return DecodeWithClientDefaults(n, &c.Client, (*plain)(c))
}

func (c *httpStandIn) Resolve(cfg *Config) { cfg.ResolveClient(&c.Client) }

func (c *httpStandIn) Validate(path string, p *Problems) {
	ValidateURL(path+".url", c.URL, "", p)
	ValidateClient(path, &c.Client, p)
}
