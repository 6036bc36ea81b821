package network

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/httpclient"
)

var (
	rateLimitSentDesc = collector.NewDesc("golive_rate_limit_requests_sent",
		"How many requests the latest burst sent (at most max_requests).")
	rateLimitLimitedDesc = collector.NewDesc("golive_rate_limit_limited",
		"Whether the latest burst was answered with the limited status, usually 429 (1), or not (0).")
	rateLimitFirstDesc = collector.NewDesc("golive_rate_limit_first_limited_request",
		"The number of the first request answered with the limited status in the latest burst (0 when none was).")
	rateLimitBurstDesc = collector.NewDesc("golive_rate_limit_last_burst_timestamp_seconds",
		"When the latest burst was sent, as a Unix timestamp.")
)

// burst is the outcome of one burst.
type burst struct {
	at    time.Time
	sent  int
	first int // 1-based number of the first limited answer; 0 if none
	// err is why the burst could not be completed.
	err      error
	statuses map[int]int
}

// lastBursts remembers each check's latest burst across reloads, so that a
// reload or the check command right after a scrape never sends a second
// burst within the interval.
var lastBursts = struct {
	sync.Mutex
	m map[string]burst
}{m: map[string]burst{}}

type rateLimitCheck struct {
	key      string
	name     string
	cfg      *RateLimitCheck
	interval time.Duration
	rt       http.RoundTripper
}

func newRateLimit(c *config.Check, env collector.Env) (collector.Check, error) {
	cfg := c.Spec().(*RateLimitCheck)
	rt, err := httpclient.ForCheck(env.Shared, c.Name, cfg.Client)
	if err != nil {
		return nil, err
	}
	return &rateLimitCheck{
		key:  c.Name + " " + cfg.Method + " " + cfg.URL,
		name: c.Name, cfg: cfg, interval: time.Duration(c.Interval), rt: rt,
	}, nil
}

// Run sends at most max_requests requests, concurrency at a time, and
// stops at the first limited answer. Within the interval of the previous
// burst it reports that burst again instead of sending.
func (c *rateLimitCheck) Run(ctx context.Context, r *collector.Report) error {
	lastBursts.Lock()
	prev, seen := lastBursts.m[c.key]
	lastBursts.Unlock()
	var b burst
	if seen && time.Since(prev.at) < c.interval {
		b = prev
	} else {
		// A burst that failed half-way still counts: the next one waits
		// for the interval all the same.
		b = c.burst(ctx)
		lastBursts.Lock()
		lastBursts.m[c.key] = b
		lastBursts.Unlock()
	}
	r.Gauge(rateLimitBurstDesc, float64(b.at.UnixNano())/1e9)
	if b.err != nil {
		return b.err
	}
	r.Gauge(rateLimitSentDesc, float64(b.sent))
	r.Bool(rateLimitLimitedDesc, b.first > 0)
	r.Gauge(rateLimitFirstDesc, float64(b.first))
	obs := fmt.Sprintf("no %d in %d requests (%s)", c.cfg.LimitedStatus, b.sent, statusSummary(b.statuses))
	if b.first > 0 {
		obs = fmt.Sprintf("%d at request %d of at most %d", c.cfg.LimitedStatus, b.first, c.cfg.MaxRequests)
	}
	r.AssertReason(refusedReason(b.statuses), "rate limited", b.first > 0, obs, fmt.Sprintf("%d within %d requests", c.cfg.LimitedStatus, c.cfg.MaxRequests))
	return nil
}

func statusSummary(m map[int]int) string {
	var parts []string
	for code := 100; code < 600; code++ {
		if n := m[code]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d×%d", n, code))
		}
	}
	return strings.Join(parts, ", ")
}

func (c *rateLimitCheck) burst(ctx context.Context) burst {
	cfg := c.cfg
	client := newClient(c.rt, false, nil)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	b := burst{at: time.Now(), statuses: map[int]int{}}
	var (
		next     atomic.Int64 // the number of requests handed out
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n := int(next.Add(1))
				if n > cfg.MaxRequests {
					return
				}
				code, err := c.one(ctx, client)
				mu.Lock()
				switch {
				case err != nil:
					if firstErr == nil && ctx.Err() == nil {
						firstErr = err
					}
					cancel()
				default:
					b.sent++
					b.statuses[code]++
					if code == cfg.LimitedStatus && (b.first == 0 || n < b.first) {
						b.first = n
						cancel()
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		b.err = firstErr
	} else if b.first == 0 && b.sent < cfg.MaxRequests {
		if err := context.Cause(ctx); err != nil {
			// The check's own deadline ended the burst early.
			b.err = fmt.Errorf("burst cut after %d requests: %w", b.sent, err)
		}
	}
	return b
}

func (c *rateLimitCheck) one(ctx context.Context, client *http.Client) (int, error) {
	cfg := c.cfg
	req, err := newRequest(ctx, cfg.Method, cfg.URL, cfg.Body, cfg.Headers)
	if err != nil {
		return 0, collector.WithReason(collector.ReasonConfig, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", cfg.Method, redactURL(cfg.URL), redactErr(err))
	}
	discardBody(resp)
	return resp.StatusCode, nil
}

// refusedReason is auth when every answer of a burst refused the
// credentials (401, 403): the endpoint was never reached, so its limit was
// never tried. Otherwise "" (condition_failed).
func refusedReason(statuses map[int]int) collector.Reason {
	if len(statuses) == 0 {
		return ""
	}
	for code := range statuses {
		if collector.HTTPStatusReason(code) != collector.ReasonAuth {
			return ""
		}
	}
	return collector.ReasonAuth
}
