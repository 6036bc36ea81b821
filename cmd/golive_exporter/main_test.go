package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runArgs(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestEveryKindIsCompiledIn(t *testing.T) {
	have := map[string]bool{}
	for _, k := range collector.RegisteredKinds() {
		have[k] = true
	}
	for _, k := range config.Kinds() {
		assert.True(t, have[k], "kind %s has settings (config.RegisterKind) but no check: register both with collector.RegisterKind", k)
	}
}

func TestConfigErrorsExitTwo(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yml")
	require.NoError(t, os.WriteFile(bad, []byte("checks:\n  - name: db\n    timout: 5s\n    tcp: {address: \"127.0.0.1:1\"}\n"), 0o600))
	good := filepath.Join(dir, "good.yml")
	require.NoError(t, os.WriteFile(good, []byte("checks:\n  - name: db\n    tcp: {address: \"127.0.0.1:1\"}\n"), 0o600))

	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"config.check bad", []string{"--config.file", bad, "--config.check"}, exitConfigError, "", bad + `:3: checks[0].timout: unknown key "timout" (did you mean "timeout"?)`},
		{"config.check good", []string{"--config.file", good, "--config.check"}, exitOK, "configuration valid: 1 checks", ""},
		{"config.check default", []string{"--config.check"}, exitOK, "configuration valid", ""},
		{"serve bad", []string{"serve", "--config.file", bad, "--web.listen-address", "127.0.0.1:0"}, exitConfigError, "", bad + ":3:"},
		{"serve missing file", []string{"--config.file", filepath.Join(dir, "absent.yml"), "--web.listen-address", "127.0.0.1:0"}, exitConfigError, "", "no such file"},
		{"check bad", []string{"check", "--config.file", bad}, exitConfigError, "", bad + ":3:"},
		{"unknown flag", []string{"--no-such-flag"}, exitConfigError, "", "unknown long flag"},
		{"print default", []string{"--config.print-default"}, exitOK, string(config.DefaultYAML()), ""},
		{"version", []string{"--version"}, exitOK, "golive_exporter, version", ""},
		{"help", []string{"--help"}, exitOK, "", "serve*"},
		{"serve help", []string{"serve", "--help"}, exitOK, "", "--web.listen-address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runArgs(c.args...)
			assert.Equal(t, c.code, code, "stdout: %s\nstderr: %s", out, errOut)
			assert.Contains(t, out, c.stdout)
			assert.Contains(t, errOut, c.stderr)
		})
	}
}

// The binary, built once for the tests that run it as a process.
var (
	binOnce sync.Once
	binPath string
	binErr  error
)

func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "golive_exporter_test")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "golive_exporter")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, binErr)
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// exporter is a running golive_exporter process.
type exporter struct {
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
	done chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startExporter(t *testing.T, args ...string) *exporter {
	t.Helper()
	bin := binary(t)
	e := &exporter{addr: testutil.FreeAddr(t), logs: &syncBuffer{}, done: make(chan error, 1)}
	e.cmd = exec.Command(bin, append([]string{"--web.listen-address", e.addr}, args...)...)
	e.cmd.Stderr = e.logs
	e.cmd.Stdout = e.logs
	require.NoError(t, e.cmd.Start())
	go func() { e.done <- e.cmd.Wait() }()
	t.Cleanup(func() {
		_ = e.cmd.Process.Kill()
		<-e.done
	})
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + e.addr + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 20*time.Millisecond, "exporter did not become ready:\n%s", e.logs)
	return e
}

func (e *exporter) get(t *testing.T, path string) string {
	t.Helper()
	resp, err := http.Get("http://" + e.addr + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// metrics fetches /metrics without failing the test (for Eventually,
// whose condition runs on another goroutine).
func (e *exporter) metrics() string {
	resp, err := http.Get("http://" + e.addr + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func (e *exporter) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, e.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-e.done:
		e.done <- err // for the cleanup
		require.NoError(t, err, "exit after SIGTERM:\n%s", e.logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit after SIGTERM:\n%s", e.logs)
	}
}

// POST /-/reload answers 403 unless --web.enable-lifecycle is given;
// SIGHUP reloads either way (TestSIGHUPReloads).
func TestLifecycleFlag(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	require.NoError(t, os.WriteFile(file, []byte("checks: [{name: first_port, tcp: {address: \"127.0.0.1:1\", expect: closed}}]\n"), 0o600))
	for _, c := range []struct {
		args []string
		want int
	}{
		{nil, http.StatusForbidden},
		{[]string{"--web.enable-lifecycle"}, http.StatusOK},
	} {
		e := startExporter(t, append([]string{"--config.file", file}, c.args...)...)
		resp, err := http.Post("http://"+e.addr+"/-/reload", "", nil)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, c.want, resp.StatusCode, "%v", c.args)
		e.stop(t)
	}
}

func TestSIGHUPReloads(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cfg.yml")
	write := func(s string) { require.NoError(t, os.WriteFile(file, []byte(s), 0o600)) }
	write("checks: [{name: first_port, tcp: {address: \"127.0.0.1:1\", expect: closed}}]\n")
	e := startExporter(t, "--config.file", file)
	assert.Contains(t, e.get(t, "/metrics"), `golive_check_success{check="first_port",kind="tcp"} 1`)

	// The process serves throughout: a scraper runs against it from the
	// first reload to the last, and every one of its scrapes is answered.
	var stop atomic.Bool
	var scrapes, failures atomic.Int32
	var firstFailure atomic.Value
	scraper := make(chan struct{})
	t.Cleanup(func() { stop.Store(true); <-scraper })
	go func() {
		defer close(scraper)
		for !stop.Load() {
			resp, err := http.Get("http://" + e.addr + "/metrics")
			scrapes.Add(1)
			if err != nil {
				failures.Add(1)
				firstFailure.CompareAndSwap(nil, err.Error())
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				failures.Add(1)
				firstFailure.CompareAndSwap(nil, resp.Status)
			}
		}
	}()

	write("checks: [{name: second_port, tcp: {address: \"127.0.0.1:1\", expect: closed}}]\n")
	require.NoError(t, e.cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool {
		return strings.Contains(e.metrics(), `golive_check_success{check="second_port",kind="tcp"} 1`)
	}, 30*time.Second, 20*time.Millisecond)

	write("checks: [{name: third_port, tcp: {address: \"nowhere\"}}]\n")
	require.NoError(t, e.cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool {
		return strings.Contains(e.metrics(), "golive_config_last_reload_successful 0")
	}, 30*time.Second, 20*time.Millisecond)
	body := e.get(t, "/metrics")
	assert.Contains(t, body, `golive_check_success{check="second_port",kind="tcp"} 1`, "the previous configuration keeps running")
	assert.Contains(t, e.logs.String(), file+`:1: checks[0].tcp.address: \"nowhere\" is not host:port`)

	// Fixed again: the new file is taken and the reload state recovers.
	write("checks: [{name: fourth_port, tcp: {address: \"127.0.0.1:1\", expect: closed}}]\n")
	require.NoError(t, e.cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool {
		m := e.metrics()
		return strings.Contains(m, "golive_config_last_reload_successful 1") &&
			strings.Contains(m, `golive_check_success{check="fourth_port",kind="tcp"} 1`)
	}, 30*time.Second, 20*time.Millisecond)
	body = e.get(t, "/metrics")
	assert.NotContains(t, body, `check="second_port"`)
	assert.Contains(t, body, `golive_config_reloads_total{result="failure"} 1`)
	assert.Contains(t, body, `golive_config_reloads_total{result="success"} 3`)

	stop.Store(true)
	<-scraper
	assert.Positive(t, scrapes.Load())
	assert.Zero(t, failures.Load(), "every scrape during the reloads was answered; first failure: %v", firstFailure.Load())
	e.stop(t)
}

// goldenKeep are the families the golden file holds: the core's. The
// checklist's and the Go runtime's are tested elsewhere or vary.
var goldenKeep = regexp.MustCompile(`^(# (HELP|TYPE) )?(golive_check_|golive_tcp_|golive_config_|golive_scrape_|golive_exporter_build_info)`)

var (
	goldenValue  = regexp.MustCompile(`^(golive_\S*(_seconds|_seconds_bucket|_seconds_sum|_seconds_count)(\{[^}]*\})?) \S+$`)
	goldenLabels = regexp.MustCompile(`^golive_exporter_build_info\{[^}]*\}`)
)

// normaliseMetrics keeps the core families and blanks what varies from run
// to run: durations, timestamps, histogram counts and build labels.
func normaliseMetrics(body string) string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if !goldenKeep.MatchString(line) {
			continue
		}
		line = goldenValue.ReplaceAllString(line, "$1 <varies>")
		line = goldenLabels.ReplaceAllString(line, "golive_exporter_build_info{<build labels>}")
		out = append(out, line)
	}
	return strings.Join(out, "\n") + "\n"
}

// goldenFixture writes a configuration of tcp checks against local
// targets whose results are fixed.
func goldenFixture(t *testing.T) string {
	t.Helper()
	open, closed := testutil.OpenPort(t), testutil.FreeAddr(t)
	file := filepath.Join(t.TempDir(), "golden.yml")
	require.NoError(t, os.WriteFile(file, []byte(fmt.Sprintf(`checks:
  - name: api_port
    description: The API answers on its port.
    items: [P1.1.02]
    tcp: {address: %q}
  - name: db_port_closed
    description: The database port is not reachable from here.
    items: [P1.1.03]
    tcp: {address: %q, expect: closed}
  - name: cache_port
    description: Redis answers (it does not in this fixture).
    tcp: {address: %q}
  - name: api_port_exposed
    description: A port that must be closed but is open.
    interval: 1h
    tcp: {address: %q, expect: closed}
`, open, closed, closed, open)), 0o600))
	return file
}

// TestMetricsGolden compares the core families of a real /metrics with
// testdata/metrics.golden (go test -run MetricsGolden -update rewrites it)
// and feeds the whole output to promtool check metrics.
func TestMetricsGolden(t *testing.T) {
	e := startExporter(t, "--config.file", goldenFixture(t))
	raw := e.get(t, "/metrics")
	got := normaliseMetrics(raw)
	golden := filepath.Join("testdata", "metrics.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)

	// Every family has HELP and TYPE, and no family is repeated.
	seen := map[string]int{}
	for _, line := range strings.Split(raw, "\n") {
		if strings.HasPrefix(line, "# TYPE ") {
			seen[strings.Fields(line)[2]]++
		}
	}
	var dups []string
	for name, n := range seen {
		if n > 1 {
			dups = append(dups, name)
		}
	}
	sort.Strings(dups)
	assert.Empty(t, dups)
	for _, fam := range []string{"go_goroutines", "process_resident_memory_bytes", "golive_exporter_build_info"} {
		assert.Contains(t, seen, fam)
	}

	assertPromtoolClean(t, testutil.Tool(t, "promtool"), raw)
}

// TestMetricsOpenMetrics asks /metrics for OpenMetrics, as Prometheus does
// when its scrape_protocols put it first. The answer is OpenMetrics (its
// content type, # EOF at the end, counters declared without _total); it
// decodes with expfmt's strict OpenMetrics parser, which refuses a family
// declared twice (a gauge X beside a counter X_total share the family name
// X in OpenMetrics, as client_golang's go_memstats_alloc_bytes and
// go_memstats_alloc_bytes_total do); and promtool check metrics finds
// nothing in the families it holds (promtool reads only the classic text
// format, so the decoded families are written in it for promtool).
func TestMetricsOpenMetrics(t *testing.T) {
	e := startExporter(t, "--config.file", goldenFixture(t))
	// The first OpenMetrics scrape is encoded by expfmt; from then on the
	// runs write their OpenMetrics lines, and the second scrape is written
	// from them for the checks that ran again (issue 12): both must hold.
	for _, scrape := range []string{"first scrape", "from the runs' lines"} {
		t.Run(scrape, func(t *testing.T) { checkOpenMetricsScrape(t, e) })
	}

	// Without an Accept header: the classic text format, as before, with
	// every family, the colliding counter too.
	plain := e.get(t, "/metrics")
	assert.False(t, strings.Contains(plain, "# EOF"))
	assert.True(t, strings.Contains(plain, "\ngo_memstats_alloc_bytes_total "))
}

// checkOpenMetricsScrape asks e's /metrics for OpenMetrics with
// Prometheus 3's Accept header and checks the answer (see
// TestMetricsOpenMetrics).
func checkOpenMetricsScrape(t *testing.T, e *exporter) {
	req, err := http.NewRequest(http.MethodGet, "http://"+e.addr+"/metrics", nil)
	require.NoError(t, err)
	// What Prometheus 3 sends by default (its scrape tests' "default
	// scrape protocols with no escaping").
	req.Header.Set("Accept", "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2")
	// (Go's transport asks for gzip, as Prometheus does, and unzips.)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	body := string(b)
	ct := resp.Header.Get("Content-Type")
	require.True(t, strings.HasPrefix(ct, "application/openmetrics-text"), "content type %q", ct)
	// (Booleans, not Contains: a failure would print the whole body.)
	assert.True(t, strings.HasSuffix(body, "# EOF\n"), "an OpenMetrics exposition ends with # EOF")
	assert.Equal(t, 1, strings.Count(body, "# EOF"), "one # EOF")
	assert.True(t, strings.Contains(body, "# TYPE golive_config_reloads counter\n"), "OpenMetrics declares a counter without its _total suffix")
	assert.True(t, strings.Contains(body, "golive_config_reloads_total{"))

	dec := expfmt.NewDecoder(bytes.NewReader(b), expfmt.Format(ct))
	var classic bytes.Buffer
	enc := expfmt.NewEncoder(&classic, expfmt.NewFormat(expfmt.TypeTextPlain))
	families := map[string]bool{}
	for {
		var mf dto.MetricFamily
		err := dec.Decode(&mf)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "the OpenMetrics answer does not parse")
		families[mf.GetName()] = true
		require.NoError(t, enc.Encode(&mf))
	}
	for _, name := range []string{"golive_check_success", "golive_check_item_info", "golive_config_reloads_total", "golive_exporter_build_info", "go_goroutines", "process_resident_memory_bytes", "go_memstats_alloc_bytes", "go_gc_heap_allocs_bytes_total"} {
		assert.True(t, families[name], "the OpenMetrics answer lacks %s", name)
	}
	assertPromtoolClean(t, testutil.Tool(t, "promtool"), classic.String())
}

// assertPromtoolClean feeds a /metrics body to promtool check metrics,
// which must find nothing.
func assertPromtoolClean(t *testing.T, promtool, body string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	assert.NoError(t, err, "promtool check metrics:\n%s", out)
	assert.Empty(t, strings.TrimSpace(string(out)), "promtool check metrics findings")
}

// Every core family of the golden /metrics is in docs/core.md's metrics
// table with its type, and the table names no family the golden lacks
// but for golive_check_running (only there while a run outlives a scrape);
// README.md's metrics table lists them all.
func TestCoreMetricsDocumented(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "metrics.golden"))
	require.NoError(t, err)
	emitted := map[string]string{}
	for _, line := range strings.Split(string(golden), "\n") {
		if f := strings.Fields(line); len(f) == 4 && f[1] == "TYPE" && !strings.HasPrefix(f[2], "golive_tcp_") {
			emitted[f[2]] = f[3]
		}
	}
	require.NotEmpty(t, emitted)
	emitted["golive_check_running"] = "gauge"

	doc, err := os.ReadFile("../../docs/core.md")
	require.NoError(t, err)
	documented := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| `(golive_[a-z0-9_]+)` \\| (gauge|counter|histogram|summary) \\|").FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = m[2]
	}
	assert.Equal(t, emitted, documented, "docs/core.md's per-check metrics table against the golden /metrics")

	// The README's metrics reference names every one of them too.
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for name := range emitted {
		assert.Contains(t, string(readme), "| `"+name+"` |", "README.md's metrics table lacks %s", name)
	}
}

// --web.telemetry-path moves the metrics; --log.format json makes every
// log line a JSON object.
func TestTelemetryPathAndLogFormat(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cfg.yml")
	require.NoError(t, os.WriteFile(file, []byte("checks: [{name: port, tcp: {address: \"127.0.0.1:1\", expect: closed}}]\n"), 0o600))
	e := startExporter(t, "--config.file", file, "--web.telemetry-path", "/golive-metrics", "--log.format", "json")
	assert.Contains(t, e.get(t, "/golive-metrics"), `golive_check_success{check="port",kind="tcp"} 1`)
	resp, err := http.Get("http://" + e.addr + "/metrics")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "no metrics at the default path")
	e.stop(t)

	lines := strings.Split(strings.TrimSpace(e.logs.String()), "\n")
	require.NotEmpty(t, lines)
	for _, l := range lines {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &rec), "not a JSON log line: %s", l)
		assert.Contains(t, rec, "level", l)
		assert.Contains(t, rec, "msg", l)
	}
}

// A setting 0.1.0 wrote that is now deprecated (password_env, a size with a
// lower-case unit) still loads; --config.check says what to write instead,
// on stderr, with the file and line, and exits 0.
func TestConfigCheckWarnsAboutDeprecatedSettings(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "golive.yml")
	require.NoError(t, os.WriteFile(cfg, []byte(`redis_targets:
  cache: {address: "127.0.0.1:6379", password_env: REDIS_PASSWORD}
checks:
  - name: cache
    redis: {target: cache}
  - name: walg
    walg: {file: list.json, max_output: 32m}
`), 0o600))
	var out, errOut bytes.Buffer
	code := run([]string{"--config.file", cfg, "--config.check"}, &out, &errOut)
	assert.Equal(t, exitOK, code, errOut.String())
	assert.Contains(t, out.String(), "configuration valid: 2 checks")
	assert.Contains(t, errOut.String(), "warning: "+cfg+":2: redis_targets.cache.password_env: password_env is deprecated and will be removed in the next release; write password_ref: with the same variable name")
	assert.Contains(t, errOut.String(), "warning: "+cfg+`:7: checks[1].walg.max_output: size "32m" is written the old way`)
}

// --config.check reports every problem of the file at once: an unknown
// item id together with an unknown key, a wrongly typed value (in the same
// check as the unknown item) and an sslmode in a DSN that PostgreSQL would
// refuse.
func TestConfigCheckReportsEverythingAtOnce(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "golive.yml")
	require.NoError(t, os.WriteFile(cfg, []byte(`postgres_targets:
  app: {dsn: "postgres://golive@db.example.com:5432/sms?sslmode=verify_full"}
checks:
  - name: db
    timout: 5s
    postgres: {target: app}
  - name: web
    interval: soon
    items: [P3.1.04, P9.9.99]
    tcp: {address: "127.0.0.1:1"}
`), 0o600))
	var out, errOut bytes.Buffer
	code := run([]string{"--config.file", cfg, "--config.check"}, &out, &errOut)
	assert.Equal(t, exitConfigError, code)
	for _, want := range []string{
		cfg + `:2: postgres_targets.app.dsn: sslmode "verify_full" in the dsn is not known`,
		cfg + `:5: checks[0].timout: unknown key "timout" (did you mean "timeout"?)`,
		cfg + `:8: checks[1].interval: "soon" is not a duration`,
		cfg + `:9: checks[1].items[1]: item "P9.9.99" of check "web" is not in the checklist`,
	} {
		assert.Contains(t, errOut.String(), want)
	}
}
