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
