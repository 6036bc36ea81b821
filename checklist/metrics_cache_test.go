package checklist

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
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
	m := mustModel(t, map[string]string{
		"config.yml": strings.Replace(baseConfig, "%s", "", 1),
		"small.tsv":  smallTSV,
		"attest.yml": "attestations: []\n",
	})
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
