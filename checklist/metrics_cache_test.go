package checklist

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// export runs the exporter once and returns what it sent.
func export(x collector.ResultExporter, results []collector.Result) []prometheus.Metric {
	ch := make(chan prometheus.Metric, 8192)
	x(results, ch)
	close(ch)
	var out []prometheus.Metric
	for m := range ch {
		out = append(out, m)
	}
	return out
}

// TestExporterRendersOnlyOnChange: a scrape whose results, attestations and
// due windows are as before gets the series already rendered (issue 12:
// every scrape re-rendered the 279-item checklist, 10-13 ms of CPU); a
// changed result renders them again.
func TestExporterRendersOnlyOnChange(t *testing.T) {
	m := smallModel(t, "attestations: []\n")
	now := goLive.Add(-10 * 24 * time.Hour)
	x := m.Exporter(func() time.Time { return now })
	results := []collector.Result{res("backup", collector.StatusPass, "P1.1.01"), res("restore", collector.StatusFail, "P1.1.02")}
	first := export(x, results)
	// A later run with the same outcome: another start time, same state.
	again := []collector.Result{res("backup", collector.StatusPass, "P1.1.01"), res("restore", collector.StatusFail, "P1.1.02")}
	again[0].Start = again[0].Start.Add(time.Minute)
	second := export(x, again)
	require.Len(t, second, len(first))
	for i := range first {
		assert.Same(t, first[i], second[i], "series %d rendered again though nothing changed", i)
	}
	// The restore passes now: rendered again, and the verdict moves.
	results[1] = res("restore", collector.StatusPass, "P1.1.02")
	third := export(x, results)
	assert.NotSame(t, first[0], third[0])
	// Time moves the due windows: rendered again when an item falls due.
	now = goLive.Add(time.Hour)
	fourth := export(x, results)
	assert.NotSame(t, third[0], fourth[0])
	// An attestation appears: rendered again.
	path := m.Config().ResolvePath("attest.yml")
	require.NoError(t, os.WriteFile(path, []byte("attestations:\n  - {item: P1.2.01, by: A, at: 2026-11-20T10:00:00Z}\n"), 0o600))
	later := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	require.NoError(t, os.Chtimes(path, later, later))
	fifth := export(x, results)
	assert.NotSame(t, fourth[0], fifth[0])
	assert.Same(t, fifth[0], export(x, results)[0])
}

// TestPerItemSeriesOnlyWithAChecklistSection: a configuration without a
// checklist: section exports the verdict and the per-phase summary, not a
// series per item of the shipped checklist (about 1,100 series for three
// checks); with the section, even empty, it exports them.
func TestPerItemSeriesOnlyWithAChecklistSection(t *testing.T) {
	for _, tc := range []struct {
		yml     string
		perItem bool
	}{
		{"checks:\n  - name: db\n    items: [P1.1.05]\n    tcp: {address: \"127.0.0.1:5432\"}\n", false},
		{"checks:\n  - name: db\n    items: [P1.1.05]\n    tcp: {address: \"127.0.0.1:5432\"}\nchecklist: {}\n", true},
		{"checks:\n  - name: db\n    items: [P1.1.05]\n    tcp: {address: \"127.0.0.1:5432\"}\nchecklist:\n  go_live: 2026-12-01T08:00:00Z\n", true},
	} {
		cfg, err := config.Load([]byte(tc.yml), "t.yml")
		require.NoError(t, err)
		m, err := New(cfg)
		require.NoError(t, err)
		c := collectorFunc(m.Exporter(nil), []collector.Result{{Check: "db", Kind: "tcp", Items: []string{"P1.1.05"}, Status: collector.StatusPass}})
		n, err := testutil.GatherAndCount(registryWith(t, c), "golive_checklist_item_state")
		require.NoError(t, err)
		if tc.perItem {
			assert.Equal(t, len(m.Checklist.Items), n, tc.yml)
		} else {
			assert.Zero(t, n, tc.yml)
		}
		for _, summary := range []string{"golive_checklist_ready", "golive_checklist_blockers", "golive_checklist_items", "golive_checklist_phase_items_due"} {
			n, err := testutil.GatherAndCount(registryWith(t, c), summary)
			require.NoError(t, err)
			assert.NotZero(t, n, "%s missing for %s", summary, tc.yml)
		}
	}
}

func registryWith(t *testing.T, c prometheus.Collector) *prometheus.Registry {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(c))
	return reg
}

// text is metrics as sorted lines (their description and value), to
// compare two exports.
func text(t *testing.T, ms []prometheus.Metric) []string {
	t.Helper()
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		var d dto.Metric
		require.NoError(t, m.Write(&d))
		var b strings.Builder
		b.WriteString(m.Desc().String())
		for _, l := range d.GetLabel() {
			fmt.Fprintf(&b, " %s=%q", l.GetName(), l.GetValue())
		}
		fmt.Fprintf(&b, " %g", d.GetGauge().GetValue())
		out = append(out, b.String())
	}
	slices.Sort(out)
	return out
}

// TestExporterCacheMatchesFreshEvaluation: the exporter evaluates only
// when the results, the attestations or the time may have changed a state
// (issue 12), so at every scrape, also one nanosecond either side of each
// due window's start and of each attestation's date and expiry, what it
// sends is what a fresh evaluation at that time shows, and the newest
// evaluation it handed to observe (the board's history) has the states and
// verdict of that fresh evaluation: the history records every change.
func TestExporterCacheMatchesFreshEvaluation(t *testing.T) {
	m := mustModel(t, map[string]string{
		"config.yml": strings.Replace(baseConfig, "%s", "", 1),
		"small.tsv":  smallTSV,
		// One attestation that expires, one dated after go-live.
		"attest.yml": "attestations:\n" +
			"  - {item: P1.2.01, by: A, at: 2026-11-25T10:00:00Z, valid_for: 24h}\n" +
			"  - {item: SO.1.01, by: B, at: 2026-12-01T09:30:00Z}\n",
	})
	var now time.Time
	var observed *Status
	calls := 0
	x := m.ExporterObserved(func() time.Time { return now }, func(st *Status) { observed = st; calls++ })
	results := []collector.Result{res("backup", collector.StatusPass, "P1.1.01"), res("restore", collector.StatusPass, "P1.1.02"), res("servers", collector.StatusPass, "P3.1.01")}

	var times []time.Time
	for _, b := range append(m.windowStarts(),
		time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), // P1.2.01's attestation and its expiry
		time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)) { // SO.1.01's
		times = append(times, b.Add(-time.Nanosecond), b, b.Add(time.Nanosecond))
	}
	slices.SortFunc(times, time.Time.Compare)
	require.Greater(t, len(times), 12)
	verdicts := map[string]bool{}
	for i, at := range times {
		now = at
		if i == len(times)/2 {
			// A result changes between two boundaries.
			results[1] = res("restore", collector.StatusFail, "P1.1.02")
		}
		fresh := m.Evaluate(results, at)
		verdicts[fresh.Verdict] = true
		got := export(x, results)
		var want []prometheus.Metric
		ch := make(chan prometheus.Metric, 8192)
		m.Export(fresh, ch)
		close(ch)
		for mt := range ch {
			want = append(want, mt)
		}
		require.Equal(t, text(t, want), text(t, got), "at %s", at)
		require.NotNil(t, observed)
		assert.Equal(t, fresh.Verdict, observed.Verdict, "at %s", at)
		for _, id := range []string{"P1.1.01", "P1.1.02", "P1.2.01", "P3.1.01", "SO.1.01"} {
			assert.Equal(t, itemState(t, fresh, id).State, itemState(t, observed, id).State, "%s at %s", id, at)
		}
		// Once more at the same time with another run of the same
		// outcome: nothing is evaluated again.
		before := calls
		again := slices.Clone(results)
		again[0].Start = again[0].Start.Add(time.Second)
		again[0].Duration++
		assert.Equal(t, text(t, got), text(t, export(x, again)))
		assert.Equal(t, before, calls, "evaluated again at %s though nothing changed", at)
	}
	assert.Len(t, verdicts, 2, "the times should see both GO and NO-GO")
	assert.Less(t, calls, 2*len(times), "every scrape evaluated")
}

// TestExporterEvaluatesAtLeastEveryMinute: with nothing changing, the
// exporter still evaluates (and observe, the board's history, runs) once
// maxEvalAge has passed since the last evaluation, and not before.
func TestExporterEvaluatesAtLeastEveryMinute(t *testing.T) {
	m := smallModel(t, "attestations: []\n")
	now := goLive.Add(-3 * 24 * time.Hour)
	calls := 0
	x := m.ExporterObserved(func() time.Time { return now }, func(*Status) { calls++ })
	results := []collector.Result{res("backup", collector.StatusPass, "P1.1.01")}
	export(x, results)
	now = now.Add(maxEvalAge - time.Nanosecond)
	export(x, results)
	assert.Equal(t, 1, calls)
	now = now.Add(time.Nanosecond)
	export(x, results)
	assert.Equal(t, 2, calls)
	// A clock that goes back evaluates again too.
	now = now.Add(-time.Second)
	export(x, results)
	assert.Equal(t, 3, calls)
}

// TestExporterSeesAttestationErrors: a changed attestations file that does
// not load shows on the next scrape (the attestations' generation changes
// with the error too), and so does its fix.
func TestExporterSeesAttestationErrors(t *testing.T) {
	m := smallModel(t, "attestations: []\n")
	x := m.Exporter(func() time.Time { return goLive })
	loaded := func() float64 {
		for _, mt := range export(x, nil) {
			if mt.Desc() == descAttestLoaded {
				var d dto.Metric
				require.NoError(t, mt.Write(&d))
				return d.GetGauge().GetValue()
			}
		}
		t.Fatal("no golive_checklist_attestations_last_load_successful")
		return 0
	}
	assert.Equal(t, 1.0, loaded())
	path := m.Config().ResolvePath("attest.yml")
	require.NoError(t, os.WriteFile(path, []byte("attestations:\n  - {item: NOPE, by: A, at: 2026-11-20T10:00:00Z}\n"), 0o600))
	later := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	require.NoError(t, os.Chtimes(path, later, later))
	assert.Equal(t, 0.0, loaded())
	require.NoError(t, os.WriteFile(path, []byte("attestations: []\n"), 0o600))
	require.NoError(t, os.Chtimes(path, later.Add(time.Hour), later.Add(time.Hour)))
	assert.Equal(t, 1.0, loaded())
}
