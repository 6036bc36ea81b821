package network

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
)

// limiter answers 429 from request number after on (0: never).
func limiter(t *testing.T, after int64) (string, *atomic.Int64, *atomic.Int64) {
	var n, second atomic.Int64
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Run") == "2" {
			second.Add(1)
		}
		if c := n.Add(1); after > 0 && c > after {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(200)
	}).URL
	return u, &n, &second
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	u, n, second := limiter(t, 10)
	res := runOne(t, "rate_limit", "url: "+u+"/login\nmax_requests: 40\nconcurrency: 4", "    interval: 1h\n")
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)
	assert.Equal(t, 1.0, mustValue(t, res, "golive_rate_limit_limited"))
	// Which request number meets the first 429 depends on scheduling; it
	// is within the requests the burst may send before it stops.
	first := mustValue(t, res, "golive_rate_limit_first_limited_request")
	assert.GreaterOrEqual(t, first, 1.0)
	assert.LessOrEqual(t, first, 15.0)
	// The burst stops at the first 429: at most the requests in flight
	// then are sent on top.
	assert.LessOrEqual(t, n.Load(), int64(11+4))

	// Within the interval a second run (a reload, the check command)
	// reports the same burst and sends nothing.
	res = runOne(t, "rate_limit", "url: "+u+"/login\nmax_requests: 40\nconcurrency: 4\nheaders: {X-Run: '2'}", "    interval: 1h\n")
	assert.Equal(t, collector.StatusPass, res.Status, res.Message)
	assert.Equal(t, int64(0), second.Load())
}

func TestRateLimitNeverLimited(t *testing.T) {
	t.Parallel()
	u, n, _ := limiter(t, 0)
	res := runOne(t, "rate_limit", "url: "+u+"\nmax_requests: 25\nconcurrency: 3", "    interval: 1m\n")
	assert.Equal(t, collector.StatusFail, res.Status)
	assert.Equal(t, collector.ReasonConditionFailed, res.Reason)
	// The hard cap holds exactly.
	assert.Equal(t, int64(25), n.Load())
	assert.Equal(t, 25.0, mustValue(t, res, "golive_rate_limit_requests_sent"))
	assert.Equal(t, 0.0, mustValue(t, res, "golive_rate_limit_limited"))
	assert.Contains(t, res.Message, "no 429 in 25 requests (25×200)")
}

func TestRateLimitUnreachable(t *testing.T) {
	t.Parallel()
	s := serve(t, nil)
	u := s.URL
	s.Close()
	res := runOne(t, "rate_limit", "url: "+u+"\nmax_requests: 5", "    interval: 1m\n")
	assert.Equal(t, collector.ReasonConnRefused, res.Reason, res.Message)
}

// A burst that broke off half-way (the server dropped a connection) still
// counts: within the interval the next run reports the same failure and
// sends nothing, so a failing limiter is not hammered every scrape.
func TestRateLimitFailedBurstKeepsInterval(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 3 {
			c, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				c.Close()
			}
			return
		}
		w.WriteHeader(200)
	}).URL
	settings := "url: " + u + "/broken\nmax_requests: 20\nconcurrency: 1"
	res := runOne(t, "rate_limit", settings, "    interval: 1h\n")
	assert.Equal(t, collector.StatusFail, res.Status)
	assert.NotEqual(t, collector.ReasonConditionFailed, res.Reason, res.Message)
	sent := n.Load()
	assert.Equal(t, int64(3), sent, "the burst stopped at the dropped connection")

	again := runOne(t, "rate_limit", settings, "    interval: 1h\n")
	assert.Equal(t, sent, n.Load(), "no request within the interval")
	assert.Equal(t, res.Reason, again.Reason)
	assert.Equal(t, mustValue(t, res, "golive_rate_limit_last_burst_timestamp_seconds"), mustValue(t, again, "golive_rate_limit_last_burst_timestamp_seconds"))
}
