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

// boardNow is the clock of the boards staticBoard makes.
var boardNow = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// fixtureModel is the checklist model of checklist tsv with the
// configuration yml (which names the checklist file checklist.tsv).
func fixtureModel(t *testing.T, tsv, yml string) *checklist.Model {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "checklist.tsv", tsv)
	writeFile(t, dir, "golive.yml", yml)
	cfg, err := config.LoadFile(filepath.Join(dir, "golive.yml"))
	require.NoError(t, err)
	m, err := checklist.New(cfg)
	require.NoError(t, err)
	return m
}

// staticBoard makes the board of the fixture checklist with the given
// checks (the YAML list under checks:), at boardNow; no check runs: the
// tests hand the board their results.
func staticBoard(t *testing.T, checks string) (*checklist.Model, *board.Board) {
	t.Helper()
	m := fixtureModel(t, fixtureTSV, "checklist:\n  file: checklist.tsv\nchecks:"+checks)
	return m, board.New(m, board.Options{Now: func() time.Time { return boardNow }})
}

// A background check under way (a restore test taking minutes) shows as
// running beside the result of its previous run, on the page and in the
// JSON.
func TestBoardShowsRunningCheck(t *testing.T) {
	_, b := staticBoard(t, `
  - name: restore_test
    items: [P1.1.01]
    tcp: {address: "127.0.0.1:1"}
  - name: dumps
    items: [P1.1.02]
    tcp: {address: "127.0.0.1:1"}
`)
	results := []collector.Result{
		{Check: "restore_test", Kind: "restore", Items: []string{"P1.1.01"}, Status: collector.StatusPass, Reason: collector.ReasonNone,
			Start: boardNow.Add(-20 * time.Hour), Running: true},
		{Check: "dumps", Kind: "dump_folder", Items: []string{"P1.1.02"}, Status: collector.StatusPass, Reason: collector.ReasonNone,
			Start: boardNow.Add(-time.Minute)},
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
