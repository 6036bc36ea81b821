package board_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/collector"
	_ "github.com/golive/golive_exporter/collector/network"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/golive/golive_exporter/web"
	"github.com/golive/golive_exporter/web/board"
)

const fixtureTSV = "id\tphase\tsection\tgroup\titem\tautomation\thow_it_is_verified\n" +
	"P1.1.01\tP1\tInfrastructure Verification\tNetwork\tFirewall: production port open\tprobe\tTCP connect\n" +
	"P1.1.02\tP1\tInfrastructure Verification\tNetwork\tAPI answers on its port\tprobe\tTCP connect\n" +
	"P1.1.03\tP1\tInfrastructure Verification\tNetwork\tCache <b>warmed</b> & ready\tprobe\tnot bound\n" +
	"P1.1.04\tP1\tInfrastructure Verification\tApp\tHealth endpoint reports ok\tprobe\tHTTP JSON\n" +
	"P1.2.01\tP1\tData Preparation\tData\tLegacy system data export completed\tmanual\t\n" +
	"P1.2.02\tP1\tData Preparation\tData\tData quality sign-off\tmanual\t\n" +
	"P4.1.01\tP4\tContinuous Monitoring\tMonitoring\tError rate < 1%\trule\tPrometheus rule\n" +
	"SO.1.01\tSO\tProject Leadership Approval\tApproval\tProject Manager signs\tmanual\t\n"

// The note carries markup that must show as text and never run.
const injected = `Approved <script>window.__injected = 1</script><img src=x onerror="window.__injected = 2">`

// A server's answer carries markup too: the health endpoint's status, shown
// as the failed condition's observed value.
const injectedByServer = `<img src=x onerror=window.__injected=3>`

type fixture struct {
	dir    string
	server *web.Server
	// closedAddr is where api_port connects; nothing listens there until a
	// test opens it.
	closedAddr string
}

// newFixture starts the real web handler on a configuration whose checks
// connect to local listeners: one open (pass), one refused (fail).
func newFixture(t *testing.T, now time.Time) *fixture {
	t.Helper()
	openAddr, closedAddr, refusedAddr := testutil.OpenPort(t), testutil.FreeAddr(t), testutil.FreeAddr(t)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": injectedByServer})
	}))
	t.Cleanup(app.Close)

	goLive := now.Add(26 * time.Hour).UTC().Truncate(time.Minute)
	dir := t.TempDir()
	cfg := `checklist:
  file: checklist.tsv
  attestations: attestations.yml
  go_live: ` + goLive.Format(time.RFC3339) + `
checks:
  - name: web_port
    items: [P1.1.01]
    tcp: {address: "` + openAddr + `"}
  - name: api_port
    items: [P1.1.02]
    tcp: {address: "` + closedAddr + `"}
  - name: app_health
    items: [P1.1.04]
    http:
      url: "` + app.URL + `/health"
      json: [{path: status, equals: ok}]
  - name: error_rate
    items: [P4.1.01]
    tcp: {address: "` + refusedAddr + `"}
`
	att := "attestations:\n" +
		"  - {item: P1.2.01, by: Dana Whitfield, at: " + now.Add(-48*time.Hour).UTC().Format(time.RFC3339) + ", note: \"48,213 records\", evidence: \"https://tickets.example.edu/SMS-1412\"}\n" +
		"  - item: SO.1.01\n    by: \"Pat <i>Manager</i>\"\n    at: " + now.Add(-time.Hour).UTC().Format(time.RFC3339) + "\n    note: '" + injected + "'\n"
	writeFile(t, dir, "golive.yml", cfg)
	writeFile(t, dir, "checklist.tsv", fixtureTSV)
	writeFile(t, dir, "attestations.yml", att)
	logger := slog.New(slog.DiscardHandler)
	srv, err := web.NewServer(web.Options{
		Logger: logger,
		Load: func() (*web.Runtime, error) {
			cfg, m, err := checklist.LoadConfigFile(filepath.Join(dir, "golive.yml"))
			if err != nil {
				return nil, err
			}
			return &web.Runtime{Config: cfg, Scheduler: collector.New(cfg, logger),
				Exporters: []collector.ResultExporter{m.Exporter(nil)},
				Board:     board.New(m, board.Options{})}, nil
		},
	})
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	// The board shows the latest results and runs nothing: wait for the
	// run every check makes when the configuration is loaded.
	require.Eventually(t, func() bool {
		for _, r := range srv.Runtime().Scheduler.Snapshot() {
			if r.Running {
				return false
			}
		}
		return true
	}, 30*time.Second, 5*time.Millisecond, "the start-up runs end")
	return &fixture{dir: dir, server: srv, closedAddr: closedAddr}
}

func writeFile(t *testing.T, dir, name, body string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

func TestBoardHTMLEscapesAndJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("opens local listeners")
	}
	f := newFixture(t, time.Now())
	ts := httptest.NewServer(f.server.Handler())
	defer ts.Close()

	resp, body := get(t, ts.URL+"/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "script-src 'nonce-")
	assert.Contains(t, body, `id="verdict-text" class="verdict-text">NO-GO<`)
	assert.False(t, strings.Contains(body, "<script>window.__injected"), "the note's script is escaped")
	assert.Contains(t, body, "Approved &lt;script&gt;window.__injected = 1&lt;/script&gt;")
	assert.Contains(t, body, "Cache &lt;b&gt;warmed&lt;/b&gt; &amp; ready")
	assert.Contains(t, body, "Pat &lt;i&gt;Manager&lt;/i&gt;")
	assert.False(t, strings.Contains(body, injectedByServer), "the server's answer is escaped")
	assert.Contains(t, body, "&lt;img src=x onerror=window.__injected=3&gt;")
	// No external asset: the page works offline. The only absolute URL is
	// the attestation's evidence link.
	for _, ref := range []string{` src="`, `<link`, `@import`, `url(`} {
		assert.False(t, strings.Contains(body, ref), "the page refers to an asset: %s", ref)
	}
	assert.Contains(t, body, `href="https://tickets.example.edu/SMS-1412"`)
	assert.Equal(t, []string{"https://tickets.example.edu/SMS-1412"}, regexp.MustCompile(`(?i)https?://[^"'\s<>)]+`).FindAllString(body, -1),
		"no http(s) URL but the evidence link: every asset is embedded")
	assert.Regexp(t, `<meta http-equiv="refresh" content="30">`, body, "the page refreshes itself")

	resp, body = get(t, ts.URL+"/api/v1/status")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var st checklist.Status
	require.NoError(t, json.Unmarshal([]byte(body), &st))
	assert.Equal(t, checklist.VerdictNoGo, st.Verdict)
	assert.Equal(t, []string{"P1.1.02", "P1.1.03", "P1.1.04"}, st.Blockers)
	assert.Equal(t, []string{"P4.1.01"}, st.FailingEarly, "not due, its check fails: failing early, not blocking")
	assert.Equal(t, 8, st.Total)
	states := map[string]checklist.State{}
	for _, p := range st.Phases {
		for _, s := range p.Sections {
			for _, it := range s.Items {
				states[it.ID] = it.State
			}
		}
	}
	assert.Equal(t, wantStates, states)

	_, body = get(t, ts.URL+"/api/v1/status?failing=1&phase=P1")
	require.NoError(t, json.Unmarshal([]byte(body), &st))
	require.Len(t, st.Phases, 1)
	assert.Len(t, st.Phases[0].Sections, 2)

	_, metrics := get(t, ts.URL+"/metrics")
	assert.Contains(t, metrics, `golive_checklist_item_state{item="P1.1.02",kind="probe",phase="P1",section="Infrastructure Verification",state="fail"} 1`)
	assert.Contains(t, metrics, "golive_checklist_ready 0")
	assert.Contains(t, metrics, `golive_checklist_item_state{item="P4.1.01",kind="rule",phase="P4",section="Continuous Monitoring",state="failing_early"} 1`)
	assert.Contains(t, metrics, "golive_checklist_failing_early 1")
}

// An item whose window has not opened but whose bound check fails shows
// as failing early on the board: its own list under the blockers, a badge
// of its own, the check's reason and when it falls due.
func TestBoardShowsFailingEarly(t *testing.T) {
	if testing.Short() {
		t.Skip("opens local listeners")
	}
	f := newFixture(t, time.Now())
	ts := httptest.NewServer(f.server.Handler())
	defer ts.Close()
	_, body := get(t, ts.URL+"/")
	row := regexp.MustCompile(`(?s)<tr id="item-P4.1.01".*?</tr>`).FindString(body)
	require.NotEmpty(t, row)
	assert.Contains(t, row, `class="item state-failing_early"`)
	assert.Contains(t, row, `<span class="badge state-failing_early">failing_early</span>`)
	assert.Regexp(t, `<div class="reason">error_rate: connection_refused: [^<]+</div>`, row)
	assert.Regexp(t, `<div class="due">due from [^<]+; not blocking until then</div>`, row)
	assert.NotContains(t, row, "tag blocker")
	early := regexp.MustCompile(`(?s)<section id="failing-early".*?</section>`).FindString(body)
	assert.Contains(t, early, `href="#item-P4.1.01"`)
	blockers := regexp.MustCompile(`(?s)<section id="blockers".*?</section>`).FindString(body)
	assert.NotContains(t, blockers, "P4.1.01", "failing early is no blocker")

	_, body = get(t, ts.URL+"/?failing=1")
	assert.Contains(t, body, `id="item-P4.1.01"`, "failing only shows it")
}

var wantStates = map[string]checklist.State{
	"P1.1.01": checklist.StatePass,
	"P1.1.02": checklist.StateFail,
	"P1.1.03": checklist.StateUnknown,
	"P1.1.04": checklist.StateFail,
	"P1.2.01": checklist.StateAttested,
	"P1.2.02": checklist.StateMissing,
	"P4.1.01": checklist.StateFailingEarly,
	"SO.1.01": checklist.StateAttested,
}

// The board is served by the same handler as /metrics, so the web config's
// TLS and basic auth cover it and the JSON API too.
func TestBoardBehindTLSAndBasicAuth(t *testing.T) {
	if testing.Short() {
		t.Skip("opens local listeners")
	}
	f := newFixture(t, time.Now())
	webCfg, pool := testutil.WebConfig(t, f.dir, "warroom", "s3cret")
	addr, client := testutil.ServeWebConfig(t, f.server.Handler(), webCfg, pool)
	for _, path := range []string{"/", "/?failing=1", "/api/v1/status", "/metrics"} {
		url := "https://" + addr + path
		assert.Equal(t, http.StatusUnauthorized, testutil.Status(t, client, url, "", ""), "%s without credentials", path)
		assert.Equal(t, http.StatusUnauthorized, testutil.Status(t, client, url, "warroom", "wrong"), "%s with a wrong password", path)
		assert.Equal(t, http.StatusOK, testutil.Status(t, client, url, "warroom", "s3cret"), path)
		// Plain HTTP gets no page.
		resp, err := http.Get("http://" + addr + path)
		if err == nil {
			resp.Body.Close()
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s over plain HTTP", path)
		}
	}
}

// rowsJS lists the items the page shows with the state it shows for each.
const rowsJS = `Array.from(document.querySelectorAll("tr.item")).map(function (r) {
  return r.getAttribute("data-item") + "=" + r.querySelector(".badge").textContent.trim();
})`

func TestBoardInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s not installed (scripts/install-deps.sh installs it): %v", chromium, err)
	}
	f := newFixture(t, time.Now())
	ts := httptest.NewServer(f.server.Handler())
	defer ts.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	// The timeout bounds the whole browser, which lives as long as this
	// context.
	tctx, cancelT := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancelT()
	actx, cancelA := chromedp.NewExecAllocator(tctx, opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()

	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, sel)
		return strings.TrimSpace(v)
	}
	rows := func() []string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](rowsJS))
		require.NoError(t, err)
		return v
	}
	screenshot := func(name string) {
		t.Helper()
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100 gives a PNG
		require.NoError(t, err)
		saveArtifact(t, name, shot)
	}

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("verdict-text")),
	))
	assert.Equal(t, "NO-GO", text("#verdict-text"))
	assert.ElementsMatch(t, statesList(wantStates), rows())
	assert.Equal(t, injected, text(`tr[data-item="SO.1.01"] .note`), "the note shows its markup as text")
	assert.Equal(t, "Pat <i>Manager</i>", text(`tr[data-item="SO.1.01"] .by`))
	assert.Contains(t, text(`tr[data-item="P1.1.03"] .item-text`), "Cache <b>warmed</b> & ready")
	assert.Contains(t, text(`tr[data-item="P1.1.02"] .reason`), "api_port: connection_refused")
	assert.Contains(t, text(`tr[data-item="P1.1.01"] .check`), "last checked")
	assert.Contains(t, text(`tr[data-item="P1.1.04"] .condition`), "observed "+injectedByServer+", expected", "the server's answer shows as text")
	injectedType, err := chromedp.Run(ctx, chromedp.Evaluate[string](`typeof window.__injected`))
	require.NoError(t, err)
	assert.Equal(t, "undefined", injectedType, "no injected script or handler ran")
	require.NoError(t, chromedp.Do(ctx, chromedp.Sleep(1100*time.Millisecond))) // one countdown tick
	assert.Regexp(t, `^T− 1d 01:5\d:\d\d$`, text("#countdown"), "the countdown ticks in the browser")
	screenshot("board.png")

	// Failing only: failed, missing and unknown items and those failing
	// early; no passing, attested or upcoming one.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.Search(`//a[normalize-space()="Failing only"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a.filter.active[href*="failing=1"]`)),
	))
	assert.ElementsMatch(t, []string{"P1.1.02=fail", "P1.1.03=unknown", "P1.1.04=fail", "P1.2.02=missing", "P4.1.01=failing_early"}, rows())
	assert.Equal(t, "NO-GO", text("#verdict-text"), "the verdict stays the whole checklist's")
	screenshot("board-failing.png")

	// By phase: only the sign-off.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.Search(`//a[normalize-space()="All items"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a.filter.active[href="./"]`)),
		chromedp.Click(chromedp.Search(`//nav//a[normalize-space()="SO"]`)),
		chromedp.WaitVisible(chromedp.ID("phase-SO")),
	))
	assert.Equal(t, []string{"SO.1.01=attested"}, rows())

	// The board follows its inputs without a reload. An attestation
	// appended to the file shows on the next view ...
	attPath := filepath.Join(f.dir, "attestations.yml")
	att, err := os.ReadFile(attPath)
	require.NoError(t, err)
	appendAttestation := func(entry string) {
		t.Helper()
		writeFile(t, f.dir, "attestations.yml", string(att)+entry)
		// A modification time of its own, whatever the file system's
		// timestamp resolution.
		att = append(att, entry...)
		mt := time.Now().Add(time.Duration(len(att)) * time.Second)
		require.NoError(t, os.Chtimes(attPath, mt, mt))
	}
	appendAttestation("  - {item: P1.2.02, by: QA, at: " + time.Now().Add(-time.Minute).UTC().Format(time.RFC3339) + "}\n")
	load := func(path string) {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+path), chromedp.WaitVisible(chromedp.ID("verdict-text"))))
	}
	load("/?phase=P1")
	assert.Contains(t, rows(), "P1.2.02=attested")
	// ... and so does a check whose target changed: the refused API port
	// now answers.
	assert.Contains(t, rows(), "P1.1.02=fail")
	l, err := net.Listen("tcp", f.closedAddr)
	require.NoError(t, err, "reopening the port the api_port check connects to")
	defer l.Close()
	// The board runs no check: the next scrape brings the new result.
	get(t, ts.URL+"/metrics")
	load("/?phase=P1")
	assert.ElementsMatch(t, []string{"P1.1.01=pass", "P1.1.02=pass", "P1.1.03=unknown", "P1.1.04=fail", "P1.2.01=attested", "P1.2.02=attested"}, rows())
	blockerIDs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#blockers tr.blocker-row")).map(function (r) { return r.getAttribute("data-item"); })`))
	require.NoError(t, err)
	assert.Equal(t, []string{"P1.1.03", "P1.1.04"}, blockerIDs, "the API port is no blocker any more")
	// A bad edit is not taken: the page says why, with file:line, and the
	// attestations read before still count.
	appendAttestation("  - {item: P7.7.07, by: QA, at: 2026-11-01T00:00:00Z}\n")
	load("/?phase=P1")
	assert.Contains(t, text("#attestations-error"), `attestations.yml:8: item "P7.7.07" is not in the checklist`)
	assert.Contains(t, rows(), "P1.2.02=attested")
	injectedType, err = chromedp.Run(ctx, chromedp.Evaluate[string](`typeof window.__injected`))
	require.NoError(t, err)
	assert.Equal(t, "undefined", injectedType, "no injected script or handler ran on any view")
	screenshot("board-changed.png")
}

func statesList(m map[string]checklist.State) []string {
	var out []string
	for id, s := range m {
		out = append(out, id+"="+string(s))
	}
	sort.Strings(out)
	return out
}

// saveArtifact keeps a screenshot in testdata/artifacts/ at the repository
// root (ignored by git) for people and CI to look at.
func saveArtifact(t *testing.T, name string, data []byte) {
	t.Helper()
	dir := filepath.Join("..", "..", "testdata", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		dir = t.TempDir()
	}
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	abs, _ := filepath.Abs(p)
	t.Logf("screenshot: %s", abs)
}
