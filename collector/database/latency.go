package database

import (
	"math"
	"sort"
	"sync"
	"time"

	"github.com/golive/golive_exporter/collector"
)

// LatencyBuckets are the probe-latency histogram's upper bounds in seconds;
// 0.5 is there so that "p95 < 500 ms" can be read off it exactly.
var LatencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Latencies keeps a cumulative histogram of every probe (counts only grow,
// as Prometheus' rate() needs) and a bounded ring of the most recent probes
// for the p95 the check's condition uses.
type Latencies struct {
	mu     sync.Mutex
	ring   []float64
	next   int
	full   bool
	count  uint64
	sum    float64
	counts []uint64 // per bucket, not cumulative
}

// NewLatencies returns a recorder whose window holds size probes.
func NewLatencies(size int) *Latencies {
	return &Latencies{ring: make([]float64, max(size, 1)), counts: make([]uint64, len(LatencyBuckets))}
}

// Observe records one probe.
func (l *Latencies) Observe(d time.Duration) {
	s := d.Seconds()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring[l.next] = s
	l.next = (l.next + 1) % len(l.ring)
	if l.next == 0 {
		l.full = true
	}
	l.count++
	l.sum += s
	for i, b := range LatencyBuckets {
		if s <= b {
			l.counts[i]++
			break
		}
	}
}

// Histogram returns the cumulative histogram of every probe so far.
func (l *Latencies) Histogram() collector.HistogramValue {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := collector.HistogramValue{Count: l.count, Sum: l.sum, Buckets: make(map[float64]uint64, len(LatencyBuckets))}
	var cum uint64
	for i, b := range LatencyBuckets {
		cum += l.counts[i]
		h.Buckets[b] = cum
	}
	return h
}

// Quantile returns the q-quantile (nearest rank) of the recent window and
// how many probes it covers.
func (l *Latencies) Quantile(q float64) (time.Duration, int) {
	l.mu.Lock()
	n := l.next
	if l.full {
		n = len(l.ring)
	}
	vals := append([]float64(nil), l.ring[:n]...)
	l.mu.Unlock()
	if n == 0 {
		return 0, 0
	}
	sort.Float64s(vals)
	rank := int(math.Ceil(q*float64(n))) - 1
	rank = min(max(rank, 0), n-1)
	return time.Duration(vals[rank] * float64(time.Second)), n
}
