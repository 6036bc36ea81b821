package config

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// TCPCheck connects to an address; with Expect "closed" it passes only when
// the port cannot be reached (a database port open to the world is a
// go-live blocker).
type TCPCheck struct {
	// Address is host:port.
	Address string `yaml:"address"`
	// Expect is "open" (default) or "closed".
	Expect string `yaml:"expect,omitempty"`
}

// SetDefaults implements Defaulter.
func (c *TCPCheck) SetDefaults() {
	if c.Expect == "" {
		c.Expect = "open"
	}
}

// Validate implements Validator.
func (c *TCPCheck) Validate(path string, p *Problems) {
	validateHostPort(path+".address", c.Address, p)
	if c.Expect != "open" && c.Expect != "closed" {
		p.Addf(path+".expect", "expect is %q; write open or closed", c.Expect)
	}
}

// validateHostPort checks a host:port address.
func validateHostPort(path, addr string, p *Problems) {
	if addr == "" {
		p.Addf(path, "address is missing; write host:port, e.g. db.example.com:5432")
		return
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		p.Addf(path, "%q is not host:port; write e.g. db.example.com:5432 ([::1]:5432 for IPv6)", addr)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		p.Addf(path, "port %q is not a number from 1 to 65535", port)
	}
}

// Defaults of the HTTP check.
const (
	DefaultMaxBodyBytes      = 1 << 20
	MaxMaxBodyBytes          = 64 << 20
	DefaultMaxComponents     = 50
	MaxMaxComponents         = 200
	DefaultHSTSMinMaxAge     = 180 * 24 * time.Hour
	DefaultCORSForeignOrigin = "https://golive-exporter.invalid"
)

// HTTPCheck requests a URL and checks the answer: status code, body text,
// JSON fields, the components of a health answer and security headers. TLS,
// authentication, proxy and redirects come from prometheus/common's HTTP
// client settings, written inline (tls_config, basic_auth, authorization,
// oauth2, follow_redirects, proxy_url ...).
type HTTPCheck struct {
	// URL is the absolute http(s) URL to request.
	URL string `yaml:"url"`
	// Method is the request method. Default GET.
	Method string `yaml:"method,omitempty"`
	// Headers are sent with the request.
	Headers map[string]string `yaml:"headers,omitempty"`
	// Body is sent with the request.
	Body string `yaml:"body,omitempty"`
	// ValidStatusCodes are the accepted answers. Default: any 2xx.
	ValidStatusCodes []int `yaml:"valid_status_codes,omitempty"`
	// MaxBodyBytes bounds how much of the answer is read; the rest is cut.
	MaxBodyBytes int64 `yaml:"max_body_bytes,omitempty"`
	// BodyContains are substrings the answer must contain.
	BodyContains []string `yaml:"body_contains,omitempty"`
	// BodyNotContains are substrings the answer must not contain.
	BodyNotContains []string `yaml:"body_not_contains,omitempty"`
	// BodyMatches are regular expressions (RE2) the answer must match.
	BodyMatches []Regexp `yaml:"body_matches,omitempty"`
	// BodyNotMatches are regular expressions the answer must not match.
	BodyNotMatches []Regexp `yaml:"body_not_matches,omitempty"`
	// JSON are conditions on fields of a JSON answer.
	JSON []JSONCondition `yaml:"json,omitempty"`
	// Health evaluates a health answer: its status and every component.
	Health *HealthCondition `yaml:"health,omitempty"`
	// SecurityHeaders checks the answer's security headers.
	SecurityHeaders *SecurityHeaders `yaml:"security_headers,omitempty"`

	// Client holds prometheus/common's HTTP client settings, written
	// inline. A named field, so that its UnmarshalYAML is not promoted.
	Client commoncfg.HTTPClientConfig `yaml:",inline"`
}

// UnmarshalYAML fills in prometheus/common's client defaults
// (follow_redirects true; enable_http2 false here) before the settings are
// read.
func (c *HTTPCheck) UnmarshalYAML(n *yaml.Node) error {
	type plain HTTPCheck
	return DecodeWithClientDefaults(n, &c.Client, (*plain)(c))
}

// BodyMatchRegexps returns the compiled body_matches expressions.
func (c *HTTPCheck) BodyMatchRegexps() []*regexp.Regexp { return compiled(c.BodyMatches) }

// BodyNotMatchRegexps returns the compiled body_not_matches expressions.
func (c *HTTPCheck) BodyNotMatchRegexps() []*regexp.Regexp { return compiled(c.BodyNotMatches) }

func compiled(res []Regexp) []*regexp.Regexp {
	out := make([]*regexp.Regexp, 0, len(res))
	for _, re := range res {
		if re.Regexp != nil {
			out = append(out, re.Regexp)
		}
	}
	return out
}

// SetDefaults implements Defaulter.
func (c *HTTPCheck) SetDefaults() {
	c.Method = strings.ToUpper(c.Method)
	if c.Method == "" {
		c.Method = http.MethodGet
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Health != nil {
		c.Health.setDefaults()
	}
	if c.SecurityHeaders != nil {
		c.SecurityHeaders.setDefaults()
	}
}

// Resolve implements Resolver: the client's files are relative to the
// configuration file.
func (c *HTTPCheck) Resolve(cfg *Config) { cfg.ResolveClient(&c.Client) }

// Validate implements Validator.
func (c *HTTPCheck) Validate(path string, p *Problems) {
	ValidateURL(path+".url", c.URL, "", p)
	if !validToken(c.Method) {
		p.Addf(path+".method", "method %q is not an HTTP method; write e.g. GET, HEAD or POST", c.Method)
	}
	validateHeaders(path+".headers", c.Headers, p)
	for i, code := range c.ValidStatusCodes {
		if code < 100 || code > 599 {
			p.Addf(fmt.Sprintf("%s.valid_status_codes[%d]", path, i), "%d is not an HTTP status code (100-599)", code)
		}
	}
	if c.MaxBodyBytes < 0 || c.MaxBodyBytes > MaxMaxBodyBytes {
		p.Addf(path+".max_body_bytes", "max_body_bytes %d is out of range; write a number of bytes from 1 to %d", c.MaxBodyBytes, MaxMaxBodyBytes)
	}
	for i := range c.JSON {
		c.JSON[i].validate(fmt.Sprintf("%s.json[%d]", path, i), p)
	}
	if c.Health != nil {
		c.Health.validate(path+".health", p)
	}
	if c.SecurityHeaders != nil {
		c.SecurityHeaders.validate(path+".security_headers", p)
	}
	ValidateClient(path, &c.Client, p)
}

// StatusOK reports whether code is one of the valid status codes.
func (c *HTTPCheck) StatusOK(code int) bool {
	if len(c.ValidStatusCodes) == 0 {
		return code >= 200 && code < 300
	}
	for _, v := range c.ValidStatusCodes {
		if v == code {
			return true
		}
	}
	return false
}

// ExpectedStatus describes the valid status codes in words.
func (c *HTTPCheck) ExpectedStatus() string {
	if len(c.ValidStatusCodes) == 0 {
		return "2xx"
	}
	parts := make([]string, len(c.ValidStatusCodes))
	for i, v := range c.ValidStatusCodes {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, " or ")
}

// validateHeaders checks the names of the headers a check sends (the http
// and rate_limit kinds); Go's client would refuse a bad one on every run.
func validateHeaders(path string, headers map[string]string, p *Problems) {
	for _, k := range sortedKeys(headers) {
		if !validToken(k) {
			p.Addf(path+"."+k, "%q is not a valid header name", k)
		}
	}
}

// validToken reports whether s is an HTTP token (method or header name).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

// JSONCondition asserts something about one field of a JSON answer.
type JSONCondition struct {
	// Path selects the field: keys separated by dots, array elements as
	// [n], e.g. checks.database.status or items[0].id. Empty is the root.
	Path string `yaml:"path"`
	// Equals is the value the field must have, compared as text (numbers,
	// true, false and null in their JSON spelling).
	Equals *string `yaml:"equals,omitempty"`
	// Matches is a regular expression the field's text must match.
	Matches *Regexp `yaml:"matches,omitempty"`
	// Exists, when false, requires the field to be absent.
	Exists *bool `yaml:"exists,omitempty"`
}

// MatchesRegexp returns the compiled matches expression, or nil.
func (j *JSONCondition) MatchesRegexp() *regexp.Regexp {
	if j.Matches == nil {
		return nil
	}
	return j.Matches.Regexp
}

func (j *JSONCondition) validate(path string, p *Problems) {
	if _, err := ParseJSONPath(j.Path); err != nil {
		p.Addf(path+".path", "%v", err)
	}
	if j.Equals == nil && j.Matches == nil && j.Exists == nil {
		p.Addf(path, "the condition says nothing; add equals:, matches: or exists:")
	}
}

// JSONPathStep is one step of a parsed JSON path: a key or an index.
type JSONPathStep struct {
	Key   string
	Index int
	IsIdx bool
}

// ParseJSONPath parses the simple path syntax of JSON conditions:
// a.b[2].c. A key that contains a dot is written in brackets and quotes:
// ["a.b"].
func ParseJSONPath(s string) ([]JSONPathStep, error) {
	var steps []JSONPathStep
	i := 0
	for i < len(s) {
		switch s[i] {
		case '.':
			i++
			if i == len(s) || s[i] == '.' || s[i] == '[' {
				return nil, fmt.Errorf("path %q has an empty key; write keys separated by single dots, e.g. checks.database.status", s)
			}
		case '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q has an unclosed [", s)
			}
			inner := s[i+1 : i+end]
			i += end + 1
			if len(inner) >= 2 && inner[0] == '"' && inner[len(inner)-1] == '"' {
				steps = append(steps, JSONPathStep{Key: inner[1 : len(inner)-1]})
				continue
			}
			n, err := strconv.Atoi(inner)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("path %q: [%s] is not an array index; write [0], [1] ... or [\"key.with.dots\"]", s, inner)
			}
			steps = append(steps, JSONPathStep{Index: n, IsIdx: true})
			continue
		}
		j := i
		for j < len(s) && s[j] != '.' && s[j] != '[' {
			j++
		}
		if j > i {
			steps = append(steps, JSONPathStep{Key: s[i:j]})
		}
		i = j
	}
	return steps, nil
}

// HealthCondition evaluates a health answer such as
// {"status":"healthy","checks":{"database":{"status":"ok"}}}: the overall
// status and every component must be healthy. Written as "health: true"
// for the defaults, or as a mapping.
type HealthCondition struct {
	// Components is the path of the object that holds the components.
	// Default: the first of checks, components, details that is an
	// object, else the root (Spring Boot 1.x puts components there). Paths
	// are read in the health answer, which may sit in an envelope
	// (error.details, error.detail, detail, data, error).
	Components string `yaml:"components,omitempty"`
	// StatusPath is the path of the overall status. Default: status.
	StatusPath string `yaml:"status_path,omitempty"`
	// HealthyValues count as healthy (case-insensitive).
	HealthyValues []string `yaml:"healthy_values,omitempty"`
	// WarningValues only warn.
	WarningValues []string `yaml:"warning_values,omitempty"`
	// FailingValues fail.
	FailingValues []string `yaml:"failing_values,omitempty"`
	// Other says what any other value means: warning (default), fail or ok.
	Other string `yaml:"other_values,omitempty"`
	// MaxComponents caps how many components become their own series
	// (component names come from the answer). Default 50, at most 200.
	MaxComponents int `yaml:"max_components,omitempty"`
	// RequireComponents fails an answer with no components at all.
	RequireComponents bool `yaml:"require_components,omitempty"`
	// IgnoreComponents are left out of the verdict (optional services):
	// they keep their series but never fail or warn the check. A name also
	// covers the components nested in it (frontend covers frontend.cdn).
	IgnoreComponents []string `yaml:"ignore_components,omitempty"`
	// WarnComponents only warn when they fail. A name also covers the
	// components nested in it.
	WarnComponents []string `yaml:"warn_components,omitempty"`
	// FailOnDegraded fails the check when the overall status is one of
	// warning_values (degraded), which otherwise only warns.
	FailOnDegraded bool `yaml:"fail_on_degraded,omitempty"`

	enabled bool
}

// UnmarshalYAML accepts "health: true" / "health: false" as well as a
// mapping of settings.
func (h *HealthCondition) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var b bool
		if err := n.Decode(&b); err != nil {
			return fmt.Errorf("line %d: health is %q; write true, or a mapping of settings (components:, healthy_values: ...)", n.Line, n.Value)
		}
		*h = HealthCondition{enabled: b}
		return nil
	}
	type plain HealthCondition
	if err := n.Decode((*plain)(h)); err != nil {
		return err
	}
	h.enabled = true
	return nil
}

// Enabled reports whether the condition is switched on.
func (h *HealthCondition) Enabled() bool { return h != nil && h.enabled }

// Default health vocabularies (compared case-insensitively).
var (
	DefaultHealthyValues = []string{"healthy", "ok", "up", "pass", "passing", "green", "ready"}
	DefaultWarningValues = []string{"degraded", "warn", "warning", "yellow"}
	DefaultFailingValues = []string{"unhealthy", "down", "fail", "failed", "failing", "error", "critical", "out_of_service", "red", "not_ready"}
)

func (h *HealthCondition) setDefaults() {
	if h.StatusPath == "" {
		h.StatusPath = "status"
	}
	if h.HealthyValues == nil {
		h.HealthyValues = slices.Clone(DefaultHealthyValues)
	}
	if h.WarningValues == nil {
		h.WarningValues = slices.Clone(DefaultWarningValues)
	}
	if h.FailingValues == nil {
		h.FailingValues = slices.Clone(DefaultFailingValues)
	}
	if h.Other == "" {
		h.Other = "warning"
	}
	if h.MaxComponents == 0 {
		h.MaxComponents = DefaultMaxComponents
	}
}

func (h *HealthCondition) validate(path string, p *Problems) {
	if _, err := ParseJSONPath(h.Components); err != nil {
		p.Addf(path+".components", "%v", err)
	}
	if _, err := ParseJSONPath(h.StatusPath); err != nil {
		p.Addf(path+".status_path", "%v", err)
	}
	switch h.Other {
	case "warning", "fail", "ok":
	default:
		p.Addf(path+".other_values", "other_values is %q; write warning, fail or ok", h.Other)
	}
	if h.MaxComponents < 1 || h.MaxComponents > MaxMaxComponents {
		p.Addf(path+".max_components", "max_components %d is out of range; write 1 to %d (each component is a series)", h.MaxComponents, MaxMaxComponents)
	}
	if len(h.HealthyValues) == 0 {
		p.Addf(path+".healthy_values", "healthy_values is empty; list at least one value, e.g. [ok]")
	}
	ignored := validateComponentNames(path+".ignore_components", h.IgnoreComponents, p)
	validateComponentNames(path+".warn_components", h.WarnComponents, p)
	for i, name := range h.WarnComponents {
		if ignored[name] {
			p.Addf(fmt.Sprintf("%s.warn_components[%d]", path, i), "%s is in ignore_components too; keep it in one of the two", name)
		}
	}
}

// validateComponentNames checks a list of health component names (as the
// component label shows them) and returns them as a set.
func validateComponentNames(path string, names []string, p *Problems) map[string]bool {
	seen := map[string]bool{}
	for i, name := range names {
		at := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case name == "":
			p.Addf(at, "the component name is empty; write it as the component label of golive_http_health_component_state shows it, e.g. frontend or broker.us1")
		case strings.TrimSpace(name) != name:
			p.Addf(at, "%q has white space around it; write the component name alone", name)
		case seen[name]:
			p.Addf(at, "%s is listed twice", name)
		}
		seen[name] = true
	}
	return seen
}

// The security headers the HTTP check knows, by their label value.
const (
	HeaderHSTS                = "strict-transport-security"
	HeaderFrameOptions        = "x-frame-options"
	HeaderContentTypeOptions  = "x-content-type-options"
	HeaderContentSecurity     = "content-security-policy"
	HeaderReferrerPolicy      = "referrer-policy"
	securityHeadersValidNames = HeaderHSTS + ", " + HeaderFrameOptions + ", " + HeaderContentTypeOptions + ", " + HeaderContentSecurity + ", " + HeaderReferrerPolicy
)

// AllSecurityHeaders lists every security header the check knows.
var AllSecurityHeaders = []string{HeaderHSTS, HeaderFrameOptions, HeaderContentTypeOptions, HeaderContentSecurity, HeaderReferrerPolicy}

// SecurityHeaders selects the security headers to check. Written as
// "security_headers: true" (all), as a list of header names, or as a
// mapping with headers and hsts_min_max_age.
type SecurityHeaders struct {
	// Headers are the headers to check (lower case). Default: all.
	Headers []string `yaml:"headers,omitempty"`
	// HSTSMinMaxAge is the least Strict-Transport-Security max-age.
	// Default 180d.
	HSTSMinMaxAge model.Duration `yaml:"hsts_min_max_age,omitempty"`

	enabled bool
}

// UnmarshalYAML accepts true/false, a list of header names or a mapping.
func (s *SecurityHeaders) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		var b bool
		if err := n.Decode(&b); err != nil {
			return fmt.Errorf("line %d: security_headers is %q; write true, a list of header names, or a mapping", n.Line, n.Value)
		}
		*s = SecurityHeaders{enabled: b}
		return nil
	case yaml.SequenceNode:
		*s = SecurityHeaders{enabled: true}
		return n.Decode(&s.Headers)
	}
	type plain SecurityHeaders
	if err := n.Decode((*plain)(s)); err != nil {
		return err
	}
	s.enabled = true
	return nil
}

// MarshalYAML writes the mapping form (false when switched off).
func (s SecurityHeaders) MarshalYAML() (any, error) {
	if !s.enabled {
		return false, nil
	}
	type plain SecurityHeaders
	return plain(s), nil
}

// MarshalYAML writes the mapping form (false when switched off).
func (h HealthCondition) MarshalYAML() (any, error) {
	if !h.enabled {
		return false, nil
	}
	type plain HealthCondition
	return plain(h), nil
}

// Enabled reports whether security headers are checked.
func (s *SecurityHeaders) Enabled() bool { return s != nil && s.enabled }

func (s *SecurityHeaders) setDefaults() {
	if len(s.Headers) == 0 {
		s.Headers = slices.Clone(AllSecurityHeaders)
	}
	for i, h := range s.Headers {
		s.Headers[i] = strings.ToLower(h)
	}
	if s.HSTSMinMaxAge == 0 {
		s.HSTSMinMaxAge = model.Duration(DefaultHSTSMinMaxAge)
	}
}

func (s *SecurityHeaders) validate(path string, p *Problems) {
	for i, h := range s.Headers {
		known := false
		for _, k := range AllSecurityHeaders {
			known = known || k == h
		}
		if !known {
			p.Addf(fmt.Sprintf("%s.headers[%d]", path, i), "unknown security header %q; the check knows %s", h, securityHeadersValidNames)
		}
	}
	if s.HSTSMinMaxAge < 0 {
		p.Addf(path+".hsts_min_max_age", "hsts_min_max_age must not be negative; write e.g. 180d")
	}
}

// Defaults and limits of the TLS check.
const (
	DefaultTLSWarnRemaining = 30 * 24 * time.Hour
	DefaultTLSMinRemaining  = 7 * 24 * time.Hour
	MaxTLSCertificates      = 100
)

// TLSCheck inspects the certificates of a TLS endpoint and/or PEM files.
// Expiry is reported for every certificate, even when the chain does not
// verify.
type TLSCheck struct {
	// Address is the endpoint, host:port.
	Address string `yaml:"address,omitempty"`
	// ServerName is the name sent as SNI and checked against the
	// certificate. Default: the host of address.
	ServerName string `yaml:"server_name,omitempty"`
	// StartTLS is "" (TLS from the first byte) or postgres (an SSLRequest
	// before the handshake, as PostgreSQL clients do).
	StartTLS string `yaml:"starttls,omitempty"`
	// Files are PEM files or globs (e.g. /etc/ssl/app/*.pem).
	Files []string `yaml:"files,omitempty"`
	// CAFile holds the roots the chain is verified against. Default: the
	// system roots.
	CAFile string `yaml:"ca_file,omitempty"`
	// VerifyChain fails the check when an endpoint's chain does not
	// verify or its name does not match. Default true.
	VerifyChain *bool `yaml:"verify_chain,omitempty"`
	// VerifyFiles fails the check when a file's chain (first certificate,
	// the rest as intermediates) does not verify. Default false: a file is
	// often a CA bundle.
	VerifyFiles bool `yaml:"verify_files,omitempty"`
	// MinRemaining fails the check when a certificate expires sooner.
	// Default 7d.
	MinRemaining model.Duration `yaml:"min_remaining,omitempty"`
	// WarnRemaining warns when a certificate expires sooner. Default 30d.
	WarnRemaining model.Duration `yaml:"warn_remaining,omitempty"`
	// MinVersion is the least TLS version the endpoint may negotiate:
	// TLS10, TLS11, TLS12 (default) or TLS13.
	MinVersion string `yaml:"min_version,omitempty"`
	// ClientCertFile and ClientKeyFile present a client certificate.
	ClientCertFile string `yaml:"client_cert_file,omitempty"`
	ClientKeyFile  string `yaml:"client_key_file,omitempty"`
}

// TLSVersions maps the min_version spellings to their numbers.
var TLSVersions = map[string]uint16{"TLS10": 0x0301, "TLS11": 0x0302, "TLS12": 0x0303, "TLS13": 0x0304}

// SetDefaults implements Defaulter.
func (c *TLSCheck) SetDefaults() {
	if c.VerifyChain == nil {
		t := true
		c.VerifyChain = &t
	}
	if c.MinRemaining == 0 {
		c.MinRemaining = model.Duration(DefaultTLSMinRemaining)
	}
	if c.WarnRemaining == 0 {
		c.WarnRemaining = model.Duration(DefaultTLSWarnRemaining)
	}
	if c.MinVersion == "" {
		c.MinVersion = "TLS12"
	}
}

// Resolve implements Resolver: relative files are relative to the
// configuration file.
func (c *TLSCheck) Resolve(cfg *Config) {
	cfg.ResolvePaths(c.Files)
	c.CAFile = cfg.ResolvePath(c.CAFile)
	c.ClientCertFile = cfg.ResolvePath(c.ClientCertFile)
	c.ClientKeyFile = cfg.ResolvePath(c.ClientKeyFile)
}

// Validate implements Validator.
func (c *TLSCheck) Validate(path string, p *Problems) {
	if c.Address == "" && len(c.Files) == 0 {
		p.Addf(path, "nothing to inspect; give address: host:port and/or files: [PEM files or globs]")
	}
	if c.Address != "" {
		validateHostPort(path+".address", c.Address, p)
	}
	switch c.StartTLS {
	case "", "postgres":
	default:
		p.Addf(path+".starttls", "starttls is %q; write postgres, or leave it out for TLS from the first byte", c.StartTLS)
	}
	if c.StartTLS != "" && c.Address == "" {
		p.Addf(path+".starttls", "starttls needs an address")
	}
	for i, f := range c.Files {
		if _, err := filepath.Match(f, ""); err != nil {
			p.Addf(fmt.Sprintf("%s.files[%d]", path, i), "%q is not a valid glob: %v", f, err)
		}
	}
	if (c.ClientCertFile == "") != (c.ClientKeyFile == "") {
		p.Addf(path, "client_cert_file and client_key_file go together; give both or neither")
	}
	if c.MinRemaining < 0 || c.WarnRemaining < 0 {
		p.Addf(path+".min_remaining", "min_remaining and warn_remaining must not be negative; write e.g. 7d and 30d")
	}
	if c.WarnRemaining < c.MinRemaining {
		p.Addf(path+".warn_remaining", "warn_remaining %s is shorter than min_remaining %s; the warning would never show", c.WarnRemaining, c.MinRemaining)
	}
	if _, ok := TLSVersions[c.MinVersion]; !ok {
		p.Addf(path+".min_version", "min_version is %q; write TLS10, TLS11, TLS12 or TLS13", c.MinVersion)
	}
}

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

// SetDefaults implements Defaulter.
func (c *CORSCheck) SetDefaults() {
	if c.ForeignOrigin == "" {
		c.ForeignOrigin = DefaultCORSForeignOrigin
	}
	c.Method = strings.ToUpper(c.Method)
	if c.Method == "" {
		c.Method = http.MethodGet
	}
}

// Resolve implements Resolver: the client's files are relative to the
// configuration file.
func (c *CORSCheck) Resolve(cfg *Config) { cfg.ResolveClient(&c.Client) }

// Validate implements Validator.
func (c *CORSCheck) Validate(path string, p *Problems) {
	ValidateURL(path+".url", c.URL, "", p)
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
	ValidateClient(path, &c.Client, p)
}

func validateOrigin(path, o string, p *Problems) {
	if o == "" {
		p.Addf(path, "origin is missing; write the web app's origin, e.g. https://app.example.com")
		return
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		p.Addf(path, "%q is not an origin; write scheme://host[:port] with no path, e.g. https://app.example.com", o)
	}
}

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

// SetDefaults implements Defaulter.
func (c *HTTPSRedirectCheck) SetDefaults() {
	if len(c.ValidStatusCodes) == 0 {
		c.ValidStatusCodes = []int{301, 302, 307, 308}
	}
}

// Validate implements Validator.
func (c *HTTPSRedirectCheck) Validate(path string, p *Problems) {
	if u := ValidateURL(path+".url", c.URL, "http", p); u != nil && c.Host == "" {
		c.Host = u.Hostname()
	}
	for i, code := range c.ValidStatusCodes {
		if code < 300 || code > 399 {
			p.Addf(fmt.Sprintf("%s.valid_status_codes[%d]", path, i), "%d is not a redirect status (3xx)", code)
		}
	}
}

// Limits of the rate-limit check.
const (
	DefaultRateLimitRequests    = 50
	MaxRateLimitRequests        = 200
	DefaultRateLimitConcurrency = 5
	MaxRateLimitConcurrency     = 20
	MinRateLimitInterval        = time.Minute
)

// RateLimitCheck sends a short, bounded burst and passes when the server
// answers 429 Too Many Requests. Opt-in; it needs an interval of at least a
// minute and never runs more often.
type RateLimitCheck struct {
	// URL is the rate-limited URL.
	URL string `yaml:"url"`
	// Method is the request method. Default GET.
	Method string `yaml:"method,omitempty"`
	// Headers are sent with every request.
	Headers map[string]string `yaml:"headers,omitempty"`
	// Body is sent with every request.
	Body string `yaml:"body,omitempty"`
	// MaxRequests is the hard cap on requests in one burst. Default 50,
	// at most 200.
	MaxRequests int `yaml:"max_requests,omitempty"`
	// Concurrency is how many requests are in flight at once. Default 5,
	// at most 20.
	Concurrency int `yaml:"concurrency,omitempty"`
	// LimitedStatus is the answer that proves the limit. Default 429.
	LimitedStatus int `yaml:"limited_status,omitempty"`

	// Client holds prometheus/common's HTTP client settings, written
	// inline. A named field, so that its UnmarshalYAML is not promoted.
	Client commoncfg.HTTPClientConfig `yaml:",inline"`
}

// SetDefaults implements Defaulter.
func (c *RateLimitCheck) SetDefaults() {
	if c.Method == "" {
		c.Method = http.MethodGet
	}
	if c.MaxRequests == 0 {
		c.MaxRequests = DefaultRateLimitRequests
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultRateLimitConcurrency
	}
	if c.LimitedStatus == 0 {
		c.LimitedStatus = http.StatusTooManyRequests
	}
}

// Resolve implements Resolver: the client's files are relative to the
// configuration file.
func (c *RateLimitCheck) Resolve(cfg *Config) { cfg.ResolveClient(&c.Client) }

// Validate implements Validator.
func (c *RateLimitCheck) Validate(path string, p *Problems) {
	ValidateURL(path+".url", c.URL, "", p)
	if !validToken(c.Method) {
		p.Addf(path+".method", "method %q is not an HTTP method", c.Method)
	}
	validateHeaders(path+".headers", c.Headers, p)
	if c.MaxRequests < 1 || c.MaxRequests > MaxRateLimitRequests {
		p.Addf(path+".max_requests", "max_requests %d is out of range; write 1 to %d (the burst hits a production service)", c.MaxRequests, MaxRateLimitRequests)
	}
	if c.Concurrency < 1 || c.Concurrency > MaxRateLimitConcurrency {
		p.Addf(path+".concurrency", "concurrency %d is out of range; write 1 to %d", c.Concurrency, MaxRateLimitConcurrency)
	}
	if c.LimitedStatus < 400 || c.LimitedStatus > 599 {
		p.Addf(path+".limited_status", "limited_status %d is not an error status; write 429", c.LimitedStatus)
	}
	// The burst must not repeat on every scrape: the check needs its own
	// interval of at least a minute.
	if cfg := p.Config(); cfg != nil {
		for i, ch := range cfg.Checks {
			if ch != nil && ch.RateLimit == c && time.Duration(ch.Interval) < MinRateLimitInterval {
				p.Addf(fmt.Sprintf("checks[%d].interval", i), "a rate_limit check sends a burst of requests; give it interval: of at least %s (e.g. 1h)", model.Duration(MinRateLimitInterval))
			}
		}
	}
	ValidateClient(path, &c.Client, p)
}
