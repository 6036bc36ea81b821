package report

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/collector/collectortest"
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

// A report rewritten while it is read is never taken with figures of
// neither version: the read is done again and gives the new version's; a
// report that changes during the second read too fails invalid_response.
func TestJUnitCheckFileRewrittenWhileRead(t *testing.T) {
	const cases = 3000 // far more than one read's worth of bytes
	skipped, failed := junitOf(cases, "<skipped/>"), junitOf(cases, "<failure/>")
	require.Equal(t, len(skipped), len(failed))
	path := filepath.Join(t.TempDir(), "TEST-rewritten.xml")

	c := junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{filepath.Dir(path)}}})
	reads := collectortest.RewriteOnFirstRead(t, c.cache.SetReadHook, path, skipped, failed)
	r, err := run(t, c)
	require.NoError(t, err)
	assert.False(t, condition(t, r, "no failing cases").OK, "every case fails in the new version")
	assert.Equal(t, float64(cases), value(t, r, casesDesc, "failed"), "the new version's figures")
	assert.Equal(t, 0.0, value(t, r, casesDesc, "skipped"), "nothing of the old version")
	assert.Equal(t, 2, *reads, "the report was read twice")

	c = junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{filepath.Dir(path)}}})
	collectortest.AssertChangingFileFails(t, c.cache.SetReadHook, path, skipped, failed, func() error {
		_, err := run(t, c)
		return err
	})
	r, err = run(t, c)
	require.NoError(t, err, "once the writer is done the report is read")
	assert.Equal(t, float64(cases), value(t, r, casesDesc, "skipped"))
}
