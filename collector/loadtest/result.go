// Package loadtest reads the results load-test tools write (k6 summaries,
// Locust CSV files, JMeter CSV JTL files, Gatling's global_stats.json) and
// checks them against the configured limits: latency percentiles, error
// ratio, concurrent users, duration, throughput and age.
package loadtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Quantile indexes the latency figures a result can carry.
type Quantile int

// The latency figures, in the order they are exported.
const (
	P50 Quantile = iota
	P90
	P95
	P99
	Max
	numQuantiles
)

// quantileLabels are the values of the percentile label ("100" is the
// maximum). The label is not called quantile: promtool reserves that name
// for summaries.
var quantileLabels = [numQuantiles]string{"50", "90", "95", "99", "100"}

// quantileNames are the figures' names in messages and config keys.
var quantileNames = [numQuantiles]string{"p50", "p90", "p95", "p99", "max"}

// Value is a figure a result may or may not carry: formats differ in what
// they write, and a figure that is absent is not exported (never 0).
type Value struct {
	V  float64
	OK bool
}

func some(v float64) Value { return Value{V: v, OK: !math.IsNaN(v) && !math.IsInf(v, 0)} }

// Result is what one load-test report says. Latencies and durations are in
// seconds.
type Result struct {
	// Format is the tool format the file was read as (k6, k6_legacy,
	// locust, jmeter, gatling).
	Format string
	// Latency holds p50, p90, p95, p99 and the maximum.
	Latency [numQuantiles]Value
	// LatencyNote says why the result has no latency at all when the
	// configuration is to blame (a k6_metric that is missing or no trend
	// of times); empty otherwise.
	LatencyNote string
	// Requests is the number of requests made, Failed those that failed.
	Requests, Failed Value
	// ErrorRatio is the share of failed requests (0 to 1).
	ErrorRatio Value
	// RPS is the mean throughput in requests per second.
	RPS Value
	// VUs is the peak number of concurrent virtual users.
	VUs Value
	// Duration is how long the test ran.
	Duration Value
	// DurationDerived is true when Duration was computed from the request
	// count and rate rather than written by the tool.
	DurationDerived bool
	// Time is when the test ended, when the file says; else zero (the
	// caller uses the file's modification time).
	Time time.Time
	// ThresholdsPassed and ThresholdsFailed count the tool's own
	// threshold verdicts (k6); HasThresholds says whether any were set.
	ThresholdsPassed, ThresholdsFailed int
	HasThresholds                      bool
	// ChecksPassed and ChecksFailed count k6 check() outcomes.
	ChecksPassed, ChecksFailed float64
	HasChecks                  bool
	// Part is set for Locust files, which carry one part of a run each.
	Part locustPart
}

// finish fills figures that follow from others.
func (r *Result) finish() {
	if !r.ErrorRatio.OK && r.Requests.OK && r.Failed.OK && r.Requests.V > 0 {
		r.ErrorRatio = some(r.Failed.V / r.Requests.V)
	}
	if !r.Duration.OK && r.Requests.OK && r.RPS.OK && r.RPS.V > 0 {
		r.Duration = some(r.Requests.V / r.RPS.V)
		r.DurationDerived = r.Duration.OK
	}
	if !r.RPS.OK && r.Requests.OK && r.Duration.OK && r.Duration.V > 0 {
		r.RPS = some(r.Requests.V / r.Duration.V)
	}
}

// ErrNotLoadTest is returned (wrapped) when a file is not a result of any
// known load-test tool.
var ErrNotLoadTest = errors.New("not a load-test result")

// maxLine bounds one physical line of a CSV file, so that a file without
// line breaks cannot make the reader buffer it whole.
const maxLine = 1 << 20

// lineLimitReader fails once a line grows past max bytes, and drops every
// carriage return: Locust files written on Windows end lines with \r\r\n,
// which encoding/csv would otherwise leave in the last field.
type lineLimitReader struct {
	r      io.Reader
	max    int
	cur    int
	tooBig bool
}

var errLineTooLong = fmt.Errorf("a line is longer than %d bytes; this is not a load-test CSV file", maxLine)

func (l *lineLimitReader) Read(p []byte) (int, error) {
	for {
		n, err := l.r.Read(p)
		buf := p[:n]
		if bytes.IndexByte(buf, '\r') >= 0 {
			w := 0
			for _, c := range buf {
				if c != '\r' {
					buf[w] = c
					w++
				}
			}
			buf = buf[:w]
		}
		// Track the length of the current line across reads; IndexByte
		// keeps this at memchr speed.
		rest := buf
		for {
			i := bytes.IndexByte(rest, '\n')
			if i < 0 {
				l.cur += len(rest)
				break
			}
			if l.cur+i > l.max {
				l.cur += i
				break
			}
			l.cur = 0
			rest = rest[i+1:]
		}
		if l.cur > l.max {
			l.tooBig = true
			return 0, errLineTooLong
		}
		if len(buf) > 0 || err != nil || n == 0 {
			return len(buf), err
		}
	}
}

// headerIndex maps column names to their position.
type headerIndex map[string]int

func newHeaderIndex(rec []string) headerIndex {
	h := make(headerIndex, len(rec))
	for i, name := range rec {
		name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		if _, dup := h[name]; !dup {
			h[name] = i
		}
	}
	return h
}

// col returns the position of the first of names present, or -1.
func (h headerIndex) col(names ...string) int {
	for _, n := range names {
		if i, ok := h[n]; ok {
			return i
		}
	}
	return -1
}

// field returns rec[i] trimmed, or "" when the column is absent.
func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// number parses a figure; "", "N/A", "-" and non-finite values are absent.
func number(s string) Value {
	s = strings.TrimSpace(s)
	switch s {
	case "", "N/A", "n/a", "-", "NaN":
		return Value{}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return Value{}
	}
	return some(f)
}

// ms converts a figure in milliseconds to seconds.
func ms(v Value) Value {
	if !v.OK {
		return v
	}
	return Value{V: v.V / 1000, OK: true}
}

// sniff returns the first bytes of r without consuming them, skipping a
// UTF-8 byte order mark.
func sniff(br *bufio.Reader) []byte {
	head, _ := br.Peek(512)
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		head, _ = br.Peek(512)
	}
	return head
}
