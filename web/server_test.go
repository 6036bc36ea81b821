package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	commoncfg "github.com/prometheus/common/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// Keep-alive connections of the test clients close on their own.
		// Only those are ignored (anywhere in their stack, as they wait in
		// the poller): a check's or handler's goroutine blocked on the
		// network still counts as a leak.
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
	)
}

// The web tests register "tcp" as a fake kind whose behaviour is chosen by
// the check's name, and the settings of "http" (a URL and the HTTP client
// settings, for /config's masking) without a check; the network kinds are
// not linked here.
var (
	countedRuns atomic.Int32 // runs of "counted" checks
	slowStarted atomic.Int32 // runs of "slow" checks started
)

func init() {
	collector.RegisterKind("tcp", func() config.Kind { return new(fakeSettings) }, func(c *config.Check, _ collector.Env) (collector.Check, error) {
		return fakeCheck{name: c.Name}, nil
	})
	// A kind the configuration loads but no package runs: what a binary
	// built without the kind's package meets.
	config.RegisterKind("not_linked", func() config.Kind { return new(notLinkedKind) })
	config.RegisterKind("http", func() config.Kind { return new(fakeHTTPSettings) })
}

// notLinkedKind is the settings of the not_linked kind, which has no factory.
type notLinkedKind struct {
	Target string `yaml:"target"`
}

func (*notLinkedKind) Validate(string, *config.Problems) {}

// fakeSettings are the fake tcp kind's settings.
type fakeSettings struct {
	Address string `yaml:"address"`
}

func (*fakeSettings) Validate(string, *config.Problems) {}

// fakeHTTPSettings are an http check's URL and client settings.
type fakeHTTPSettings struct {
	URL    string                     `yaml:"url"`
	Client commoncfg.HTTPClientConfig `yaml:",inline"`
}

func (*fakeHTTPSettings) Validate(string, *config.Problems) {}

type fakeCheck struct{ name string }

var (
	fakeValue = collector.NewDesc("golive_test_value", "A value the fake check records.")
	// What a "mixed" check records: label values and values to escape or
	// spell, a counter, a histogram.
	fakeDetail  = collector.NewDesc("golive_test_detail", `A value per detail, "quoted" \ and`+"\nacross lines.", "detail")
	fakeEvents  = collector.NewCounterDesc("golive_test_events_total", "Events the fake check counted.")
	fakeLatency = collector.NewHistogramDesc("golive_test_latency_seconds", "A latency the fake check observed.")
)

func (f fakeCheck) Run(ctx context.Context, r *collector.Report) error {
	switch {
	case strings.HasPrefix(f.name, "slow"):
		slowStarted.Add(1)
		<-ctx.Done()
		return ctx.Err()
	case strings.HasPrefix(f.name, "counted"):
		countedRuns.Add(1)
		r.Gauge(fakeValue, 42)
		return nil
	case strings.HasPrefix(f.name, "refused"):
		return collector.Failf(collector.ReasonConnRefused, "connecting: connection refused")
	case strings.HasPrefix(f.name, "badlabels"):
		r.Gauge(fakeValue, 1, "unexpected-label-value")
		return nil
	case strings.HasPrefix(f.name, "mixed"):
		r.Gauge(fakeDetail, 0.25, `say "hi" \ back`+"\nslash")
		r.Gauge(fakeDetail, math.NaN(), "nan")
		r.Gauge(fakeDetail, math.Inf(-1), "ninf")
		r.Gauge(fakeDetail, 1e21, "☃")
		r.Gauge(fakeDetail, 42, "")
		r.Counter(fakeEvents, 12)
		r.Histogram(fakeLatency, collector.HistogramValue{Count: 3, Sum: 0.42, Buckets: map[float64]uint64{0.1: 1, 0.5: 3}})
		return nil
	default:
		r.Gauge(fakeValue, 42)
		return nil
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func build(cfg *config.Config) (*Runtime, error) {
	return &Runtime{Config: cfg, Scheduler: collector.New(cfg, quietLogger())}, nil
}

// loadFile is a Load that reads file and makes its runtime with build.
func loadFile(file string, build func(*config.Config) (*Runtime, error)) func() (*Runtime, error) {
	return func() (*Runtime, error) {
		cfg, err := config.LoadFile(file)
		if err != nil {
			return nil, err
		}
		return build(cfg)
	}
}

// newTestServer serves the configuration in file (reloaded from it), with
// the lifecycle API enabled.
func newTestServer(t *testing.T, file string) (*Server, *httptest.Server) {
	t.Helper()
	return newTestServerWith(t, file, func(o *Options) { o.EnableLifecycle = true })
}

// newTestServerWith is newTestServer with options set by opt.
func newTestServerWith(t *testing.T, file string, opt func(*Options)) (*Server, *httptest.Server) {
	t.Helper()
	opts := Options{
		Logger: quietLogger(),
		Load:   loadFile(file, build),
	}
	opt(&opts)
	srv, err := NewServer(opts)
	require.NoError(t, err)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return srv, ts
}

func writeConfig(t *testing.T, path, body string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
}

func get(t *testing.T, url string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestScrapeContext(t *testing.T) {
	g := config.Global{ScrapeTimeoutMargin: 500 * 1e6, DefaultScrapeTimeout: 10 * 1e9}
	cases := []struct {
		header string
		want   time.Duration
	}{
		{"", 9500 * time.Millisecond},        // default minus margin
		{"3", 2500 * time.Millisecond},       // header minus margin
		{"0.8", 400 * time.Millisecond},      // too short for the margin: half
		{"garbage", 9500 * time.Millisecond}, // unreadable: default
		{"-1", 9500 * time.Millisecond},
		{"1e10", 9500 * time.Millisecond}, // more seconds than a Duration holds: unreadable
		{"Inf", 9500 * time.Millisecond},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if c.header != "" {
			r.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", c.header)
		}
		before := time.Now()
		ctx, cancel := scrapeContext(r, g)
		after := time.Now()
		dl, ok := ctx.Deadline()
		cancel()
		require.True(t, ok)
		assert.False(t, dl.Before(before.Add(c.want)), c.header)
		assert.False(t, dl.After(after.Add(c.want)), c.header)
	}
}

// A check that would take an hour does not hold the scrape: /metrics
// answers by the header's timeout minus the margin, with the check failed
// for reason scrape_deadline, and status 200. (The run is the one started
// with the configuration, which goes on; a run started by a scrape is
// cancelled when nobody waits for it any more: collector's
// TestLoneScrapeCutsItsRunAtItsDeadline.)
func TestMetricsHonoursScrapeTimeoutHeader(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	writeConfig(t, file, `
global:
  scrape_timeout_margin: 100ms
checks:
  - name: slow_target
    timeout: 1h
    tcp: {address: "127.0.0.1:1"}
  - name: quick
    tcp: {address: "127.0.0.1:1"}
`)
	_, ts := newTestServer(t, file)
	code, body := get(t, ts.URL+"/metrics", map[string]string{"X-Prometheus-Scrape-Timeout-Seconds": "0.5"})
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `golive_check_failure_reason{check="slow_target",kind="tcp",reason="scrape_deadline"} 1`)
	assert.Contains(t, body, `golive_check_running{check="slow_target",kind="tcp"} 1`)
	assert.Contains(t, body, `golive_check_success{check="quick",kind="tcp"} 1`)
	assert.Contains(t, body, `golive_test_value{check="quick"} 42`)
}

func TestFailuresAreMetricValuesNot500(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	writeConfig(t, file, `
checks:
  - name: refused_db
    items: [P3.1.02]
    tcp: {address: "127.0.0.1:1"}
  - name: badlabels_kind
    tcp: {address: "127.0.0.1:1"}
  - name: not_compiled
    not_linked: {target: main}
`)
	_, ts := newTestServer(t, file)
	code, body := get(t, ts.URL+"/metrics", nil)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `golive_check_success{check="refused_db",kind="tcp"} 0`)
	assert.Contains(t, body, `golive_check_failure_reason{check="refused_db",kind="tcp",reason="connection_refused"} 1`)
	assert.Contains(t, body, `golive_check_item_info{check="refused_db",item="P3.1.02"} 1`)
	assert.Contains(t, body, `golive_check_success{check="badlabels_kind",kind="tcp"} 1`, "a kind's bad sample does not break the scrape")
	assert.Contains(t, body, `golive_check_failure_reason{check="not_compiled",kind="not_linked",reason="config"} 1`)
	assert.NotContains(t, body, "connection refused", "no error text in metrics")
}

func TestHealthReadyReloadMethods(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	writeConfig(t, file, "checks: [{name: ok, tcp: {address: \"127.0.0.1:1\"}}]\n")
	_, ts := newTestServer(t, file)
	code, body := get(t, ts.URL+"/-/healthy", nil)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "Healthy\n", body)
	code, body = get(t, ts.URL+"/-/ready", nil)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "Ready\n", body)
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(m, ts.URL+"/-/reload", nil)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, m)
		assert.Equal(t, "POST", resp.Header.Get("Allow"))
	}
	resp, err := http.Post(ts.URL+"/-/reload", "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	code, _ = get(t, ts.URL+"/nonexistent", nil)
	assert.Equal(t, http.StatusNotFound, code)
}

func metricValue(t *testing.T, body, name string) string {
	t.Helper()
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, name+" ") {
			return strings.TrimPrefix(line, name+" ")
		}
	}
	t.Fatalf("metric %s not found", name)
	return ""
}

// Reload good → bad → good while scrapes keep coming: every scrape is
// answered, the bad file is refused with file:line and the old checks keep
// running, and the reload metrics say so.
func TestReloadGoodBadGood(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	writeConfig(t, file, "checks: [{name: first, tcp: {address: \"127.0.0.1:1\"}}]\n")
	srv, ts := newTestServer(t, file)

	var stop atomic.Bool
	var scrapes, failures atomic.Int32
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			resp, err := http.Get(ts.URL + "/metrics")
			scrapes.Add(1)
			if err != nil || resp.StatusCode != http.StatusOK {
				failures.Add(1)
			}
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	}()
	reload := func() (int, string) {
		resp, err := http.Post(ts.URL+"/-/reload", "", nil)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	_, body := get(t, ts.URL+"/metrics", nil)
	assert.Equal(t, "1", metricValue(t, body, "golive_config_last_reload_successful"))
	firstSuccess := metricValue(t, body, "golive_config_last_reload_success_timestamp_seconds")
	assert.NotEqual(t, "0", firstSuccess)

	writeConfig(t, file, "checks:\n  - name: second\n    timout: 1s\n    tcp: {address: \"127.0.0.1:1\"}\n")
	code, msg := reload()
	assert.Equal(t, http.StatusInternalServerError, code)
	assert.Contains(t, msg, file+":3: checks[0].timout: unknown key")
	_, body = get(t, ts.URL+"/metrics", nil)
	assert.Equal(t, "0", metricValue(t, body, "golive_config_last_reload_successful"))
	assert.Equal(t, firstSuccess, metricValue(t, body, "golive_config_last_reload_success_timestamp_seconds"))
	assert.Contains(t, body, `golive_check_success{check="first",kind="tcp"} 1`, "the old configuration keeps running")
	assert.Contains(t, body, `golive_config_reloads_total{result="failure"} 1`)
	st := srv.ReloadState()
	assert.False(t, st.Successful)
	assert.Contains(t, st.Error, "timout")
	code, _ = get(t, ts.URL+"/-/ready", nil)
	assert.Equal(t, http.StatusOK, code)

	time.Sleep(10 * time.Millisecond) // a later success timestamp
	writeConfig(t, file, "checks: [{name: second, tcp: {address: \"127.0.0.1:1\"}}]\n")
	code, _ = reload()
	assert.Equal(t, http.StatusOK, code)
	_, body = get(t, ts.URL+"/metrics", nil)
	assert.Equal(t, "1", metricValue(t, body, "golive_config_last_reload_successful"))
	first, err := strconv.ParseFloat(firstSuccess, 64)
	require.NoError(t, err)
	second, err := strconv.ParseFloat(metricValue(t, body, "golive_config_last_reload_success_timestamp_seconds"), 64)
	require.NoError(t, err)
	assert.Greater(t, second, first)
	assert.Contains(t, body, `golive_check_success{check="second",kind="tcp"} 1`)
	assert.NotContains(t, body, `check="first"`)
	assert.Contains(t, body, `golive_config_reloads_total{result="success"} 2`)
	assert.True(t, srv.ReloadState().Successful)
	assert.Empty(t, srv.ReloadState().Error)

	stop.Store(true)
	wg.Wait()
	assert.Positive(t, scrapes.Load())
	assert.Zero(t, failures.Load(), "every scrape during the reloads was answered")
}

func TestInitialLoadFailureIsAnError(t *testing.T) {
	_, err := NewServer(Options{
		Logger: quietLogger(),
		Load:   func() (*Runtime, error) { return nil, errors.New("broken") },
	})
	require.EqualError(t, err, "broken")
}

func TestConfigEndpointMasksSecrets(t *testing.T) {
	const secret = "s3cr3t-Pa55word"
	file := filepath.Join(t.TempDir(), "cfg.yml")
	writeConfig(t, file, `
checks:
  - name: api
    http:
      url: https://app.example.com/health
      basic_auth: {username: monitor, password: `+secret+`}
`)
	_, ts := newTestServer(t, file)
	for _, path := range []string{"/config", "/api/v1/config", "/api/v1/status", "/metrics", "/"} {
		code, body := get(t, ts.URL+path, nil)
		assert.Equal(t, http.StatusOK, code, path)
		assert.NotContains(t, body, secret, path)
	}
	_, body := get(t, ts.URL+"/config", nil)
	assert.Contains(t, body, "password: <secret>")
	assert.Contains(t, body, "username: monitor")
}

func TestStatusJSON(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	writeConfig(t, file, `
checks:
  - name: good
    description: It works.
    items: [P1.1.01]
    tcp: {address: "127.0.0.1:1"}
  - name: refused_api
    tcp: {address: "127.0.0.1:1"}
`)
	_, ts := newTestServer(t, file)
	get(t, ts.URL+"/metrics", nil) // the page shows the latest scrape's results
	code, body := get(t, ts.URL+"/api/v1/status", nil)
	require.Equal(t, http.StatusOK, code)
	var st struct {
		Config struct {
			File   string      `json:"file"`
			Reload ReloadState `json:"reload"`
		} `json:"config"`
		Checks []struct {
			Check       string   `json:"check"`
			Kind        string   `json:"kind"`
			Items       []string `json:"items"`
			Description string   `json:"description"`
			Status      string   `json:"status"`
			Reason      string   `json:"reason"`
			Message     string   `json:"message"`
			LastRun     string   `json:"last_run"`
			Duration    *float64 `json:"duration_seconds"`
		} `json:"checks"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &st), body)
	assert.Equal(t, file, st.Config.File)
	assert.True(t, st.Config.Reload.Successful)
	require.Len(t, st.Checks, 2)
	assert.Equal(t, "good", st.Checks[0].Check)
	assert.Equal(t, "tcp", st.Checks[0].Kind)
	assert.Equal(t, []string{"P1.1.01"}, st.Checks[0].Items)
	assert.Equal(t, "It works.", st.Checks[0].Description)
	assert.Equal(t, "pass", st.Checks[0].Status)
	assert.Equal(t, "none", st.Checks[0].Reason)
	assert.NotEmpty(t, st.Checks[0].LastRun)
	assert.NotNil(t, st.Checks[0].Duration)
	assert.Equal(t, "fail", st.Checks[1].Status)
	assert.Equal(t, "connection_refused", st.Checks[1].Reason)
	assert.Contains(t, st.Checks[1].Message, "connection refused")

	code, body = get(t, ts.URL+"/", nil)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "<td>refused_api</td>")
	assert.Contains(t, body, `class="fail"`)
}

type fakeBoard struct{ pages, jsons atomic.Int32 }

func (b *fakeBoard) ServeBoard(w http.ResponseWriter, _ *http.Request, results []collector.Result) {
	b.pages.Add(1)
	fmt.Fprintf(w, "board of %d", len(results))
}

func (b *fakeBoard) ServeJSON(w http.ResponseWriter, _ *http.Request, results []collector.Result) {
	b.jsons.Add(1)
	fmt.Fprintf(w, `{"board":%d}`, len(results))
}

// The checklist plugs in through Runtime.Board and Runtime.Exporters.
func TestBoardAndExporterHooks(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	writeConfig(t, file, "checks: [{name: ok, items: [P1.1.01], tcp: {address: \"127.0.0.1:1\"}}]\n")
	board := &fakeBoard{}
	itemDesc := prometheus.NewDesc("golive_test_item_ok", "test", []string{"item"}, nil)
	srv, err := NewServer(Options{
		Logger: quietLogger(),
		Load: loadFile(file, func(cfg *config.Config) (*Runtime, error) {
			rt, err := build(cfg)
			rt.Board = board
			rt.Exporters = []collector.ResultExporter{func(results []collector.Result, ch chan<- prometheus.Metric) {
				for _, r := range results {
					for _, it := range r.Items {
						ch <- prometheus.MustNewConstMetric(itemDesc, prometheus.GaugeValue, 1, it)
					}
				}
			}}
			return rt, err
		}),
	})
	require.NoError(t, err)
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	_, body := get(t, ts.URL+"/", nil)
	assert.Equal(t, "board of 1", body)
	_, body = get(t, ts.URL+"/api/v1/status", nil)
	assert.Equal(t, `{"board":1}`, body)
	_, body = get(t, ts.URL+"/metrics", nil)
	assert.Contains(t, body, `golive_test_item_ok{item="P1.1.01"} 1`)
	assert.EqualValues(t, 1, board.pages.Load())
	assert.EqualValues(t, 1, board.jsons.Load())
}

// --web.config.file: the exporter-toolkit serves every endpoint over TLS
// behind basic auth.
func TestToolkitTLSAndBasicAuth(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "cfg.yml")
	writeConfig(t, cfgFile, "checks: [{name: ok, tcp: {address: \"127.0.0.1:1\"}}]\n")
	webCfg, pool := testutil.WebConfig(t, dir, "prometheus", "letmein")

	srv, err := NewServer(Options{Logger: quietLogger(), Load: loadFile(cfgFile, build)})
	require.NoError(t, err)
	t.Cleanup(srv.Close) // after the server below has stopped
	addr, client := testutil.ServeWebConfig(t, srv.Handler(), webCfg, pool)
	url := "https://" + addr + "/metrics"
	assert.Equal(t, http.StatusOK, testutil.Status(t, client, url, "prometheus", "letmein"))
	assert.Equal(t, http.StatusUnauthorized, testutil.Status(t, client, url, "", ""))
	assert.Equal(t, http.StatusUnauthorized, testutil.Status(t, client, url, "prometheus", "wrong"))

	// Plain HTTP is not answered with metrics.
	resp, err := http.Get("http://" + addr + "/metrics")
	if err == nil {
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	}
}

// gate holds the requests that reach it until it is opened, counting
// those inside.
type gate struct {
	inside atomic.Int32
	open   chan struct{}
}

func newGate() *gate { return &gate{open: make(chan struct{})} }

func (g *gate) hold() {
	g.inside.Add(1)
	defer g.inside.Add(-1)
	<-g.open
}

// gatedBoard is a board whose pages wait at a gate.
type gatedBoard struct{ g *gate }

func (b gatedBoard) ServeBoard(w http.ResponseWriter, _ *http.Request, results []collector.Result) {
	b.g.hold()
	fmt.Fprintf(w, "board of %d", len(results))
}

func (b gatedBoard) ServeJSON(w http.ResponseWriter, _ *http.Request, results []collector.Result) {
	fmt.Fprintf(w, `{"board":%d}`, len(results))
}

// newGatedServer serves file with max requests in flight; scrapes wait at
// the scrapes gate (in an exporter of results), board pages at the pages
// gate.
func newGatedServer(t *testing.T, file string, max int) (ts *httptest.Server, scrapes, pages *gate) {
	t.Helper()
	scrapes, pages = newGate(), newGate()
	srv, err := NewServer(Options{
		Logger: quietLogger(),
		Load: loadFile(file, func(cfg *config.Config) (*Runtime, error) {
			rt, err := build(cfg)
			rt.Board = gatedBoard{pages}
			rt.Exporters = []collector.ResultExporter{func([]collector.Result, chan<- prometheus.Metric) { scrapes.hold() }}
			return rt, err
		}),
		MaxRequestsInFlight: max,
	})
	require.NoError(t, err)
	ts = httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return ts, scrapes, pages
}

// holdOpen sends n GET path requests, which wait at g; it returns their
// status codes once g is opened.
func holdOpen(t *testing.T, url string, g *gate, n int) <-chan int {
	t.Helper()
	codes := make(chan int, n)
	for range n {
		go func() {
			resp, err := http.Get(url)
			if err != nil {
				codes <- 0
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	require.Eventually(t, func() bool { return g.inside.Load() == int32(n) }, 10*time.Second, time.Millisecond)
	return codes
}

// --web.max-requests bounds /metrics: the scrape past the bound is
// answered 503 at once.
func TestMaxRequestsInFlight(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	writeConfig(t, file, "checks: [{name: ok, tcp: {address: \"127.0.0.1:1\"}}]\n")
	ts, scrapes, _ := newGatedServer(t, file, 1)
	held := holdOpen(t, ts.URL+"/metrics", scrapes, 1)
	code, body := get(t, ts.URL+"/metrics", nil)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Contains(t, body, "Limit of concurrent scrapes reached (1)")
	close(scrapes.open)
	assert.Equal(t, http.StatusOK, <-held)
	code, _ = get(t, ts.URL+"/metrics", nil)
	assert.Equal(t, http.StatusOK, code)
}

// --web.max-requests bounds every other endpoint too, with a bound of its
// own: N page loads held open make the next request to any endpoint but
// /metrics answer 503, and scrapes are still served.
func TestMaxRequestsBoundsEveryEndpoint(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	writeConfig(t, file, "checks: [{name: ok, tcp: {address: \"127.0.0.1:1\"}}]\n")
	const n = 3
	ts, scrapes, pages := newGatedServer(t, file, n)
	close(scrapes.open)
	var once sync.Once
	release := func() { once.Do(func() { close(pages.open) }) }
	defer release()
	held := holdOpen(t, ts.URL+"/", pages, n)
	// Without the bound, a request to / would wait at the gate: give up
	// after a while rather than hang.
	client := &http.Client{Timeout: 5 * time.Second}
	for _, path := range []string{"/", "/api/v1/status", "/config", "/api/v1/config", "/-/healthy", "/-/ready", "/nonexistent"} {
		resp, err := client.Get(ts.URL + path)
		if !assert.NoError(t, err, path) {
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, path)
		assert.Contains(t, string(body), fmt.Sprintf("Limit of concurrent requests reached (%d)", n), path)
	}
	code, _ := get(t, ts.URL+"/metrics", nil)
	assert.Equal(t, http.StatusOK, code, "page loads do not take a scrape's place")
	release()
	for range n {
		assert.Equal(t, http.StatusOK, <-held)
	}
	code, _ = get(t, ts.URL+"/api/v1/status", nil)
	assert.Equal(t, http.StatusOK, code)
}

// TestOpenMetricsGathererDropsCollidingCounters: a counter X_total beside a
// family X is left out (one OpenMetrics family declared twice); a counter
// alone, and a gauge whose name ends in _total, stay.
func TestOpenMetricsGathererDropsCollidingCounters(t *testing.T) {
	reg := prometheus.NewRegistry()
	for _, c := range []prometheus.Collector{
		prometheus.NewGauge(prometheus.GaugeOpts{Name: "x_bytes", Help: "h"}),
		prometheus.NewCounter(prometheus.CounterOpts{Name: "x_bytes_total", Help: "h"}),
		prometheus.NewCounter(prometheus.CounterOpts{Name: "y_total", Help: "h"}),
		prometheus.NewGauge(prometheus.GaugeOpts{Name: "z", Help: "h"}),
		prometheus.NewGauge(prometheus.GaugeOpts{Name: "z_total", Help: "h"}),
	} {
		reg.MustRegister(c)
	}
	mfs, err := openMetricsGatherer{reg}.Gather()
	require.NoError(t, err)
	var names []string
	for _, mf := range mfs {
		names = append(names, mf.GetName())
	}
	assert.Equal(t, []string{"x_bytes", "y_total", "z", "z_total"}, names)
}

func post(t *testing.T, client *http.Client, url string, header map[string]string, user, password string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// POST /-/reload is off unless --web.enable-lifecycle (as in Prometheus):
// without it the request is refused with 403 and nothing is reloaded.
func TestReloadNeedsLifecycleFlag(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	writeConfig(t, file, "checks: [{name: ok, tcp: {address: \"127.0.0.1:1\"}}]\n")
	for _, enabled := range []bool{false, true} {
		srv, ts := newTestServerWith(t, file, func(o *Options) { o.EnableLifecycle = enabled })
		before := srv.ReloadState().LastSuccess
		code, body := post(t, http.DefaultClient, ts.URL+"/-/reload", nil, "", "")
		if !enabled {
			assert.Equal(t, http.StatusForbidden, code)
			assert.Contains(t, body, "--web.enable-lifecycle")
			assert.Equal(t, before, srv.ReloadState().LastSuccess, "nothing was reloaded")
			continue
		}
		assert.Equal(t, http.StatusOK, code, body)
		assert.True(t, srv.ReloadState().LastSuccess.After(before))
	}
}

// A web page on another site cannot make a browser reload the exporter:
// cross-origin requests (Sec-Fetch-Site, or an Origin that is not the
// exporter's) are refused with 403; tools that send neither (curl, a
// config reloader) and the exporter's own pages are served.
func TestReloadRefusesCrossOriginBrowsers(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	writeConfig(t, file, "checks: [{name: ok, tcp: {address: \"127.0.0.1:1\"}}]\n")
	srv, ts := newTestServer(t, file)
	cases := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"cross-site page", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"same-site page", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"old browser, other origin", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"old browser, null origin", map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"the exporter's own page", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": ts.URL}, http.StatusOK},
		{"old browser, own origin", map[string]string{"Origin": ts.URL}, http.StatusOK},
		{"curl", nil, http.StatusOK},
	}
	for _, c := range cases {
		reloads := srv.ReloadState().LastSuccess
		code, body := post(t, http.DefaultClient, ts.URL+"/-/reload", c.header, "", "")
		assert.Equal(t, c.want, code, "%s: %s", c.name, body)
		if c.want == http.StatusForbidden {
			assert.Equal(t, reloads, srv.ReloadState().LastSuccess, "%s: nothing was reloaded", c.name)
		}
	}
}

// --web.config.file's basic auth covers /-/reload as every other endpoint.
func TestReloadUnderBasicAuth(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "cfg.yml")
	writeConfig(t, cfgFile, "checks: [{name: ok, tcp: {address: \"127.0.0.1:1\"}}]\n")
	webCfg, pool := testutil.WebConfig(t, dir, "admin", "letmein")
	srv, err := NewServer(Options{Logger: quietLogger(), Load: loadFile(cfgFile, build), EnableLifecycle: true})
	require.NoError(t, err)
	t.Cleanup(srv.Close) // after the server below has stopped
	addr, client := testutil.ServeWebConfig(t, srv.Handler(), webCfg, pool)
	url := "https://" + addr + "/-/reload"
	before := srv.ReloadState().LastSuccess
	code, _ := post(t, client, url, nil, "", "")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _ = post(t, client, url, nil, "admin", "wrong")
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Equal(t, before, srv.ReloadState().LastSuccess, "nothing was reloaded")
	code, body := post(t, client, url, nil, "admin", "letmein")
	assert.Equal(t, http.StatusOK, code, body)
	assert.True(t, srv.ReloadState().LastSuccess.After(before))
}

// The board and the status API show the latest results and never run a
// check: N page loads by war-room browsers (or anonymous visitors) cost
// the targets nothing. Only /metrics runs the due checks.
func TestPagesNeverRunChecks(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	writeConfig(t, file, "checks: [{name: counted_db, tcp: {address: \"127.0.0.1:1\"}}]\n")
	_, ts := newTestServer(t, file)
	code, body := get(t, ts.URL+"/metrics", nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `golive_check_success{check="counted_db",kind="tcp"} 1`)
	before := countedRuns.Load()
	const loads = 10
	for range loads {
		for _, path := range []string{"/", "/api/v1/status"} {
			code, body := get(t, ts.URL+path, nil)
			require.Equal(t, http.StatusOK, code, path)
			assert.Contains(t, body, "counted_db", path)
		}
	}
	assert.Equal(t, before, countedRuns.Load(), "%d page loads ran no check", 2*loads)
	_, body = get(t, ts.URL+"/api/v1/status", nil)
	assert.Contains(t, body, `"status": "pass"`, "the pages show the latest scrape's result")
	get(t, ts.URL+"/metrics", nil)
	assert.Equal(t, before+1, countedRuns.Load(), "a scrape runs the check")
}

// Before any scrape, every check runs once in the background when the
// configuration is loaded, so that the board has results to show; the
// pages themselves still run nothing.
func TestChecksRunOnceAtStart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	writeConfig(t, file, "checks: [{name: counted_start, tcp: {address: \"127.0.0.1:1\"}}]\n")
	before := countedRuns.Load()
	srv, ts := newTestServer(t, file)
	require.Eventually(t, func() bool {
		r := srv.Runtime().Scheduler.Snapshot()[0]
		return r.Status == collector.StatusPass && !r.Running
	}, 10*time.Second, 5*time.Millisecond, "the check ran without a scrape")
	assert.Equal(t, before+1, countedRuns.Load())
	_, body := get(t, ts.URL+"/api/v1/status", nil)
	assert.Contains(t, body, `"status": "pass"`)
	assert.Equal(t, before+1, countedRuns.Load())
}
