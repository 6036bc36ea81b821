package board_test

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/golive/golive_exporter/web/board"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -update-screenshots writes the screenshots of TestBoardScreenshots to
// docs/img/, where docs/checklist.md shows them.
var updateScreenshots = flag.Bool("update-screenshots", false, "write the board's screenshots to docs/img/")

const chromiumPath = "/usr/bin/chromium"

// liveBoard is the fixture checklist going live 26 hours after now (P1 and
// the sign-off due, P4 not yet), with the given extra checklist keys and
// checks.
func liveBoard(t *testing.T, now time.Time, extra, checks string) *board.Board {
	t.Helper()
	return board.New(liveModel(t, now, extra, checks), board.Options{Now: func() time.Time { return now }})
}

// liveModel is liveBoard's checklist model.
func liveModel(t *testing.T, now time.Time, extra, checks string) *checklist.Model {
	t.Helper()
	m := fixtureModel(t, fixtureTSV, "checklist:\n  file: checklist.tsv\n  go_live: "+
		now.Add(26*time.Hour).Truncate(time.Minute).Format(time.RFC3339)+"\n"+extra+"checks:"+checks)
	return m
}

// chromium runs Debian's headless Chromium on url with the given extra
// flags and returns what it printed.
func chromium(t *testing.T, url string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromiumPath, append([]string{"--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(), "--window-size=1600,1000"}, append(args, url)...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "chromium %v: %s", args, stderr.String())
	return out
}

// The board as a browser draws it: the blockers view, a GO page, TV mode
// and the history, each read back from the rendered DOM and kept as a
// screenshot.
func TestBoardScreenshots(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		testutil.MissingTool(t, "%s not installed: %v", chromiumPath, err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	ran := now.Add(-2 * time.Minute)
	pass := func(name string) collector.Result {
		return collector.Result{Check: name, Status: collector.StatusPass, Reason: collector.ReasonNone, Start: ran}
	}
	refused := collector.Result{Check: "api_port", Status: collector.StatusFail, Reason: collector.ReasonConnRefused,
		Message: "dial tcp 10.0.4.12:8443: connect: connection refused", Start: ran}
	health := collector.Result{Check: "app_health", Status: collector.StatusFail, Reason: collector.ReasonConditionFailed,
		Message: `status: observed "degraded", expected "ok"`, Start: ran,
		Conditions: []collector.Condition{{Name: "status", Observed: `"degraded"`, Expected: `"ok"`}}}
	errorRate := collector.Result{Check: "error_rate", Status: collector.StatusFail, Reason: collector.ReasonConditionFailed,
		Message: "error ratio: observed 0.034, expected < 0.01", Start: ran,
		Conditions: []collector.Condition{{Name: "error ratio", Observed: "0.034", Expected: "< 0.01"}}}

	nogo := liveBoard(t, now, "", blockerChecks)
	nogoResults := []collector.Result{pass("web_port"), refused, health, errorRate}
	// GO: the cache probe, the health check and the sign-off do not block;
	// the health check fails all the same.
	gob := liveBoard(t, now, "  blockers: {except: [P1.1.03, P1.1.04, SO.1.01]}\n", blockerChecks)
	goResults := []collector.Result{pass("web_port"), pass("api_port"), health, pass("error_rate")}

	// History: GO for two days, a NO-GO hour yesterday, GO again, and
	// NO-GO since 40 minutes ago, when api_port stopped answering.
	hist, err := board.OpenHistory("", nil, now.Add(-3*24*time.Hour))
	require.NoError(t, err)
	histModel := liveModel(t, now, "  blockers: {except: [P1.1.03, P1.1.04, SO.1.01]}\n", blockerChecks)
	flip := now.Add(-40 * time.Minute).Truncate(time.Minute)
	for _, step := range []struct {
		at time.Time
		ok bool
	}{{now.Add(-3 * 24 * time.Hour), true}, {now.Add(-26 * time.Hour), false}, {now.Add(-25 * time.Hour), true}, {flip, false}} {
		rs := goResults
		if !step.ok {
			rs = []collector.Result{pass("web_port"), refused, health, pass("error_rate")}
		}
		hist.Record(histModel.Evaluate(rs, step.at))
	}
	histBoard := board.New(histModel, board.Options{Now: func() time.Time { return now }, History: hist})
	histResults := []collector.Result{pass("web_port"), refused, health, pass("error_rate")}

	mux := http.NewServeMux()
	mux.HandleFunc("/nogo/", func(w http.ResponseWriter, r *http.Request) { nogo.ServeBoard(w, r, nogoResults) })
	mux.HandleFunc("/go/", func(w http.ResponseWriter, r *http.Request) { gob.ServeBoard(w, r, goResults) })
	mux.HandleFunc("/history/", func(w http.ResponseWriter, r *http.Request) { histBoard.ServeBoard(w, r, histResults) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	cases := []struct {
		name, path string
		check      func(t *testing.T, dom string)
	}{
		{name: "board-blockers.png", path: "/nogo/?blockers=1", check: func(t *testing.T, dom string) {
			assert.Contains(t, dom, `id="verdict-text" class="verdict-text">NO-GO<`)
			rows := regexp.MustCompile(`<tr class="blocker-row[^"]*" data-item="([^"]+)"`).FindAllStringSubmatch(dom, -1)
			var ids []string
			for _, r := range rows {
				ids = append(ids, r[1])
			}
			assert.Equal(t, []string{"P1.1.02", "P1.1.03", "P1.1.04", "SO.1.01"}, ids)
			assert.Contains(t, dom, `<span class="message">dial tcp 10.0.4.12:8443: connect: connection refused</span>`)
			assert.Contains(t, dom, `<span class="where">SO · Project Leadership Approval</span>`)
			assert.NotContains(t, dom, `class="phase"`)
			assert.NotContains(t, dom, "P4.1.01", "failing early is no blocker and not in this view")
		}},
		{name: "board-go.png", path: "/go/", check: func(t *testing.T, dom string) {
			assert.Contains(t, dom, `id="verdict-text" class="verdict-text">GO<`)
			assert.Contains(t, dom, `class="verdict go"`)
			assert.NotContains(t, dom, "tag blocker")
			assert.NotContains(t, dom, `id="blockers"`)
			assert.Regexp(t, `<tr id="item-P1.1.04" class="item state-fail no-block"`, dom)
			assert.Contains(t, dom, `<summary>2 attestations not given yet · not blocking GO</summary>`)
			assert.NotRegexp(t, `<details class="missing-group" open`, dom, "folded")
			assert.Regexp(t, `id="countdown"[^>]*>T− 1d 0[12]:\d\d:\d\d<`, dom, "the script ran: the countdown ticks")
		}},
		{name: "board-tv.png", path: "/nogo/?tv=1", check: func(t *testing.T, dom string) {
			assert.Contains(t, dom, `<body class="tv">`)
			assert.NotContains(t, dom, "<nav")
			// 26 hours before go-live the sign-off week is in effect: it
			// takes the first turn, and the reload shows P1.
			assert.Contains(t, dom, `content="30; url=?phase=P1&amp;rotate=1&amp;tv=1"`)
			assert.Contains(t, dom, `<p id="rotation" class="rotation">Phase SO · 1 of 3 · next: P1</p>`)
			assert.Contains(t, dom, `<section class="phase current" id="phase-SO"`)
			assert.NotContains(t, dom, `id="phase-P1"`)
			assert.Contains(t, dom, `data-item="P1.1.02"`, "the blockers list is the whole checklist's")
		}},
		{name: "board-history.png", path: "/history/", check: func(t *testing.T, dom string) {
			assert.Contains(t, dom, `id="verdict-text" class="verdict-text">NO-GO<`)
			assert.Regexp(t, `<div id="verdict-since" class="verdict-since flip" role="alert"><span class="flip-mark" aria-hidden="true">▼ </span><time [^>]+>NO-GO since \d\d:\d\d, was GO for 1d(\d+h)?</time></div>`, dom)
			assert.Regexp(t, `(?s)<tr class="blocker-row state-fail" data-item="P1.1.02">.*?failing since <time [^>]+>\d\d:\d\d</time>`, dom)
			assert.Regexp(t, `(?s)<tr id="item-P1.1.01".*?passing for <time [^>]+>3d</time>`, dom)
			assert.Regexp(t, `(?s)<section id="history".*?<rect class="go".*?<rect class="nogo".*?<rect class="go".*?<rect class="nogo"`, dom)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url := srv.URL + tc.path
			tc.check(t, string(chromium(t, url, "--dump-dom")))

			dir := t.TempDir()
			file := filepath.Join(dir, tc.name)
			chromium(t, url, "--screenshot="+file)
			shot, err := os.ReadFile(file)
			require.NoError(t, err)
			img, err := png.Decode(bytes.NewReader(shot))
			require.NoError(t, err)
			assert.Equal(t, 1600, img.Bounds().Dx())
			saveArtifact(t, tc.name, shot)
			if *updateScreenshots {
				require.NoError(t, os.WriteFile(filepath.Join("..", "..", "docs", "img", tc.name), shot, 0o644))
			}
		})
	}
}
