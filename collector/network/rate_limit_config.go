package network

import (
	"fmt"
	"net/http"
	"time"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"github.com/golive/golive_exporter/config"
)

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

// SetDefaults implements config.Defaulter.
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

// Resolve implements config.Resolver: the client's files are relative to the
// configuration file.
func (c *RateLimitCheck) Resolve(cfg *config.Config) { cfg.ResolveClient(&c.Client) }

// Validate implements config.Kind.
func (c *RateLimitCheck) Validate(path string, p *config.Problems) {
	config.ValidateURL(path+".url", c.URL, "", p)
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
			if ch != nil && ch.Spec() == c && time.Duration(ch.Interval) < MinRateLimitInterval {
				p.Addf(fmt.Sprintf("checks[%d].interval", i), "a rate_limit check sends a burst of requests; give it interval: of at least %s (e.g. 1h)", model.Duration(MinRateLimitInterval))
			}
		}
	}
	config.ValidateClient(path, &c.Client, p)
}
