package config

// The kinds whose settings are still declared here (a field of Check each;
// the others live in their packages under collector/ and register with
// RegisterKind) implement the same interfaces, checked when compiling.
var (
	_ Kind      = (*CORSCheck)(nil)
	_ Defaulter = (*CORSCheck)(nil)
	_ Resolver  = (*CORSCheck)(nil)
	_ Kind      = (*FirewallCheck)(nil)
	_ Kind      = (*HTTPCheck)(nil)
	_ Defaulter = (*HTTPCheck)(nil)
	_ Resolver  = (*HTTPCheck)(nil)
	_ Kind      = (*HTTPEndpointsCheck)(nil)
	_ Defaulter = (*HTTPEndpointsCheck)(nil)
	_ Resolver  = (*HTTPEndpointsCheck)(nil)
	_ Kind      = (*HTTPSRedirectCheck)(nil)
	_ Defaulter = (*HTTPSRedirectCheck)(nil)
	_ Kind      = (*RateLimitCheck)(nil)
	_ Defaulter = (*RateLimitCheck)(nil)
	_ Resolver  = (*RateLimitCheck)(nil)
	_ Kind      = (*TCPCheck)(nil)
	_ Defaulter = (*TCPCheck)(nil)
	_ Kind      = (*TLSCheck)(nil)
	_ Defaulter = (*TLSCheck)(nil)
	_ Resolver  = (*TLSCheck)(nil)
)
