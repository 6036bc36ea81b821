package board_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/golive/golive_exporter/web/board"
)

// A first start without a history file (a pod without a volume) takes the
// verdict's last days from a real Prometheus that scraped the exporter;
// a history that has a verdict keeps its own.
func TestHistorySeedFromPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Prometheus")
	}
	prom := testutil.Tool(t, "prometheus")
	promtool := testutil.Tool(t, "promtool")
	now := time.Now().UTC().Truncate(time.Minute)
	// The exporter was scraped every minute for 3 days: GO, NO-GO from
	// 26h ago for an hour, GO, NO-GO from 40 minutes ago. Another job's
	// series must not count.
	flips := []time.Time{now.Add(-26 * time.Hour), now.Add(-25 * time.Hour), now.Add(-40 * time.Minute)}
	ready := func(ts time.Time) int {
		v := 1
		for _, f := range flips {
			if !ts.Before(f) {
				v = 1 - v
			}
		}
		return v
	}
	path := filepath.Join(t.TempDir(), "backfill.om")
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "# TYPE golive_checklist_ready gauge")
	start := now.Add(-3 * 24 * time.Hour)
	for ts := start; !ts.After(now); ts = ts.Add(time.Minute) {
		fmt.Fprintf(w, "golive_checklist_ready{instance=\"golive:10720\",job=\"golive\"} %d %d\n", ready(ts), ts.Unix())
		fmt.Fprintf(w, "golive_checklist_ready{instance=\"other:10720\",job=\"other\"} 0 %d\n", ts.Unix())
	}
	fmt.Fprintln(w, "# EOF")
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
	dataDir := t.TempDir()
	testutil.CreateBlocks(t, promtool, path, dataDir)
	url := testutil.StartPrometheus(t, prom, dataDir)

	h, err := board.OpenHistory(filepath.Join(t.TempDir(), "history.json"), nil, now)
	require.NoError(t, err)
	require.NoError(t, h.SeedFromPrometheus(context.Background(), nil, url, `{job="golive"}`, now))
	m := historyModel(t)
	st := m.Evaluate(historyResults(now, false), now)
	h.Annotate(st)
	require.NotNil(t, st.History)
	assert.Equal(t, []checklist.VerdictChange{{Verdict: "GO", At: start}, {Verdict: "NO-GO", At: flips[0]}, {Verdict: "GO", At: flips[1]}, {Verdict: "NO-GO", At: flips[2]}}, st.History.Changes)
	assert.Equal(t, start, st.History.Start)
	assert.Equal(t, "GO", st.History.Previous)

	// The next change is recorded after the seeded ones.
	h.Record(m.Evaluate(historyResults(now, true), now.Add(time.Minute)))
	st = m.Evaluate(historyResults(now, true), now.Add(2*time.Minute))
	h.Annotate(st)
	assert.Len(t, st.History.Changes, 5)

	// A history with a verdict of its own is not overwritten.
	require.NoError(t, h.SeedFromPrometheus(context.Background(), nil, url, `{job="golive"}`, now))
	h.Annotate(st)
	assert.Len(t, st.History.Changes, 5)

	// A selector that matches nothing says so.
	fresh, err := board.OpenHistory("", nil, now)
	require.NoError(t, err)
	err = fresh.SeedFromPrometheus(context.Background(), nil, url, `{job="nope"}`, now)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no golive_checklist_ready{job="nope"} in the last 7 days; check the selector`)
}
