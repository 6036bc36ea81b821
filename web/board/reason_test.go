package board_test

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A failed condition shows once, under its check line; the item's reason
// line, which would repeat it, is left out. A failure the check line does
// not spell out (a refused connection's message) keeps its reason line, and
// so does an item with such a failure beside a failed condition.
func TestBoardShowsFailedConditionOnce(t *testing.T) {
	m, b := staticBoard(t, `
  - name: backup_age
    items: [P1.1.01, P1.1.03]
    tcp: {address: "127.0.0.1:1"}
  - name: api_port
    items: [P1.1.02, P1.1.03]
    tcp: {address: "127.0.0.1:1"}
  - name: health
    items: [P1.1.04]
    tcp: {address: "127.0.0.1:1"}
`)
	now := boardNow
	results := []collector.Result{
		// An age condition fails with reason stale (as every too-old
		// figure does): still a failed condition the check line shows.
		{Check: "backup_age", Status: collector.StatusFail, Reason: collector.ReasonStale,
			Message: "age: observed 3d, expected < 1d", Start: now.Add(-time.Minute),
			Conditions: []collector.Condition{{Name: "age", OK: false, Observed: "3d", Expected: "< 1d", Reason: collector.ReasonStale}}},
		{Check: "api_port", Status: collector.StatusFail, Reason: collector.ReasonConnRefused,
			Message: "dial tcp 127.0.0.1:8443: connect: connection refused", Start: now.Add(-time.Minute)},
		// A warning condition alone is no failure the reason names.
		{Check: "health", Status: collector.StatusWarn, Reason: collector.ReasonNone,
			Message: "latency: observed 900ms, expected < 500ms", Start: now.Add(-time.Minute),
			Conditions: []collector.Condition{{Name: "latency", OK: false, Observed: "900ms", Expected: "< 500ms", Warning: true}}},
	}
	rec := httptest.NewRecorder()
	b.ServeBoard(rec, httptest.NewRequest("GET", "/", nil), results)
	body := rec.Body.String()

	row := func(id string) string {
		t.Helper()
		m := regexp.MustCompile(`(?s)<tr id="item-` + regexp.QuoteMeta(id) + `".*?</tr>`).FindString(body)
		require.NotEmpty(t, m, "row of %s", id)
		return m
	}
	// One check, failed on a condition: the condition once, no reason line.
	p1 := row("P1.1.01")
	assert.Equal(t, 1, strings.Count(p1, "observed 3d, expected &lt; 1d"), p1)
	assert.Contains(t, p1, `<div class="condition">age: observed 3d, expected &lt; 1d</div>`)
	assert.Contains(t, p1, `<span class="check-name">backup_age</span>: fail (stale)`)
	assert.NotContains(t, p1, `class="reason"`)
	// A refused connection: its message is only in the reason line.
	p2 := row("P1.1.02")
	assert.Contains(t, p2, `<div class="reason">api_port: connection_refused: dial tcp 127.0.0.1:8443: connect: connection refused</div>`)
	// Both on one item: the reason line stays, for the refused connection.
	p3 := row("P1.1.03")
	assert.Contains(t, p3, `<div class="reason">backup_age: stale: age: observed 3d, expected &lt; 1d; api_port: connection_refused: dial tcp`)
	assert.Contains(t, p3, `<div class="condition">age: observed 3d, expected &lt; 1d</div>`)
	// A warning passes the item: no reason line, the condition under its check.
	p4 := row("P1.1.04")
	assert.Contains(t, p4, `<div class="condition">latency: observed 900ms, expected &lt; 500ms</div>`)
	assert.NotContains(t, p4, `class="reason"`)

	// The JSON keeps the reason of every item: scripts read it, not the page.
	st := m.Evaluate(results, now)
	it, ok := st.Item("P1.1.01")
	require.True(t, ok)
	assert.Equal(t, "backup_age: stale: age: observed 3d, expected < 1d", it.Reason)
}
