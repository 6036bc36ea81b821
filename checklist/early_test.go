package checklist

import (
	"bytes"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	gtestutil "github.com/golive/golive_exporter/internal/testutil"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// earlyStatus is two days before go-live: phase 1 is due and passes, the
// go-live-day probe P3.1.01 is not due yet and its check fails.
func earlyStatus(t *testing.T) (*Model, []collector.Result, time.Time) {
	t.Helper()
	m := smallModel(t, "attestations:\n  - {item: P1.2.01, by: Dana, at: 2026-11-20T10:00:00Z}\n  - {item: SO.1.01, by: Pat, at: 2026-11-28T09:00:00Z}\n")
	results := []collector.Result{
		res("backup", collector.StatusPass, "P1.1.01"), res("restore", collector.StatusPass, "P1.1.02"),
		res("servers", collector.StatusFail, "P3.1.01"),
	}
	return m, results, goLive.Add(-2 * 24 * time.Hour)
}

// An item whose window has not opened but whose bound check fails shows so
// in check's table and Markdown, without blocking: the team learns it
// before the day.
func TestFailingEarlyText(t *testing.T) {
	m, results, now := earlyStatus(t)
	st := m.Evaluate(results, now)
	require.Equal(t, VerdictGo, st.Verdict, "an early failure does not block")

	var b bytes.Buffer
	require.NoError(t, st.WriteText(&b, TextOptions{}))
	out := b.String()
	assert.Contains(t, out, "⚠ failing_early P3.1.01  Servers up\n")
	assert.Contains(t, out, "        servers: connection_refused: dial tcp 127.0.0.1:1: connection refused\n")
	assert.Contains(t, out, "        due from 2026-11-30 20:00 UTC; does not block GO before then\n")
	assert.Contains(t, out, "\nFailing early (not due yet, not blocking): P3.1.01\n")
	assert.Contains(t, out, "    ✔ pass          P1.1.01", "the state column is as wide as its longest state")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.Equal(t, "GO: 0 blockers; 5 items: 2 pass, 2 attested, 1 failing_early", lines[len(lines)-1])

	b.Reset()
	require.NoError(t, st.WriteMarkdown(&b))
	assert.Contains(t, b.String(), "| ⚠️ | P3.1.01 | Servers up | **failing\\_early** (not due yet) | servers: connection\\_refused: dial tcp 127.0.0.1:1: connection refused; due from 2026-11-30 20:00 UTC |")
	assert.Contains(t, b.String(), "\nFailing early (not due yet, not blocking): P3.1.01\n")

	// Restricted to a phase, only that phase's early failures remain.
	assert.Equal(t, []string{"P3.1.01"}, st.Restrict([]string{"P3"}).FailingEarly)
	assert.Empty(t, st.Restrict([]string{"P1"}).FailingEarly)
	// The "failing only" filter keeps them.
	failing := st.Filter(nil, true)
	_, ok := failing.Item("P3.1.01")
	assert.True(t, ok, "failing only shows items failing early")
}

// The metrics carry the early failure as the item's state and as a count,
// while the verdict stays GO.
func TestFailingEarlyMetrics(t *testing.T) {
	m, results, now := earlyStatus(t)
	c := collectorFunc(m.Exporter(func() time.Time { return now }), results)
	want := `
# HELP golive_checklist_failing_early How many items not due yet have a bound check that fails; they do not block GO until due.
# TYPE golive_checklist_failing_early gauge
golive_checklist_failing_early 1
# HELP golive_checklist_ready The verdict: 1 for GO (every due blocker passes or is attested), 0 for NO-GO.
# TYPE golive_checklist_ready gauge
golive_checklist_ready 1
`
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want), "golive_checklist_failing_early", "golive_checklist_ready"))
	ec := c.(exporterCollector)
	assert.Equal(t, 1.0, testutil.ToFloat64(newFilteredLabels(ec.only("golive_checklist_item_state"), "P3.1.01", "failing_early")))
	assert.Equal(t, 0.0, testutil.ToFloat64(newFilteredLabels(ec.only("golive_checklist_item_due"), "P3.1.01")))
	assert.Equal(t, 1.0, testutil.ToFloat64(newFilteredLabels(ec.only("golive_checklist_items"), "P3", "failing_early")))
}

// filteredLabels keeps the metrics of c that carry every one of values (as
// quoted label values), for ToFloat64 on one series.
type filteredLabels struct {
	c      prometheus.Collector
	values []string
}

func newFilteredLabels(c prometheus.Collector, values ...string) filteredLabels {
	return filteredLabels{c, values}
}

func (f filteredLabels) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(f, ch) }
func (f filteredLabels) Collect(ch chan<- prometheus.Metric) {
	all := make(chan prometheus.Metric)
	go func() {
		f.c.Collect(all)
		close(all)
	}()
	for m := range all {
		var d dto.Metric
		if err := m.Write(&d); err != nil {
			continue
		}
		have := map[string]bool{}
		for _, l := range d.GetLabel() {
			have[l.GetValue()] = true
		}
		keep := true
		for _, v := range f.values {
			keep = keep && have[v]
		}
		if keep {
			ch <- m
		}
	}
}

// docs/checklist.md's metrics table names every family the checklist
// exports, with its labels, and no other.
func TestMetricsDocumented(t *testing.T) {
	m, results, now := earlyStatus(t)
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(collectorFunc(m.Exporter(func() time.Time { return now }), results)))
	fams, err := reg.Gather()
	require.NoError(t, err)
	got := map[string]string{}
	for _, f := range fams {
		var labels []string
		for _, l := range f.GetMetric()[0].GetLabel() {
			labels = append(labels, l.GetName())
		}
		sort.Strings(labels)
		got[f.GetName()] = strings.Join(labels, ",")
	}
	// Absent in this fixture: no attestation here expires.
	got["golive_checklist_attestation_expiry_timestamp_seconds"] = "item,kind,phase,section"
	assert.Equal(t, got, gtestutil.DocMetrics(gtestutil.Doc(t, "checklist.md")))
}
