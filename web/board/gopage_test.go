package board_test

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/web/board"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goBoard is the fixture checklist where only the three probes block: the
// cache probe, the error-rate rule and the sign-off do not; the rule's
// check fails and nothing is attested. The verdict is GO.
func goBoard(t *testing.T) (*board.Board, []collector.Result) {
	t.Helper()
	m := fixtureModel(t, fixtureTSV, "checklist:\n  file: checklist.tsv\n  blockers: {except: [P1.1.03, P4.1.01, SO.1.01]}\nchecks:"+blockerChecks)
	pass := func(name string) collector.Result {
		return collector.Result{Check: name, Status: collector.StatusPass, Reason: collector.ReasonNone, Start: boardNow.Add(-time.Minute)}
	}
	results := []collector.Result{pass("web_port"), pass("api_port"), pass("app_health"),
		{Check: "error_rate", Status: collector.StatusFail, Reason: collector.ReasonTimeout, Message: "i/o timeout", Start: boardNow.Add(-time.Minute)}}
	return board.New(m, board.Options{Now: func() time.Time { return boardNow }}), results
}

// A GO page looks GO: what fails but does not block is amber and says "not
// blocking" in words, never red; missing attestations that do not block
// are grouped, folded and muted; nothing is tagged a blocker.
func TestBoardGoPageLooksGo(t *testing.T) {
	b, results := goBoard(t)
	rec := httptest.NewRecorder()
	b.ServeBoard(rec, httptest.NewRequest("GET", "/", nil), results)
	body := rec.Body.String()
	require.Contains(t, body, `id="verdict-text" class="verdict-text">GO<`)
	assert.NotContains(t, body, `<section id="blockers"`, "nothing blocks: no blockers list on the whole board")
	assert.NotContains(t, body, `tag blocker`)

	row := func(id string) string {
		t.Helper()
		r := regexp.MustCompile(`(?s)<tr id="item-` + regexp.QuoteMeta(id) + `".*?</tr>`).FindString(body)
		require.NotEmpty(t, r, "row of %s", id)
		return r
	}
	for id, state := range map[string]string{"P4.1.01": "fail", "P1.1.03": "unknown"} {
		r := row(id)
		assert.Contains(t, r, `class="item state-`+state+` no-block"`, id)
		assert.Contains(t, r, `<span class="tag not-blocking">not blocking</span>`, "%s says so in words", id)
		assert.Contains(t, r, `<span class="badge state-`+state+` no-block">`+state+`</span>`, id)
	}
	assert.Contains(t, row("P1.1.02"), `class="item state-pass"`)

	// The missing attestations, grouped per section, folded, muted.
	groups := regexp.MustCompile(`(?s)<details class="missing-group">.*?</details>`).FindAllString(body, -1)
	require.Len(t, groups, 2, "Data Preparation's and the sign-off's")
	assert.Contains(t, groups[0], `<summary>2 attestations not given yet · not blocking GO</summary>`)
	assert.Contains(t, groups[0], `id="item-P1.2.01"`)
	assert.Contains(t, groups[0], `id="item-P1.2.02"`)
	assert.Contains(t, groups[1], `<summary>1 attestation not given yet · not blocking GO</summary>`)
	assert.Contains(t, groups[1], `id="item-SO.1.01"`)
	assert.Contains(t, groups[1], `class="item state-missing no-block"`)
	assert.NotContains(t, strings.Join(groups, ""), "P4.1.01", "only missing attestations are folded")

	// The style sheet draws these rows and badges amber, not red.
	css := regexp.MustCompile(`(?s)<style[^>]*>(.*?)</style>`).FindStringSubmatch(body)[1]
	for _, rule := range []string{`.badge.no-block {`, `tr.no-block .reason`, `tr.no-block td.mark`, `.missing-group {`} {
		i := strings.Index(css, rule)
		require.GreaterOrEqual(t, i, 0, "no rule %s", rule)
		decl := css[i : i+strings.Index(css[i:], "}")]
		assert.NotContains(t, decl, "--nogo", rule)
	}
}

// On a NO-GO page a blocker stays red and says it blocks; what does not
// block beside it is amber.
func TestBoardNoGoMarksWhatBlocks(t *testing.T) {
	_, b := staticBoard(t, blockerChecks)
	rec := httptest.NewRecorder()
	b.ServeBoard(rec, httptest.NewRequest("GET", "/", nil), blockerResults())
	body := rec.Body.String()
	assert.Regexp(t, `<tr id="item-P1.1.02" class="item state-fail blocks"`, body)
	assert.Regexp(t, `<tr id="item-SO.1.01" class="item state-missing blocks"`, body)
	assert.Regexp(t, `(?s)<details class="missing-group">.*id="item-P1.2.02" class="item state-missing no-block"`, body)
	groups := strings.Join(regexp.MustCompile(`(?s)<details class="missing-group">.*?</details>`).FindAllString(body, -1), "")
	assert.NotContains(t, groups, `id="item-SO.1.01"`, "a missing sign-off that blocks is not folded away")
	assert.Contains(t, body, `id="item-SO.1.01"`)
}
