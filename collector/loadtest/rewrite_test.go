package loadtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
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

func rewriteResult(t *testing.T, path, body string, n int) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	mt := time.Now().Add(-time.Hour).Truncate(time.Second).Add(time.Duration(n) * time.Second)
	require.NoError(t, os.Chtimes(path, mt, mt))
}

// A load-test result rewritten while it is read is never taken with
// figures of neither run: it is read again and gives the new run's; a
// result that changes during the second read too fails invalid_response.
func TestCheckFileRewrittenWhileRead(t *testing.T) {
	const samples = 5000 // far more than one read's worth of bytes
	slow, fast := jtlOf(samples, 900), jtlOf(samples, 100)
	dir := t.TempDir()
	path := filepath.Join(dir, "results.jtl")

	rewriteResult(t, path, slow, 0)
	c := newTestCheck(t, config.LoadTestCheck{Paths: []string{dir}, MaxP95: msec(500)})
	rewrites := 0
	c.cache.SetReadHook(func(string) {
		if rewrites++; rewrites == 1 {
			rewriteResult(t, path, fast, rewrites)
		}
	})
	r, err := runCheck(t, c)
	require.NoError(t, err)
	assert.Equal(t, 0.1, value(t, r, latencyDesc, "95"))
	assert.Equal(t, 0.1, value(t, r, latencyDesc, "100"), "no sample of the slow run")
	assert.Equal(t, float64(samples), value(t, r, requestsDesc))
	assert.Equal(t, 2, rewrites, "the result was read twice")

	rewriteResult(t, path, slow, 10)
	c = newTestCheck(t, config.LoadTestCheck{Paths: []string{dir}, MaxP95: msec(500)})
	rewrites = 0
	c.cache.SetReadHook(func(string) {
		rewrites++
		rewriteResult(t, path, map[bool]string{true: fast, false: slow}[rewrites%2 == 1], 10+rewrites)
	})
	_, err = runCheck(t, c)
	require.Error(t, err)
	assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err))
	assert.Contains(t, err.Error(), "results.jtl: file changed while it was read, twice in a row")
	assert.Equal(t, 2, rewrites)
}
