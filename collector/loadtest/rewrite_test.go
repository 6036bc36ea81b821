package loadtest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jtlOf is a JMeter JTL of n samples that each took elapsed milliseconds
// (three digits, so every version has the same length).
func jtlOf(n, elapsed int) string {
	var b strings.Builder
	b.WriteString("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,%03d,GET /students,200,OK,Thread Group 1-1,text,true,,696,282,3,3,https://sms.example.edu/api/students,%03d,0,10\n",
			1776660473857+int64(i), elapsed, elapsed)
	}
	return b.String()
}

// A load-test result rewritten while it is read is never taken with
// figures of neither run: it is read again and gives the new run's; a
// result that changes during the second read too fails invalid_response.
func TestCheckFileRewrittenWhileRead(t *testing.T) {
	const samples = 5000 // far more than one read's worth of bytes
	slow, fast := jtlOf(samples, 900), jtlOf(samples, 100)
	path := filepath.Join(t.TempDir(), "results.jtl")

	c := newTestCheck(t, LoadTestCheck{Paths: []string{filepath.Dir(path)}, MaxP95: msec(500)})
	reads := collectortest.RewriteOnFirstRead(t, c.cache.SetReadHook, path, slow, fast)
	r, err := runCheck(t, c)
	require.NoError(t, err)
	assert.Equal(t, 0.1, value(t, r, latencyDesc, "95"))
	assert.Equal(t, 0.1, value(t, r, latencyDesc, "100"), "no sample of the slow run")
	assert.Equal(t, float64(samples), value(t, r, requestsDesc))
	assert.Equal(t, 2, *reads, "the result was read twice")

	c = newTestCheck(t, LoadTestCheck{Paths: []string{filepath.Dir(path)}, MaxP95: msec(500)})
	collectortest.AssertChangingFileFails(t, c.cache.SetReadHook, path, slow, fast, func() error {
		_, err := runCheck(t, c)
		return err
	})
}
