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

// wall/slw sets each scrape against its own slowest check: two scrapes,
// one of them slow in every way, are 1.03x, where the mean wall over the
// slowest check of both (scrape.sh's former figure) made 0.55x of them.
func TestScrapeWallsSetEachScrapeAgainstItsOwnSlowestCheck(t *testing.T) {
	var w scrapeWalls
	assert.Zero(t, w.ratio())
	w.add(80*time.Millisecond, checkScrape{slowest: 60 * time.Millisecond, waitRun: 70 * time.Millisecond})
	w.add(1000*time.Millisecond, checkScrape{slowest: 990 * time.Millisecond, waitRun: 990 * time.Millisecond})
	assert.InDelta(t, 1080.0/1050.0, w.ratio(), 1e-9)
	assert.InDelta(t, 540.0, w.ms(w.wall), 1e-9)
	assert.InDelta(t, 525.0, w.ms(w.slowest), 1e-9)
	assert.InDelta(t, 530.0, w.ms(w.waitRun), 1e-9)
	assert.InDelta(t, w.ratio(), w.ms(w.wall)/w.ms(w.slowest), 1e-9, "the ratio of the printed means")
}

// The same checks in OpenMetrics, as golive_exporter answers a Prometheus
// server (prometheusAccept): floats as 1.0, a counter family's samples
// named _total, # EOF at the end.
const checksBodyOpenMetrics = `# HELP golive_check_success 1 when the latest run passed.
# TYPE golive_check_success gauge
golive_check_success{check="a",kind="http"} 1.0
golive_check_success{check="b",kind="http"} 0.0
golive_check_success{check="c",kind="http"} 1.0
# HELP golive_check_duration_seconds How long the latest run took.
# TYPE golive_check_duration_seconds gauge
golive_check_duration_seconds{check="a",kind="http"} 0.25
golive_check_duration_seconds{check="b",kind="http"} 5.0
golive_check_duration_seconds{check="c",kind="http"} 0.1
# HELP golive_check_queue_wait_seconds How long the latest run waited.
# TYPE golive_check_queue_wait_seconds gauge
golive_check_queue_wait_seconds{kind="http",check="a"} 0.5
golive_check_queue_wait_seconds{check="b",kind="http"} 0.0
golive_check_queue_wait_seconds{check="c",kind="http"} 5.5
# HELP golive_check_failure_reason 1 for the reason of the latest failed run.
# TYPE golive_check_failure_reason gauge
golive_check_failure_reason{check="b",kind="http",reason="timeout"} 1.0
# HELP golive_config_reloads Reloads.
# TYPE golive_config_reloads counter
golive_config_reloads_total{result="failure"} 0.0
# HELP golive_scrape_duration_seconds A histogram.
# TYPE golive_scrape_duration_seconds histogram
golive_scrape_duration_seconds_bucket{le="1.0"} 2
golive_scrape_duration_seconds_bucket{le="+Inf"} 3
golive_scrape_duration_seconds_sum 4.5
golive_scrape_duration_seconds_count 3
# EOF
`

func TestReadChecksOpenMetrics(t *testing.T) {
	s, err := readChecks([]byte(checksBodyOpenMetrics))
	require.NoError(t, err)
	text, err := readChecks([]byte(checksBody))
	require.NoError(t, err)
	assert.Equal(t, text, s)
}
