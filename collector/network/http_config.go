package network

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/golive/golive_exporter/config"
)

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
	BodyMatches []config.Regexp `yaml:"body_matches,omitempty"`
	// BodyNotMatches are regular expressions the answer must not match.
	BodyNotMatches []config.Regexp `yaml:"body_not_matches,omitempty"`
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
	return config.DecodeWithClientDefaults(n, &c.Client, (*plain)(c))
}

// BodyMatchRegexps returns the compiled body_matches expressions.
func (c *HTTPCheck) BodyMatchRegexps() []*regexp.Regexp { return compiled(c.BodyMatches) }

// BodyNotMatchRegexps returns the compiled body_not_matches expressions.
func (c *HTTPCheck) BodyNotMatchRegexps() []*regexp.Regexp { return compiled(c.BodyNotMatches) }

func compiled(res []config.Regexp) []*regexp.Regexp {
	out := make([]*regexp.Regexp, 0, len(res))
	for _, re := range res {
		if re.Regexp != nil {
			out = append(out, re.Regexp)
		}
	}
	return out
}

// SetDefaults implements config.Defaulter.
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

// Resolve implements config.Resolver: the client's files are relative to the
// configuration file.
func (c *HTTPCheck) Resolve(cfg *config.Config) { cfg.ResolveClient(&c.Client) }

// Validate implements config.Kind.
func (c *HTTPCheck) Validate(path string, p *config.Problems) {
	config.ValidateURL(path+".url", c.URL, "", p)
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
	config.ValidateClient(path, &c.Client, p)
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
func validateHeaders(path string, headers map[string]string, p *config.Problems) {
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
	Matches *config.Regexp `yaml:"matches,omitempty"`
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

func (j *JSONCondition) validate(path string, p *config.Problems) {
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

func (h *HealthCondition) validate(path string, p *config.Problems) {
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
func validateComponentNames(path string, names []string, p *config.Problems) map[string]bool {
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

func (s *SecurityHeaders) validate(path string, p *config.Problems) {
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
