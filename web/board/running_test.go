package board_test

import (
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/web/board"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A background check under way (a restore test taking minutes) shows as
// running beside the result of its previous run, on the page and in the
// JSON.
func TestBoardShowsRunningCheck(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "checklist.tsv", fixtureTSV)
	writeFile(t, dir, "golive.yml", `checklist:
  file: checklist.tsv
checks:
  - name: restore_test
    items: [P1.1.01]
    tcp: {address: "127.0.0.1:1"}
  - name: dumps
    items: [P1.1.02]
    tcp: {address: "127.0.0.1:1"}
`)
	cfg, err := config.LoadFile(filepath.Join(dir, "golive.yml"))
	require.NoError(t, err)
	m, err := checklist.New(cfg)
	require.NoError(t, err)
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	b := board.New(m, board.Options{Now: func() time.Time { return now }})
	results := []collector.Result{
		{Check: "restore_test", Kind: "restore", Items: []string{"P1.1.01"}, Status: collector.StatusPass, Reason: collector.ReasonNone,
			Start: now.Add(-20 * time.Hour), Running: true},
		{Check: "dumps", Kind: "dump_folder", Items: []string{"P1.1.02"}, Status: collector.StatusPass, Reason: collector.ReasonNone,
			Start: now.Add(-time.Minute)},
	}

	rec := httptest.NewRecorder()
	b.ServeBoard(rec, httptest.NewRequest("GET", "/", nil), results)
	body := rec.Body.String()
	assert.Regexp(t, `<span class="check-name">restore_test</span>: pass · last checked <time[^>]*>[^<]*</time> · <span class="running">running now</span>`, body)
	assert.Equal(t, 1, strings.Count(body, `class="running"`), "only the running check says so")

	rec = httptest.NewRecorder()
	b.ServeJSON(rec, httptest.NewRequest("GET", "/api/v1/status", nil), results)
	st := &checklist.Status{}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), st))
	it, ok := st.Item("P1.1.01")
	require.True(t, ok)
	require.Len(t, it.Checks, 1)
	assert.True(t, it.Checks[0].Running)
	it, _ = st.Item("P1.1.02")
	assert.False(t, it.Checks[0].Running)
}
