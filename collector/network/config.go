package network

import (
	"maps"
	"slices"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

// The network kinds: their settings live here, beside the checks (one
// *_config.go file per kind), and register under their keys with their
// factories.
func init() {
	collector.RegisterKind("http", func() config.Kind { return new(HTTPCheck) }, newHTTP)
	collector.RegisterKind("tls", func() config.Kind { return new(TLSCheck) }, newTLS)
	collector.RegisterKind("tcp", func() config.Kind { return new(TCPCheck) }, newTCP)
	collector.RegisterKind("cors", func() config.Kind { return new(CORSCheck) }, newCORS)
	collector.RegisterKind("https_redirect", func() config.Kind { return new(HTTPSRedirectCheck) }, newHTTPSRedirect)
	collector.RegisterKind("rate_limit", func() config.Kind { return new(RateLimitCheck) }, newRateLimit)
	collector.RegisterKind("firewall", func() config.Kind { return new(FirewallCheck) }, newFirewall)
	collector.RegisterKind("http_endpoints", func() config.Kind { return new(HTTPEndpointsCheck) }, newHTTPEndpoints)
}

var (
	_ config.Kind      = (*HTTPCheck)(nil)
	_ config.Defaulter = (*HTTPCheck)(nil)
	_ config.Resolver  = (*HTTPCheck)(nil)
	_ config.Kind      = (*TLSCheck)(nil)
	_ config.Defaulter = (*TLSCheck)(nil)
	_ config.Resolver  = (*TLSCheck)(nil)
	_ config.Kind      = (*TCPCheck)(nil)
	_ config.Defaulter = (*TCPCheck)(nil)
	_ config.Kind      = (*CORSCheck)(nil)
	_ config.Defaulter = (*CORSCheck)(nil)
	_ config.Resolver  = (*CORSCheck)(nil)
	_ config.Kind      = (*HTTPSRedirectCheck)(nil)
	_ config.Defaulter = (*HTTPSRedirectCheck)(nil)
	_ config.Kind      = (*RateLimitCheck)(nil)
	_ config.Defaulter = (*RateLimitCheck)(nil)
	_ config.Resolver  = (*RateLimitCheck)(nil)
	_ config.Kind      = (*FirewallCheck)(nil)
	_ config.Resolver  = (*FirewallCheck)(nil)
	_ config.Kind      = (*HTTPEndpointsCheck)(nil)
	_ config.Defaulter = (*HTTPEndpointsCheck)(nil)
	_ config.Resolver  = (*HTTPEndpointsCheck)(nil)
)

// sortedKeys returns the keys of m in order, for stable messages.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
