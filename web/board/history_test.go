package board_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/web/board"
)

// historyModel is the fixture checklist where only the two ports block:
// api_port decides GO (passing) or NO-GO (failing).
func historyModel(t *testing.T) *checklist.Model {
	t.Helper()
	m := fixtureModel(t, fixtureTSV, "checklist:\n  file: checklist.tsv\n  blockers: {except: [P1.1.03, P1.1.04, P4.1.01, SO.1.01]}\nchecks:"+blockerChecks)
	return m
}

// historyResults are every check's results at at, api_port passing or
// not.
func historyResults(at time.Time, apiOK bool) []collector.Result {
	res := func(name string, ok bool) collector.Result {
		if ok {
			return collector.Result{Check: name, Status: collector.StatusPass, Reason: collector.ReasonNone, Start: at}
		}
		return collector.Result{Check: name, Status: collector.StatusFail, Reason: collector.ReasonConnRefused, Message: "connection refused", Start: at}
	}
	return []collector.Result{res("web_port", true), res("api_port", apiOK), res("app_health", false), res("error_rate", true)}
}

func since(t *testing.T, st *checklist.Status, id string) time.Time {
	t.Helper()
	it, ok := st.Item(id)
	require.True(t, ok, id)
	require.NotNil(t, it.StateSince, "%s has no since", id)
	return *it.StateSince
}

// A state seen on every scrape is recorded once, with the time it was
// first seen; a change is recorded at once, for the item and the verdict.
func TestHistoryRecordsTransitionsOnce(t *testing.T) {
	m := historyModel(t)
	t0 := boardNow
	path := filepath.Join(t.TempDir(), "history.json")
	h, err := board.OpenHistory(path, nil, t0)
	require.NoError(t, err)

	for i := range 5 {
		h.Record(m.Evaluate(historyResults(t0, false), t0.Add(time.Duration(i)*time.Minute)))
	}
	written, err := os.ReadFile(path)
	require.NoError(t, err)
	// More scrapes in the same states change nothing on disk.
	for i := range 5 {
		h.Record(m.Evaluate(historyResults(t0, false), t0.Add(time.Duration(10+i)*time.Minute)))
	}
	again, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(written), string(again))

	t1 := t0.Add(2 * time.Hour)
	h.Record(m.Evaluate(historyResults(t1, true), t1))
	st := m.Evaluate(historyResults(t1, true), t1.Add(time.Hour))
	h.Annotate(st)
	assert.Equal(t, t1, since(t, st, "P1.1.02"), "api_port passes from t1 on")
	assert.Equal(t, t0, since(t, st, "P1.1.01"), "web_port passed all along")
	assert.Equal(t, t0, since(t, st, "P1.1.04"), "app_health failed all along")
	require.NotNil(t, st.History)
	assert.Equal(t, []checklist.VerdictChange{{Verdict: "NO-GO", At: t0}, {Verdict: "GO", At: t1}}, st.History.Changes)
	assert.Equal(t, t1, st.History.Since)
	assert.Equal(t, "NO-GO", st.History.Previous)
	assert.Equal(t, t0, *st.History.PreviousSince)
	assert.Equal(t, t0, st.History.Start)
}

// The history survives a restart: "passing for 3d" is not reset by the
// exporter starting again, nor by the minutes before its checks first ran.
func TestHistorySurvivesRestart(t *testing.T) {
	m := historyModel(t)
	t0 := boardNow
	path := filepath.Join(t.TempDir(), "history.json")
	h, err := board.OpenHistory(path, nil, t0)
	require.NoError(t, err)
	h.Record(m.Evaluate(historyResults(t0, true), t0))

	t1 := t0.Add(72 * time.Hour)
	h2, err := board.OpenHistory(path, nil, t1)
	require.NoError(t, err)
	// Just after the start nothing has run: every check is not_run_yet.
	h2.Record(m.Evaluate(nil, t1))
	h2.Record(m.Evaluate(historyResults(t1, true), t1.Add(time.Minute)))
	st := m.Evaluate(historyResults(t1, true), t1.Add(2*time.Minute))
	h2.Annotate(st)
	assert.Equal(t, t0, since(t, st, "P1.1.02"))
	require.NotNil(t, st.History)
	assert.Equal(t, []checklist.VerdictChange{{Verdict: "GO", At: t0}}, st.History.Changes, "the warm-up NO-GO is not a change")
	assert.Equal(t, t0, st.History.Start)
	assert.Empty(t, st.History.Previous)
}

// A history file that is not one (cut short, another program's, too
// large) does not stop the exporter: it is moved aside with a warning and
// a fresh history starts in its place.
func TestHistoryCorruptFileStartsFresh(t *testing.T) {
	for name, content := range map[string][]byte{
		"cut short":     []byte(`{"version":1,"start":"2026-11-30T08:00:00Z","verdict":[{"verd`),
		"other version": []byte(`{"version":99,"start":"2026-11-30T08:00:00Z","verdict":[],"items":{}}`),
		"unknown key":   []byte(`{"version":1,"start":"2026-11-30T08:00:00Z","verdict":[],"items":{},"x":1}`),
		"too large":     bytes.Repeat([]byte(" "), 1<<20+1),
	} {
		t.Run(name, func(t *testing.T) {
			m := historyModel(t)
			path := filepath.Join(t.TempDir(), "history.json")
			require.NoError(t, os.WriteFile(path, content, 0o600))
			var log bytes.Buffer
			h, err := board.OpenHistory(path, slog.New(slog.NewTextHandler(&log, nil)), boardNow)
			require.NoError(t, err)
			assert.Contains(t, log.String(), "board history not readable; starting a fresh one")
			aside, err := os.ReadFile(path + ".corrupt")
			require.NoError(t, err)
			assert.Equal(t, content, aside, "kept for a look")

			h.Record(m.Evaluate(historyResults(boardNow, true), boardNow))
			h2, err := board.OpenHistory(path, nil, boardNow.Add(time.Hour))
			require.NoError(t, err)
			st := m.Evaluate(historyResults(boardNow, true), boardNow.Add(time.Hour))
			h2.Annotate(st)
			assert.Equal(t, boardNow, since(t, st, "P1.1.02"), "the fresh history is written and read back")
		})
	}
}

// The history stays small: the verdict's changes of the last 7 days, at
// most 500 of them, and the file stays far below its 1 MiB read limit
// even with a verdict flapping on every scrape.
func TestHistoryBounded(t *testing.T) {
	m := historyModel(t)
	t0 := boardNow
	path := filepath.Join(t.TempDir(), "history.json")
	h, err := board.OpenHistory(path, nil, t0)
	require.NoError(t, err)
	// Ten days of a change every hour, then 600 changes 15 s apart.
	at := t0
	for i := range 240 {
		h.Record(m.Evaluate(historyResults(at, i%2 == 0), at))
		at = at.Add(time.Hour)
	}
	last := at.Add(-time.Hour)
	st := m.Evaluate(historyResults(last, false), last)
	h.Annotate(st)
	require.NotNil(t, st.History)
	// Kept: the changes of the last 7 days, and the one before them (the
	// verdict when the 7 days began).
	assert.Equal(t, last.Add(-board.HistoryRetention-time.Hour), st.History.Changes[0].At)
	assert.Equal(t, last.Add(-board.HistoryRetention), st.History.Changes[1].At)

	for i := range 600 {
		h.Record(m.Evaluate(historyResults(at, i%2 == 0), at))
		at = at.Add(15 * time.Second)
	}
	st = m.Evaluate(historyResults(at, false), at)
	h.Annotate(st)
	assert.Len(t, st.History.Changes, 500)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Less(t, info.Size(), int64(64<<10))
}

// The board says since when: each item "failing since 09:12" or "passing
// for 3d 2h", the verdict "NO-GO since 10:42, was GO for 2h" as an
// alert when a GO turned NO-GO, and the verdict's last days drawn and
// listed in words; the JSON has the same.
func TestBoardShowsHistory(t *testing.T) {
	m := historyModel(t)
	t0 := time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC)
	h, err := board.OpenHistory(filepath.Join(t.TempDir(), "history.json"), nil, t0)
	require.NoError(t, err)
	flip := time.Date(2026, 11, 30, 10, 42, 0, 0, time.UTC)
	now := flip.Add(20 * time.Minute)
	b := board.New(m, board.Options{Now: func() time.Time { return now }, History: h})
	// GO from t0, NO-GO for an hour, GO again, NO-GO from 10:42.
	h.Record(m.Evaluate(historyResults(t0, true), t0))
	h.Record(m.Evaluate(historyResults(t0, false), t0.Add(24*time.Hour)))
	h.Record(m.Evaluate(historyResults(t0, true), t0.Add(25*time.Hour)))
	h.Record(m.Evaluate(historyResults(flip, false), flip))

	body := serve(t, b, "/", historyResults(flip, false))
	assert.Regexp(t, `<div id="verdict-since" class="verdict-since flip" role="alert"><span class="flip-mark" aria-hidden="true">▼ </span><time datetime="2026-11-30T10:42:00Z" title="2026-11-30 10:42 UTC">NO-GO since 10:42, was GO for 2d1h</time></div>`, body)
	row := func(id string) string {
		return regexp.MustCompile(`(?s)<tr id="item-` + id + `".*?</tr>`).FindString(body)
	}
	assert.Contains(t, row("P1.1.02"), `<div class="since">failing since <time datetime="2026-11-30T10:42:00Z" title="2026-11-30 10:42 UTC">10:42</time></div>`)
	assert.Contains(t, row("P1.1.01"), `<div class="since">passing for <time datetime="2026-11-27T08:30:00Z" title="2026-11-27 08:30 UTC">3d3h</time></div>`)
	assert.Contains(t, row("P1.1.04"), `failing since <time datetime="2026-11-27T08:30:00Z" title="2026-11-27 08:30 UTC">Nov 27 08:30</time>`)
	blockers := regexp.MustCompile(`(?s)<section id="blockers".*?</section>`).FindString(body)
	assert.Contains(t, blockers, `failing since <time datetime="2026-11-30T10:42:00Z"`)

	hist := regexp.MustCompile(`(?s)<section id="history".*?</section>`).FindString(body)
	require.NotEmpty(t, hist)
	// The window starts 3 days back: within the first GO, so three
	// segments plus the current NO-GO.
	rects := regexp.MustCompile(`<rect class="(\w+)"`).FindAllStringSubmatch(hist, -1)
	var classes []string
	for _, r := range rects {
		classes = append(classes, r[1])
	}
	assert.Equal(t, []string{"go", "nogo", "go", "nogo"}, classes)
	assert.Contains(t, hist, `<li><span class="verdict-word v-NO-GO">NO-GO</span> from <time datetime="2026-11-30T10:42:00Z" title="2026-11-30 10:42 UTC">10:42</time>, for 20m</li>`)
	assert.Contains(t, hist, `<span class="verdict-word v-GO">GO</span> from <time datetime="2026-11-28T09:30:00Z" title="2026-11-28 09:30 UTC">Nov 28 09:30</time>, for 2d1h</li>`)
	assert.NotContains(t, hist, "2026-11-27T08:30:00Z", "the first GO began before the window: drawn, not listed")

	rec := httptest.NewRecorder()
	b.ServeJSON(rec, httptest.NewRequest("GET", "/api/v1/status?phase=P1", nil), historyResults(flip, false))
	var st checklist.Status
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st))
	require.NotNil(t, st.History)
	assert.Equal(t, flip, st.History.Since)
	assert.Equal(t, "GO", st.History.Previous)
	assert.Len(t, st.History.Changes, 4)
	assert.Equal(t, flip, since(t, &st, "P1.1.02"))

	// GO again: the line is no alert.
	body = serve(t, b, "/", historyResults(now, true))
	assert.Contains(t, body, `<div id="verdict-since" class="verdict-since"><time datetime="2026-11-30T11:02:00Z" title="2026-11-30 11:02 UTC">GO since 11:02, was NO-GO for 20m</time></div>`)
}

// A history file that cannot be written (its folder is missing) leaves a
// history in memory and says why.
func TestHistoryUnwritableInMemory(t *testing.T) {
	m := historyModel(t)
	path := filepath.Join(t.TempDir(), "missing", "history.json")
	h, err := board.OpenHistory(path, nil, boardNow)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "board history")
	require.NotNil(t, h)
	h.Record(m.Evaluate(historyResults(boardNow, true), boardNow))
	st := m.Evaluate(historyResults(boardNow, true), boardNow.Add(time.Hour))
	h.Annotate(st)
	assert.Equal(t, boardNow, since(t, st, "P1.1.02"))
	assert.NoFileExists(t, path)
}

// The scrapes' exporter evaluates the checklist only when a result, an
// attestation or the time may have changed a state (issue 12), yet the
// history it feeds records every change of the verdict and of an item,
// at the scrape that first saw it.
func TestHistoryFromScrapesRecordsEveryChange(t *testing.T) {
	m := historyModel(t)
	t0 := boardNow
	h, err := board.OpenHistory("", nil, t0)
	require.NoError(t, err)
	now := t0
	b := board.New(m, board.Options{Now: func() time.Time { return now }, History: h})
	x := b.Exporter()
	scrape := func(at time.Time, apiOK bool) {
		now = at
		ch := make(chan prometheus.Metric, 4096)
		// Each scrape gets results of a later run: start times differ,
		// outcomes only where apiOK changes.
		x(historyResults(at, apiOK), ch)
		close(ch)
	}
	second := time.Second
	want := []checklist.VerdictChange{}
	for i, ok := range []bool{false, false, true, true, true, false, true, true, false, false} {
		at := t0.Add(time.Duration(i) * second)
		scrape(at, ok)
		verdict := map[bool]string{true: "GO", false: "NO-GO"}[ok]
		if n := len(want); n == 0 || want[n-1].Verdict != verdict {
			want = append(want, checklist.VerdictChange{Verdict: verdict, At: at})
		}
	}
	st := m.Evaluate(historyResults(now, false), now)
	h.Annotate(st)
	require.NotNil(t, st.History)
	assert.Equal(t, want, st.History.Changes)
	assert.Equal(t, t0.Add(8*second), since(t, st, "P1.1.02"), "api_port fails from the last change on")
	assert.Equal(t, t0, since(t, st, "P1.1.01"), "web_port passed all along")
}
