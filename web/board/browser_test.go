package board_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/testutil"
)

// browser starts headless Chromium for one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		testutil.MissingTool(t, "%s not installed: %v", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	tctx, cancelT := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancelT)
	actx, cancelA := chromedp.NewExecAllocator(tctx, opts...)
	t.Cleanup(cancelA)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	return ctx
}

func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(t, err, sel)
	return strings.TrimSpace(v)
}

// The verdict, the clock and the blockers need no script: with JavaScript
// off the page shows them all as the server wrote them.
func TestBoardWithoutJavaScript(t *testing.T) {
	ctx := browser(t)
	now := time.Now().UTC().Truncate(time.Second)
	b := liveBoard(t, now, "", blockerChecks)
	refused := collector.Result{Check: "api_port", Status: collector.StatusFail, Reason: collector.ReasonConnRefused,
		Message: "dial tcp 10.0.4.12:8443: connect: connection refused", Start: now}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.ServeBoard(w, r, []collector.Result{refused})
	}))
	defer srv.Close()

	// Open the page once to have a target, then switch its scripts off.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("about:blank")))
	_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	require.NoError(t, err)
	for _, path := range []string{"/", "/?blockers=1", "/?tv=1"} {
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.ID("verdict-text"))), path)
		assert.Equal(t, "NO-GO", textOf(t, ctx, "#verdict-text"), path)
		assert.Regexp(t, `^T− 1d 0[12]:\d\d:\d\d$`, textOf(t, ctx, "#countdown"), "%s: the server's clock", path)
		assert.Equal(t, "until go-live", textOf(t, ctx, ".clock-label"), path)
		assert.Contains(t, textOf(t, ctx, `#blockers tr[data-item="P1.1.02"]`), "connection refused", path)
		assert.Contains(t, textOf(t, ctx, "#blockers-title"), "What blocks GO", path)
	}
	// The clock stands still: no script ticks it.
	before := textOf(t, ctx, "#countdown")
	require.NoError(t, chromedp.Do(ctx, chromedp.Sleep(1100*time.Millisecond)))
	assert.Equal(t, before, textOf(t, ctx, "#countdown"))
}

// After go-live the clock counts up (T+) and is never red under GO; under
// NO-GO it is an alarm, and says NO-GO in words.
func TestBoardClockAfterGoLiveInChromium(t *testing.T) {
	ctx := browser(t)
	now := time.Now().UTC().Truncate(time.Second)
	goLive := now.Add(-2 * time.Hour).Truncate(time.Minute)
	pass := func(name string) collector.Result {
		return collector.Result{Check: name, Status: collector.StatusPass, Reason: collector.ReasonNone, Start: now}
	}
	goBoard := boardAt(t, phaseTSV, goLive, now, "  blockers: {except: [P1.1.03, P1.1.04, SO.1.01]}\n", blockerChecks)
	nogoBoard := boardAt(t, phaseTSV, goLive, now, "", blockerChecks)
	results := []collector.Result{pass("web_port"), pass("api_port"), pass("app_health"), pass("error_rate")}
	mux := http.NewServeMux()
	mux.HandleFunc("/go/", func(w http.ResponseWriter, r *http.Request) { goBoard.ServeBoard(w, r, results) })
	mux.HandleFunc("/nogo/", func(w http.ResponseWriter, r *http.Request) { nogoBoard.ServeBoard(w, r, results) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	const red = "rgb(207, 34, 46)"
	style := func(sel, prop string) string {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("`+sel+`")).`+prop))
		require.NoError(t, err)
		return v
	}
	for _, tc := range []struct {
		path, verdict, class, label string
		red                         bool
	}{
		{path: "/go/", verdict: "GO", class: "countdown live-go", label: "live since go-live · GO"},
		{path: "/nogo/", verdict: "NO-GO", class: "countdown live-nogo", label: "live since go-live · NO-GO", red: true},
	} {
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+tc.path), chromedp.WaitVisible(chromedp.ID("countdown")),
			chromedp.Sleep(1100*time.Millisecond)), tc.path) // one tick of the script
		assert.Equal(t, tc.verdict, textOf(t, ctx, "#verdict-text"))
		assert.Regexp(t, `^T\+ 02:0\d:\d\d$`, textOf(t, ctx, "#countdown"), "the script counts up after go-live")
		class, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("countdown"), "class"))
		require.NoError(t, err)
		assert.Equal(t, tc.class, class.Value, "the script leaves the clock's state alone")
		assert.Equal(t, tc.label, textOf(t, ctx, ".clock-label"))
		if tc.red {
			assert.Equal(t, red, style("#countdown", "color"), "an alarm under NO-GO")
		} else {
			assert.NotEqual(t, red, style("#countdown", "color"))
			assert.NotEqual(t, red, style("#countdown", "backgroundColor"))
			assert.NotEqual(t, red, style("#verdict", "backgroundColor"), "nothing red behind it either")
		}
	}
}
