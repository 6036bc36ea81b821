package board_test

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ?tv=1 is the board for a wall screen: large type, no controls, the page
// still reloads itself, and its filters stay in its URL across reloads.
func TestBoardTVMode(t *testing.T) {
	_, b := staticBoard(t, blockerChecks)
	cases := []struct {
		name, url, refresh string
		rows, noRows       []string
	}{
		{name: "whole board: rotates, the first phase first", url: "/?tv=1", refresh: "?phase=P4&amp;rotate=1&amp;tv=1",
			rows: []string{"P1.1.01"}, noRows: []string{"P4.1.01", "SO.1.01"}},
		{name: "one phase, failing only", url: "/?tv=1&phase=P1&failing=1", refresh: "?failing=1&amp;phase=P1&amp;tv=1",
			rows: []string{"P1.1.02"}, noRows: []string{"P1.1.01", "SO.1.01"}},
		{name: "blockers only", url: "/?tv=yes&blockers=1", refresh: "?blockers=1&amp;tv=1",
			noRows: []string{"P1.1.01"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			b.ServeBoard(rec, httptest.NewRequest("GET", tc.url, nil), blockerResults())
			body := rec.Body.String()
			assert.Contains(t, body, `<body class="tv">`, "large type")
			assert.Contains(t, body, `<meta http-equiv="refresh" content="30; url=`+tc.refresh+`">`, "reloads itself, keeping its filters")
			assert.NotContains(t, body, "<nav", "no controls")
			assert.NotContains(t, body, `class="filter`)
			assert.Contains(t, body, `id="verdict-text" class="verdict-text">NO-GO<`)
			assert.Contains(t, body, `<section id="blockers"`)
			for _, id := range tc.rows {
				assert.Contains(t, body, `<tr id="item-`+id+`"`)
			}
			for _, id := range tc.noRows {
				assert.NotContains(t, body, `<tr id="item-`+id+`"`)
			}
		})
	}

	// The ordinary board links to its TV mode with its filters, and its
	// filter links keep each other.
	rec := httptest.NewRecorder()
	b.ServeBoard(rec, httptest.NewRequest("GET", "/?phase=P1&failing=1", nil), blockerResults())
	body := rec.Body.String()
	assert.Contains(t, body, `<body>`)
	assert.Contains(t, body, `<a href="?failing=1&amp;phase=P1&amp;tv=1">TV mode</a>`)
	assert.Contains(t, body, `<a href="?failing=1" class="filter phase-filter">All phases</a>`)
	assert.Contains(t, body, `<a href="?phase=P1" class="filter">All items</a>`)
	assert.Contains(t, body, `<meta http-equiv="refresh" content="30; url=?failing=1&amp;phase=P1">`)
}

// ?tv=1 alone rotates through the phases, the phase in effect first: each
// reload shows the next one (the meta refresh carries it in the URL, so it
// works without a script), and ?failing=1 stays; ?phase= pins one phase.
func TestBoardTVRotatesPhases(t *testing.T) {
	goLive := boardNow.Truncate(time.Hour)
	// Three days before go-live the sign-off week is in effect.
	b := boardAt(t, phaseTSV, goLive, goLive.Add(-3*24*time.Hour), "", blockerChecks)
	shown := func(body string) []string {
		var ids []string
		for _, m := range phaseOrder.FindAllStringSubmatch(body, -1) {
			ids = append(ids, m[1])
		}
		return ids
	}
	refresh := regexp.MustCompile(`<meta http-equiv="refresh" content="30; url=([^"]+)">`)
	url := "/?tv=1"
	var seen []string
	for range 5 {
		body := serve(t, b, url, blockerResults())
		ids := shown(body)
		require.Len(t, ids, 1, url)
		seen = append(seen, ids[0])
		assert.Contains(t, body, `<section id="blockers"`, "the blockers stay on every page")
		assert.Regexp(t, `<p id="rotation" class="rotation">Phase `+ids[0]+` · \d of 4 · next: \w+</p>`, body)
		m := refresh.FindStringSubmatch(body)
		require.NotNil(t, m, url)
		url = "/" + strings.ReplaceAll(m[1], "&amp;", "&")
	}
	assert.Equal(t, []string{"SO", "P1", "P4", "P5", "SO"}, seen)
	assert.Equal(t, "/?phase=P1&rotate=1&tv=1", url, "the URL names the phase shown next")

	// Failing only: only the phases with something failing take a turn,
	// and the filter stays in the URL.
	body := serve(t, b, "/?tv=1&failing=1", blockerResults())
	assert.Equal(t, []string{"SO"}, shown(body))
	assert.Contains(t, body, `content="30; url=?failing=1&amp;phase=P1&amp;rotate=1&amp;tv=1"`)

	// A phase given without rotate=1 is pinned.
	body = serve(t, b, "/?tv=1&phase=P4", blockerResults())
	assert.Equal(t, []string{"P4"}, shown(body))
	assert.Contains(t, body, `content="30; url=?phase=P4&amp;tv=1"`)
	assert.NotContains(t, body, `id="rotation"`)
}
