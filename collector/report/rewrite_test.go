package report

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

// junitOf is a JUnit report of n cases, each with the given result element
// (<skipped/> and <failure/> have the same length, so a reader that gets the
// start of one version and the rest of the other reads valid XML).
func junitOf(n int, result string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<testsuites><testsuite name=\"s\">\n")
	for i := range n {
		fmt.Fprintf(&b, "<testcase name=\"t%04d\" classname=\"c\">%s</testcase>\n", i, result)
	}
	b.WriteString("</testsuite></testsuites>\n")
	return b.String()
}

// rewriteReport replaces the report in place (same inode, as a tool that
// truncates and writes) with a modification time of its own.
func rewriteReport(t *testing.T, path, body string, n int) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	mt := time.Now().Add(-time.Hour).Truncate(time.Second).Add(time.Duration(n) * time.Second)
	require.NoError(t, os.Chtimes(path, mt, mt))
}

// A report rewritten while it is read is never taken with figures of
// neither version: the read is done again and gives the new version's; a
// report that changes during the second read too fails invalid_response.
func TestJUnitCheckFileRewrittenWhileRead(t *testing.T) {
	const cases = 3000 // far more than one read's worth of bytes
	skipped, failed := junitOf(cases, "<skipped/>"), junitOf(cases, "<failure/>")
	require.Equal(t, len(skipped), len(failed))
	dir := t.TempDir()
	path := filepath.Join(dir, "TEST-rewritten.xml")

	rewriteReport(t, path, skipped, 0)
	c := junitCheck(t, config.JUnitCheck{TestResults: config.TestResults{Paths: []string{dir}}})
	rewrites := 0
	c.cache.SetReadHook(func(string) {
		if rewrites++; rewrites == 1 {
			rewriteReport(t, path, failed, rewrites)
		}
	})
	r, err := run(t, c)
	require.NoError(t, err)
	assert.False(t, condition(t, r, "no failing cases").OK, "every case fails in the new version")
	assert.Equal(t, float64(cases), value(t, r, casesDesc, "failed"), "the new version's figures")
	assert.Equal(t, 0.0, value(t, r, casesDesc, "skipped"), "nothing of the old version")
	assert.Equal(t, 2, rewrites, "the report was read twice")

	rewriteReport(t, path, skipped, 10)
	c = junitCheck(t, config.JUnitCheck{TestResults: config.TestResults{Paths: []string{dir}}})
	rewrites = 0
	c.cache.SetReadHook(func(string) {
		rewrites++
		rewriteReport(t, path, map[bool]string{true: failed, false: skipped}[rewrites%2 == 1], 10+rewrites)
	})
	_, err = run(t, c)
	require.Error(t, err)
	assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err))
	assert.Contains(t, err.Error(), "TEST-rewritten.xml: file changed while it was read, twice in a row")
	assert.Equal(t, 2, rewrites)

	c.cache.SetReadHook(nil)
	r, err = run(t, c)
	require.NoError(t, err, "once the writer is done the report is read")
	assert.Equal(t, float64(cases), value(t, r, casesDesc, "skipped"))
}
