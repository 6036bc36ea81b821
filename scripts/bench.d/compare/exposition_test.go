package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const checksBody = `# HELP golive_check_success 1 when the latest run passed.
# TYPE golive_check_success gauge
golive_check_success{check="a",kind="http"} 1
golive_check_success{check="b",kind="http"} 0
golive_check_success{check="c",kind="http"} 1
# HELP golive_check_duration_seconds How long the latest run took.
# TYPE golive_check_duration_seconds gauge
golive_check_duration_seconds{check="a",kind="http"} 0.25
golive_check_duration_seconds{check="b",kind="http"} 5
golive_check_duration_seconds{check="c",kind="http"} 0.1
# HELP golive_check_queue_wait_seconds How long the latest run waited.
# TYPE golive_check_queue_wait_seconds gauge
golive_check_queue_wait_seconds{kind="http",check="a"} 0.5
golive_check_queue_wait_seconds{check="b",kind="http"} 0
golive_check_queue_wait_seconds{check="c",kind="http"} 5.5
# HELP golive_check_failure_reason 1 for the reason of the latest failed run.
# TYPE golive_check_failure_reason gauge
golive_check_failure_reason{check="b",kind="http",reason="timeout"} 1
# HELP golive_scrape_duration_seconds A histogram.
# TYPE golive_scrape_duration_seconds histogram
golive_scrape_duration_seconds_bucket{le="1"} 2
golive_scrape_duration_seconds_bucket{le="+Inf"} 3
golive_scrape_duration_seconds_sum 4.5
golive_scrape_duration_seconds_count 3
`

func TestReadChecks(t *testing.T) {
	s, err := readChecks([]byte(checksBody))
	require.NoError(t, err)
	assert.Equal(t, 2, s.passed)
	assert.Equal(t, []string{"timeout"}, s.reasons)
	assert.Equal(t, 5*time.Second, s.slowest)
	// c's wait and run (5.5 + 0.1), whatever the order of the labels.
	assert.Equal(t, 5600*time.Millisecond, s.waitRun)
}

func TestReadChecksRefusesWhatIsNotAnExposition(t *testing.T) {
	_, err := readChecks([]byte("golive_check_success{check=\"a\" 1\n"))
	assert.ErrorContains(t, err, "reading the exposition")
}

func TestProbeSucceeded(t *testing.T) {
	for body, want := range map[string]bool{
		"# TYPE probe_success gauge\nprobe_success 1\n": true,
		"# TYPE probe_success gauge\nprobe_success 0\n": false,
		"probe_duration_seconds 0.05\n":                 false,
	} {
		ok, err := probeSucceeded([]byte(body))
		require.NoError(t, err)
		assert.Equal(t, want, ok, body)
	}
}
