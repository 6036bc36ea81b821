package board_test

import (
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/web/board"
)

// phaseTSV is the fixture checklist with a first-week item (P5, due from
// go-live for 7 days).
const phaseTSV = fixtureTSV + "P5.1.01\tP5\tStability\tStability\tNo P1 incident in the first week\tmanual\t\n"

// boardAt is the board of checklist tsv going live at goLive, judged at
// now.
func boardAt(t *testing.T, tsv string, goLive, now time.Time, extra, checks string) *board.Board {
	t.Helper()
	m := fixtureModel(t, tsv, "checklist:\n  file: checklist.tsv\n  go_live: "+goLive.Format(time.RFC3339)+"\n"+extra+"checks:"+checks)
	return board.New(m, board.Options{Now: func() time.Time { return now }})
}

func serve(t *testing.T, b *board.Board, url string, results []collector.Result) string {
	t.Helper()
	rec := httptest.NewRecorder()
	b.ServeBoard(rec, httptest.NewRequest("GET", url, nil), results)
	return rec.Body.String()
}

var phaseOrder = regexp.MustCompile(`<section class="phase[^"]*" id="phase-([^"]+)"`)

// The phase in effect comes first and is marked, in words too: two days
// after go-live the board starts at the first week (P5), not at P1.
func TestBoardCurrentPhaseFirst(t *testing.T) {
	goLive := boardNow.Truncate(time.Hour)
	cases := []struct {
		name    string
		now     time.Time
		current string
		order   []string
	}{
		{name: "ten days before: pre-launch", now: goLive.Add(-10 * 24 * time.Hour), current: "P1", order: []string{"P1", "P4", "SO", "P5"}},
		{name: "three days before: the sign-off week", now: goLive.Add(-3 * 24 * time.Hour), current: "SO", order: []string{"SO", "P1", "P4", "P5"}},
		{name: "two hours after: the first 24 hours", now: goLive.Add(2 * time.Hour), current: "P4", order: []string{"P4", "P1", "SO", "P5"}},
		{name: "two days after: the first week", now: goLive.Add(48 * time.Hour), current: "P5", order: []string{"P5", "P1", "P4", "SO"}},
		{name: "a month after: none", now: goLive.Add(30 * 24 * time.Hour), order: []string{"P1", "P4", "SO", "P5"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := boardAt(t, phaseTSV, goLive, tc.now, "", blockerChecks)
			body := serve(t, b, "/", blockerResults())
			var order []string
			for _, m := range phaseOrder.FindAllStringSubmatch(body, -1) {
				order = append(order, m[1])
			}
			assert.Equal(t, tc.order, order)
			current := regexp.MustCompile(`<section class="phase current" id="phase-([^"]+)"`).FindAllStringSubmatch(body, -1)
			if tc.current == "" {
				assert.Empty(t, current)
				return
			}
			require.Len(t, current, 1)
			assert.Equal(t, tc.current, current[0][1])
			assert.Regexp(t, `id="phase-`+tc.current+`"[^>]*>\s*<h2>[^<]*<span class="phase-id">`+tc.current+`</span> <span class="tag now">in effect now</span></h2>`, body)
			// The phase filter lists the current phase first too.
			assert.Regexp(t, `All phases</a><a href="\?phase=`+tc.current+`" class="filter phase-filter current"`, body)
		})
	}
}

// "Failing early" lists what fails before its window; under ?phase= it
// lists only that phase's items, like the rest of the page (it listed the
// whole checklist's).
func TestBoardFailingEarlyKeepsPhaseFilter(t *testing.T) {
	now := boardNow
	b := boardAt(t, fixtureTSV, now.Add(26*time.Hour).Truncate(time.Minute), now, "", blockerChecks)
	results := append(blockerResults(), collector.Result{Check: "error_rate", Status: collector.StatusFail, Reason: collector.ReasonTimeout, Message: "i/o timeout", Start: now})
	early := regexp.MustCompile(`(?s)<section id="failing-early".*?</section>`)

	sec := early.FindString(serve(t, b, "/", results))
	assert.Contains(t, sec, `href="#item-P4.1.01"`)
	sec = early.FindString(serve(t, b, "/?phase=P4", results))
	assert.Contains(t, sec, `href="#item-P4.1.01"`)
	assert.Empty(t, early.FindString(serve(t, b, "/?phase=P1", results)), "P1 has nothing failing early")
	assert.Empty(t, early.FindString(serve(t, b, "/?phase=p1&failing=1", results)))
}

// The clock says T− before go-live and T+ after, in words and not only in
// colour; after go-live it is calm under GO and alarmed under NO-GO.
func TestBoardClockAfterGoLive(t *testing.T) {
	goLive := boardNow.Truncate(time.Hour)
	goChecks := blockerChecks
	except := "  blockers: {except: [P1.1.02, P1.1.03, P1.1.04, P4.1.01, SO.1.01]}\n"
	cases := []struct {
		name, extra, verdict, class, text, label string
		now                                      time.Time
	}{
		{name: "before", now: goLive.Add(-(26*time.Hour + 3*time.Minute + 4*time.Second)), verdict: "NO-GO", class: "countdown before", text: "T− 1d 02:03:04", label: "until go-live"},
		{name: "after, GO", extra: except, now: goLive.Add(2*time.Hour + 5*time.Second), verdict: "GO", class: "countdown live-go", text: "T&#43; 02:00:05", label: "live since go-live · GO"},
		{name: "after, NO-GO", now: goLive.Add(50 * time.Hour), verdict: "NO-GO", class: "countdown live-nogo", text: "T&#43; 2d 02:00:00", label: "live since go-live · NO-GO"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := boardAt(t, phaseTSV, goLive, tc.now, tc.extra, goChecks)
			body := serve(t, b, "/", blockerResults())
			assert.Contains(t, body, `id="verdict-text" class="verdict-text">`+tc.verdict+`<`)
			assert.Regexp(t, `<div id="countdown" class="`+tc.class+`" data-golive="\d+">`+regexp.QuoteMeta(tc.text)+`</div>`, body)
			assert.Contains(t, body, `<div class="clock-label">`+tc.label+`</div>`)
		})
	}
}
