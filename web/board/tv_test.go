package board_test

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

// ?tv=1 is the board for a wall screen: large type, no controls, the page
// still reloads itself, and its filters stay in its URL across reloads.
func TestBoardTVMode(t *testing.T) {
	_, b := staticBoard(t, blockerChecks)
	cases := []struct {
		name, url, refresh string
		rows, noRows       []string
	}{
		{name: "whole board", url: "/?tv=1", refresh: "?tv=1",
			rows: []string{"P1.1.01", "SO.1.01"}},
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
