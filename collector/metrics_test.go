package collector

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"
)

type exportCollector struct{ results []Result }

func (exportCollector) Describe(chan<- *prometheus.Desc) {}
func (c exportCollector) Collect(ch chan<- prometheus.Metric) {
	ExportResults(c.results, ch)
}

func TestExportResults(t *testing.T) {
	start := time.Unix(1700000000, 500_000_000)
	valueDesc := NewDesc("golive_test_backup_age_seconds", "Age of the newest backup.", "repo")
	pass := Result{Check: "backup", Kind: "dump_folder", Items: []string{"P1.2.01", "P1.2.02"}, Status: StatusPass, Reason: ReasonNone, Start: start, Duration: 250 * time.Millisecond, QueueWait: 30 * time.Millisecond,
		samples: []Sample{{Desc: valueDesc, Type: prometheus.GaugeValue, Value: 3600, Labels: []string{"main"}}}}
	fail := Result{Check: "api", Kind: "http", Status: StatusFail, Reason: ReasonConnRefused, Start: start, Duration: time.Second}
	warn := Result{Check: "cert", Kind: "tls", Status: StatusWarn, Reason: ReasonNone, Start: start, Duration: 2 * time.Second}
	unknown := Result{Check: "restore", Kind: "restore", Items: []string{"P1.2.05"}, Status: StatusUnknown, Reason: ReasonNotRunYet, Running: true}
	c := exportCollector{[]Result{pass, fail, warn, unknown}}
	want := `
# HELP golive_check_duration_seconds How long the check's latest run took.
# TYPE golive_check_duration_seconds gauge
golive_check_duration_seconds{check="api",kind="http"} 1
golive_check_duration_seconds{check="backup",kind="dump_folder"} 0.25
golive_check_duration_seconds{check="cert",kind="tls"} 2
# HELP golive_check_failure_reason Why the check failed: 1 for the reason of its latest failed run; absent while it passes.
# TYPE golive_check_failure_reason gauge
golive_check_failure_reason{check="api",kind="http",reason="connection_refused"} 1
# HELP golive_check_item_info Which checklist item ids the check proves (always 1).
# TYPE golive_check_item_info gauge
golive_check_item_info{check="backup",item="P1.2.01"} 1
golive_check_item_info{check="backup",item="P1.2.02"} 1
golive_check_item_info{check="restore",item="P1.2.05"} 1
# HELP golive_check_last_run_timestamp_seconds When the check's latest run started, as a Unix timestamp.
# TYPE golive_check_last_run_timestamp_seconds gauge
golive_check_last_run_timestamp_seconds{check="api",kind="http"} 1.7000000005e+09
golive_check_last_run_timestamp_seconds{check="backup",kind="dump_folder"} 1.7000000005e+09
golive_check_last_run_timestamp_seconds{check="cert",kind="tls"} 1.7000000005e+09
# HELP golive_check_queue_wait_seconds How long the check's latest run waited before it started: for a free slot (global.max_concurrency), or for a CPU while many checks start at once.
# TYPE golive_check_queue_wait_seconds gauge
golive_check_queue_wait_seconds{check="api",kind="http"} 0
golive_check_queue_wait_seconds{check="backup",kind="dump_folder"} 0.03
golive_check_queue_wait_seconds{check="cert",kind="tls"} 0
# HELP golive_check_running Whether a run of the check is under way (1): a background run, or one that outlived the scrape deadline.
# TYPE golive_check_running gauge
golive_check_running{check="restore",kind="restore"} 1
# HELP golive_check_success Whether the check passed on its latest run (1) or failed (0). A warning still passes.
# TYPE golive_check_success gauge
golive_check_success{check="api",kind="http"} 0
golive_check_success{check="backup",kind="dump_folder"} 1
golive_check_success{check="cert",kind="tls"} 1
# HELP golive_check_warning Whether the check's latest run passed with a warning (1).
# TYPE golive_check_warning gauge
golive_check_warning{check="api",kind="http"} 0
golive_check_warning{check="backup",kind="dump_folder"} 0
golive_check_warning{check="cert",kind="tls"} 1
# HELP golive_test_backup_age_seconds Age of the newest backup.
# TYPE golive_test_backup_age_seconds gauge
golive_test_backup_age_seconds{check="backup",repo="main"} 3600
`
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want)))
}

func TestExportResultsBadSampleIsNotFatal(t *testing.T) {
	// A kind that records the wrong number of labels yields an invalid
	// metric for that family, and every other family is still exported.
	desc := NewDesc("golive_test_thing", "A thing.", "a", "b")
	r := Result{Check: "x", Kind: "tcp", Status: StatusPass, samples: []Sample{{Desc: desc, Type: prometheus.GaugeValue, Value: 1, Labels: []string{"only-one"}}}}
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(exportCollector{[]Result{r}}))
	mfs, err := reg.Gather()
	require.Error(t, err)
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	require.True(t, names["golive_check_success"])
}

func TestCutUTF8(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 64, "short"},
		{"abcdef", 3, "abc"},
		{"检检", 4, "检"}, // 3 bytes each: the second would be split
		{"检检", 6, "检检"},
		{"a检", 3, "a"},
		{"\xff\xfeok", 64, "\uFFFDok"}, // invalid bytes are replaced
		{"检", 2, ""},
	}
	for _, c := range cases {
		got := CutUTF8(c.in, c.max)
		require.Equal(t, c.want, got, "CutUTF8(%q, %d)", c.in, c.max)
		require.True(t, utf8.ValidString(got))
		require.LessOrEqual(t, len(got), c.max)
	}
}

// TestExportResultsInLabelOrder: series leave in the order of their check
// label, whatever the order of the results (the configuration's), so that
// the registry's per-gather sort of each family is a linear pass
// (BenchmarkScrapeCached shows the cost per check staying flat).
func TestExportResultsInLabelOrder(t *testing.T) {
	var results []Result
	for _, name := range []string{"c2", "c10", "c1", "b", "c20"} {
		results = append(results, Result{Check: name, Kind: "tcp", Status: StatusPass})
	}
	ch := make(chan prometheus.Metric, 100)
	ExportResults(results, ch)
	close(ch)
	var order []string
	for m := range ch {
		var pb dto.Metric
		require.NoError(t, m.Write(&pb))
		if strings.Contains(m.Desc().String(), `"golive_check_success"`) {
			order = append(order, pb.GetLabel()[0].GetValue())
		}
	}
	require.Equal(t, []string{"b", "c1", "c10", "c2", "c20"}, order)
	// The caller's slice keeps its order (the board and check list the
	// configuration's order).
	require.Equal(t, "c2", results[0].Check)
}

// The time a run waited for a slot is exported per check.
func TestQueueWaitExported(t *testing.T) {
	r := Result{Check: "api", Kind: "http", Status: StatusPass, Reason: ReasonNone, Start: time.Unix(1700000000, 0), QueueWait: 1500 * time.Millisecond}
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(exportCollector{[]Result{r}}))
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP golive_check_queue_wait_seconds How long the check's latest run waited before it started: for a free slot (global.max_concurrency), or for a CPU while many checks start at once.
# TYPE golive_check_queue_wait_seconds gauge
golive_check_queue_wait_seconds{check="api",kind="http"} 1.5
`), "golive_check_queue_wait_seconds"))
}
