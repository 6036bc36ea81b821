package board_test

import (
	"html"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// longMessage is a check's message too long for the blockers list.
var longMessage = "unexpected answer: " + strings.Repeat("<x>", 100) + "END"

// blockerResults fail the fixture's API port (refused) and health check
// (a long message); the cache item has no check bound (unknown) and the
// sign-off is not attested (missing): four blockers, all due (no go-live
// time).
func blockerResults() []collector.Result {
	return []collector.Result{
		{Check: "web_port", Status: collector.StatusPass, Reason: collector.ReasonNone, Start: boardNow.Add(-time.Minute)},
		{Check: "api_port", Status: collector.StatusFail, Reason: collector.ReasonConnRefused,
			Message: "dial tcp 127.0.0.1:8443: connect: connection refused", Start: boardNow.Add(-time.Minute)},
		{Check: "app_health", Status: collector.StatusFail, Reason: collector.ReasonConditionFailed,
			Message: longMessage, Start: boardNow.Add(-time.Minute)},
	}
}

const blockerChecks = `
  - name: web_port
    items: [P1.1.01]
    tcp: {address: "127.0.0.1:1"}
  - name: api_port
    items: [P1.1.02]
    tcp: {address: "127.0.0.1:1"}
  - name: app_health
    items: [P1.1.04]
    tcp: {address: "127.0.0.1:1"}
  - name: error_rate
    items: [P4.1.01]
    tcp: {address: "127.0.0.1:1"}
`

// What blocks GO comes first, alone, and says per item what it is and why:
// the title, the section, the failing check with its reason and (cut
// short) message, or the item's own reason when no check fails.
func TestBoardBlockersFirstWithReasons(t *testing.T) {
	_, b := staticBoard(t, blockerChecks)
	results := append(blockerResults(), collector.Result{Check: "error_rate", Status: collector.StatusPass, Reason: collector.ReasonNone, Start: boardNow})
	rec := httptest.NewRecorder()
	b.ServeBoard(rec, httptest.NewRequest("GET", "/", nil), results)
	body := rec.Body.String()

	main := body[strings.Index(body, "<main>"):]
	sec := regexp.MustCompile(`(?s)<section id="blockers".*?</section>`).FindString(main)
	require.NotEmpty(t, sec)
	assert.Equal(t, strings.Index(main, `<section id="blockers"`), strings.Index(main, "<section"), "the blockers are the first section of the page")
	assert.Contains(t, sec, "What blocks GO")
	assert.Contains(t, sec, `4 open`)

	row := func(id string) string {
		t.Helper()
		r := regexp.MustCompile(`(?s)<tr class="blocker-row[^"]*" data-item="` + regexp.QuoteMeta(id) + `">.*?</tr>`).FindString(sec)
		require.NotEmpty(t, r, "blocker row of %s in %s", id, sec)
		return r
	}
	api := row("P1.1.02")
	assert.Contains(t, api, `<a href="#item-P1.1.02">`)
	assert.Contains(t, api, "API answers on its port")
	assert.Contains(t, api, `<span class="where">P1 · Infrastructure Verification</span>`)
	assert.Contains(t, api, `<span class="check-name">api_port</span>`)
	assert.Contains(t, api, `<span class="why">connection_refused</span>`)
	assert.Contains(t, api, `<span class="message">dial tcp 127.0.0.1:8443: connect: connection refused</span>`)
	assert.Contains(t, api, `<span class="badge state-fail">fail</span>`, "the state in words, not colour alone")

	health := row("P1.1.04")
	assert.Contains(t, health, `<span class="why">condition_failed</span>`)
	msg := regexp.MustCompile(`<span class="message"[^>]*>([^<]*)</span>`).FindStringSubmatch(health)
	require.Len(t, msg, 2, health)
	msg[1] = html.UnescapeString(msg[1])
	assert.True(t, strings.HasSuffix(msg[1], "…"), "a long message is cut short: %q", msg[1])
	assert.NotContains(t, msg[1], "END")
	assert.Less(t, len([]rune(msg[1])), 200)
	assert.Contains(t, health, `title="`+strings.ReplaceAll(strings.ReplaceAll(longMessage, "<", "&lt;"), ">", "&gt;")+`"`, "the whole message on hover")

	cache := row("P1.1.03")
	assert.Contains(t, cache, "no check bound", "an item with no failing check shows its own reason")
	sign := row("SO.1.01")
	assert.Contains(t, sign, "not attested")
	assert.Contains(t, sign, `<span class="where">SO · Project Leadership Approval</span>`)

	assert.NotContains(t, sec, "P1.1.01", "a passing item is no blocker")
	assert.NotContains(t, sec, "P1.2.02", "a missing attestation that does not block is not listed")
	assert.Contains(t, body, `<section class="phase" id="phase-P1"`, "the whole board follows")
}

// ?blockers=1 shows the verdict and what blocks GO, nothing else.
func TestBoardBlockersOnlyView(t *testing.T) {
	_, b := staticBoard(t, blockerChecks)
	results := append(blockerResults(), collector.Result{Check: "error_rate", Status: collector.StatusFail, Reason: collector.ReasonTimeout, Message: "i/o timeout", Start: boardNow})
	rec := httptest.NewRecorder()
	b.ServeBoard(rec, httptest.NewRequest("GET", "/?blockers=1", nil), results)
	body := rec.Body.String()
	assert.Contains(t, body, `id="verdict-text" class="verdict-text">NO-GO<`)
	assert.Contains(t, body, `<section id="blockers"`)
	for _, id := range []string{"P1.1.02", "P1.1.03", "P1.1.04", "P4.1.01", "SO.1.01"} {
		assert.Contains(t, body, `data-item="`+id+`"`)
	}
	assert.NotContains(t, body, `class="phase"`, "no phase list")
	assert.NotContains(t, body, `id="failing-early"`)
	assert.NotContains(t, body, `<tr id="item-`, "no item rows of the full board")
	assert.NotRegexp(t, `class="filter[ "]`, body, "no filters")
	assert.Contains(t, body, `<a href="./#item-P1.1.02">`, "each blocker links to its row on the whole board")
	assert.Contains(t, body, `href="./">Whole board</a>`)

	// Nothing blocks: the view says so in words.
	rec = httptest.NewRecorder()
	_, b = staticBoard(t, "\n  - name: only\n    items: [P1.1.01]\n    tcp: {address: \"127.0.0.1:1\"}\n")
	b.ServeBoard(rec, httptest.NewRequest("GET", "/?blockers=1", nil), nil)
	assert.Contains(t, rec.Body.String(), `id="blockers"`)
}
