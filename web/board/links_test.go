package board_test

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/web/board"
)

// Every check shows its evidence next to it: its configured links (the
// report, the dashboard), then the runbook of the alert its failure fires,
// in the item's row, in the blockers list and in the JSON. Titles are text,
// never markup.
func TestBoardEvidenceLinks(t *testing.T) {
	m := fixtureModel(t, fixtureTSV, `checklist:
  file: checklist.tsv
checks:
  - name: web_port
    items: [P1.1.01]
    tcp: {address: "127.0.0.1:1"}
  - name: api_port
    items: [P1.1.02]
    tcp: {address: "127.0.0.1:1"}
    links:
      - {title: "Port scan <b>report</b>", url: "https://ci.example.com/scan?run=42&x=1"}
      - {title: Dashboard, url: "https://grafana.example.com/d/golive"}
`)
	b := board.New(m, board.Options{Now: func() time.Time { return boardNow }, RunbookBase: "https://wiki.example.com/runbooks"})

	rec := httptest.NewRecorder()
	b.ServeBoard(rec, httptest.NewRequest("GET", "/", nil), blockerResults())
	body := rec.Body.String()
	links := `<span class="evidence-links"><a class="evidence-link" href="https://ci.example.com/scan?run=42&amp;x=1" rel="noopener noreferrer">Port scan &lt;b&gt;report&lt;/b&gt;</a>, ` +
		`<a class="evidence-link" href="https://grafana.example.com/d/golive" rel="noopener noreferrer">Dashboard</a>, ` +
		`<a class="evidence-link" href="https://wiki.example.com/runbooks/GoLiveEndpointCheckFailing.md" rel="noopener noreferrer">runbook</a></span>`
	row := regexp.MustCompile(`(?s)<tr id="item-P1.1.02".*?</tr>`).FindString(body)
	assert.Contains(t, row, links)
	blockers := regexp.MustCompile(`(?s)<section id="blockers".*?</section>`).FindString(body)
	assert.Contains(t, blockers, links)
	// A check without links of its own still has its runbook.
	assert.Regexp(t, `(?s)<tr id="item-P1.1.01".*?<span class="evidence-links"><a class="evidence-link" href="https://wiki.example.com/runbooks/GoLiveEndpointCheckFailing.md" rel="noopener noreferrer">runbook</a></span>`, body)

	rec = httptest.NewRecorder()
	b.ServeJSON(rec, httptest.NewRequest("GET", "/api/v1/status", nil), blockerResults())
	var st checklist.Status
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st))
	it, ok := st.Item("P1.1.02")
	require.True(t, ok)
	require.Len(t, it.Checks, 1)
	assert.Equal(t, "tcp", it.Checks[0].Kind)
	assert.Equal(t, []checklist.Link{
		{Title: "Port scan <b>report</b>", URL: "https://ci.example.com/scan?run=42&x=1"},
		{Title: "Dashboard", URL: "https://grafana.example.com/d/golive"},
		{Title: "runbook", URL: "https://wiki.example.com/runbooks/GoLiveEndpointCheckFailing.md"},
	}, it.Checks[0].Links)

	// Without a runbook base only the configured links show, and the
	// model's own status is not changed by a board adding runbooks.
	_, plain := staticBoard(t, blockerChecks)
	rec = httptest.NewRecorder()
	plain.ServeBoard(rec, httptest.NewRequest("GET", "/", nil), blockerResults())
	assert.NotContains(t, rec.Body.String(), `class="evidence-link"`)
	again := m.Evaluate(blockerResults(), boardNow)
	it, _ = again.Item("P1.1.02")
	assert.Len(t, it.Checks[0].Links, 2)
}
