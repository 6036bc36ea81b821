// Package e2e proves the path from a broken checklist item to a page in
// Alertmanager and back, on Debian's real Prometheus and Alertmanager.
package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/golive/golive_exporter/rules"
	"github.com/golive/golive_exporter/rules/ruletest"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const (
	prometheusBin   = "/usr/bin/prometheus"
	alertmanagerBin = "/usr/bin/prometheus-alertmanager"
)

// notification is one alert as the webhook receiver got it.
type notification struct {
	Receiver    string
	Status      string
	Labels      map[string]string
	Annotations map[string]string
}

// webhook collects what Alertmanager sends, per receiver (the URL path).
type webhook struct {
	mu  sync.Mutex
	got []notification
}

func (w *webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	var msg struct {
		Alerts []struct {
			Status      string            `json:"status"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"alerts"`
	}
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	for _, a := range msg.Alerts {
		w.got = append(w.got, notification{Receiver: strings.TrimPrefix(r.URL.Path, "/"), Status: a.Status, Labels: a.Labels, Annotations: a.Annotations})
	}
	w.mu.Unlock()
}

// has says whether a notification with this receiver, status and labels
// (a subset) arrived.
func (w *webhook) has(receiver, status string, labels map[string]string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, n := range w.got {
		if n.Receiver != receiver || n.Status != status {
			continue
		}
		match := true
		for k, v := range labels {
			if n.Labels[k] != v {
				match = false
			}
		}
		if match {
			return true
		}
	}
	return false
}

// description returns the description of the first firing notification
// of an alert for a check.
func (w *webhook) description(alertname, check string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, n := range w.got {
		if n.Status == "firing" && n.Labels["alertname"] == alertname && n.Labels["check"] == check {
			return n.Annotations["description"]
		}
	}
	return ""
}

func (w *webhook) dump() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b strings.Builder
	for _, n := range w.got {
		fmt.Fprintf(&b, "%s %s %s item=%s check=%s\n", n.Receiver, n.Status, n.Labels["alertname"], n.Labels["item"], n.Labels["check"])
	}
	return b.String()
}

// process is a started server, stopped at the end of the test.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func start(t *testing.T, dir, name string, bin string, args ...string) *process {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	logf, err := os.Create(logPath)
	require.NoError(t, err)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	require.NoError(t, cmd.Start(), name)
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			if len(b) > 4000 {
				b = b[len(b)-4000:]
			}
			t.Logf("--- %s log (tail) ---\n%s", name, b)
		}
	})
	return p
}

// stop kills the process and waits for it (bounded).
func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool, diag func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	msg := ""
	if diag != nil {
		msg = diag()
	}
	t.Fatalf("timed out after %s waiting for %s\n%s", within, what, msg)
}

func writeCert(t *testing.T, path string, notBefore, notAfter time.Time) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "app.example.test"},
		DNSNames: []string{"app.example.test"}, NotBefore: notBefore, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

func writeDump(t *testing.T, path string, mtime time.Time) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write([]byte("--\n-- PostgreSQL database dump\n--\n" + strings.Repeat("INSERT INTO students VALUES (1, 'a');\n", 4096)))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
	require.NoError(t, os.Chtimes(path, mtime, mtime))
}

// client bounds every request the test makes.
var client = &http.Client{Timeout: 5 * time.Second}

var forLine = regexp.MustCompile(`(?m)^(\s+for:) (\S+)$`)

// copyRules writes the bundle's rule files with every `for` shortened 300
// times, so the test sees alerts fire in seconds. The SLO rules are left out: their
// windows are minutes to days long.
func copyRules(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, name := range rules.FileNames() {
		if name == "slo.rules.yml" {
			continue
		}
		b, err := rules.Files.ReadFile(name)
		require.NoError(t, err)
		p := filepath.Join(dir, name)
		b = forLine.ReplaceAllFunc(b, func(line []byte) []byte {
			m := forLine.FindSubmatch(line)
			d, err := model.ParseDuration(string(m[2]))
			require.NoError(t, err)
			// 5m becomes 1s, 1h 12s: the order in which alerts fire (a
			// critical before the warning it inhibits) is kept.
			short := max(time.Duration(d)/300, time.Second).Round(time.Second)
			return []byte(string(m[1]) + " " + model.Duration(short).String())
		})
		require.NoError(t, os.WriteFile(p, b, 0o600))
		out = append(out, p)
	}
	return out
}

// loadedGroups are the bundle's groups that copyRules loads: every group
// but the SLO's, which the prometheus check must then find.
func loadedGroups(t *testing.T) []string {
	t.Helper()
	names, err := rules.GroupNames()
	require.NoError(t, err)
	var out []string
	for _, n := range names {
		if n != "golive.slo" {
			out = append(out, n)
		}
	}
	require.NotEmpty(t, out)
	return out
}

// alertmanagerConfig takes the shipped routing and inhibition and points
// every receiver at the test's webhook, with short group timers.
func alertmanagerConfig(t *testing.T, root, hook string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "deploy", "alertmanager", "alertmanager.yml"))
	require.NoError(t, err)
	var cfg map[string]any
	require.NoError(t, yaml.Unmarshal(b, &cfg))
	var receivers []any
	for _, r := range cfg["receivers"].([]any) {
		name := r.(map[string]any)["name"].(string)
		receivers = append(receivers, map[string]any{"name": name,
			"webhook_configs": []any{map[string]any{"url": hook + "/" + name, "send_resolved": true}}})
	}
	cfg["receivers"] = receivers
	var shorten func(route map[string]any)
	shorten = func(route map[string]any) {
		for k := range route {
			switch k {
			case "group_wait":
				route[k] = "0s"
			case "group_interval", "repeat_interval":
				route[k] = "1s"
			}
		}
		if subs, ok := route["routes"].([]any); ok {
			for _, s := range subs {
				shorten(s.(map[string]any))
			}
		}
	}
	route := cfg["route"].(map[string]any)
	route["group_wait"], route["group_interval"], route["repeat_interval"] = "0s", "1s", "1h"
	shorten(route)
	route["repeat_interval"] = "1h"
	out, err := yaml.Marshal(cfg)
	require.NoError(t, err)
	return out
}

// metricLine returns the first line of the exporter's /metrics that starts
// with prefix (name{labels...), or "" when there is none.
func metricLine(exporter, prefix string) string {
	resp, err := client.Get(exporter + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}

// metric returns the value of the exporter's series whose line starts with
// prefix, or "" when absent.
func metric(exporter, prefix string) string {
	f := strings.Fields(metricLine(exporter, prefix))
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// amAlertState returns the state of an alert in Alertmanager's API
// ("active", "suppressed") or "" when it is not there.
func amAlertState(am, alertname, check string) string {
	resp, err := client.Get(am + "/api/v2/alerts")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var alerts []struct {
		Labels map[string]string `json:"labels"`
		Status struct {
			State       string   `json:"state"`
			InhibitedBy []string `json:"inhibitedBy"`
		} `json:"status"`
	}
	if json.NewDecoder(resp.Body).Decode(&alerts) != nil {
		return ""
	}
	for _, a := range alerts {
		if a.Labels["alertname"] == alertname && a.Labels["check"] == check {
			return a.Status.State
		}
	}
	return ""
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: starts Prometheus, Alertmanager and the exporter")
	}
	for _, b := range []string{prometheusBin, alertmanagerBin} {
		if _, err := os.Stat(b); err != nil {
			t.Skipf("%s is not installed (scripts/install-deps.sh installs it)", b)
		}
	}
	root, err := ruletest.ModuleRoot()
	require.NoError(t, err)
	dir := t.TempDir()

	// Build the exporter as users run it.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := filepath.Join(dir, "golive_exporter")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/golive_exporter")
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	// The broken world: a failing health endpoint, an expired certificate
	// (and a second one expiring soon, a warning for the same item), an old dump.
	var healthy atomic.Bool
	health := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if healthy.Load() {
			fmt.Fprint(w, `{"status":"healthy"}`)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"status":"unhealthy"}`)
	}))
	defer health.Close()
	now := time.Now()
	appCert, apiCert := filepath.Join(dir, "app.pem"), filepath.Join(dir, "api.pem")
	writeCert(t, appCert, now.Add(-90*24*time.Hour), now.Add(-24*time.Hour))
	writeCert(t, apiCert, now.Add(-30*24*time.Hour), now.Add(10*24*time.Hour))
	dumps := filepath.Join(dir, "dumps")
	require.NoError(t, os.Mkdir(dumps, 0o700))
	writeDump(t, filepath.Join(dumps, "backup_old.sql.gz"), now.Add(-72*time.Hour))

	hooks := &webhook{}
	hookSrv := httptest.NewServer(hooks)
	defer hookSrv.Close()

	exAddr, promAddr, amAddr := testutil.FreeAddr(t), testutil.FreeAddr(t), testutil.FreeAddr(t)
	exporter, prom, am := "http://"+exAddr, "http://"+promAddr, "http://"+amAddr

	exCfg := fmt.Sprintf(`checks:
  - name: app_health
    items: [P3.1.04, P1.1.22]
    http:
      url: %s/health
  - name: app_certificate
    items: [P1.1.11]
    tls:
      files: [%s]
  - name: api_certificate
    items: [P1.1.11]
    tls:
      files: [%s]
  - name: db_dumps
    items: [P1.1.04]
    dump_folder:
      glob: %s/*.sql.gz
      max_age: 26h
  - name: prometheus
    items: [P1.1.16]
    prometheus:
      url: %s
      rule_groups: [%s]
  - name: alertmanager
    items: [P1.1.19]
    alertmanager:
      url: %s
      receivers: [pager, go-live-channel, heartbeat]
`, health.URL, appCert, apiCert, dumps, prom, strings.Join(loadedGroups(t), ", "), am)
	exCfgPath := filepath.Join(dir, "golive.yml")
	require.NoError(t, os.WriteFile(exCfgPath, []byte(exCfg), 0o600))

	ruleFiles := copyRules(t, dir)
	promCfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 900ms
  evaluation_interval: 1s
rule_files: [%s]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["%s"]
scrape_configs:
  - job_name: golive
    static_configs:
      - targets: ["%s"]
`, strings.Join(ruleFiles, ", "), amAddr, exAddr)
	promCfgPath := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(promCfgPath, []byte(promCfg), 0o600))
	amCfgPath := filepath.Join(dir, "alertmanager.yml")
	require.NoError(t, os.WriteFile(amCfgPath, alertmanagerConfig(t, root, hookSrv.URL), 0o600))

	start(t, dir, "exporter", bin, "--config.file="+exCfgPath, "--web.listen-address="+exAddr)
	amProc := start(t, dir, "alertmanager", alertmanagerBin, "--config.file="+amCfgPath,
		"--storage.path="+filepath.Join(dir, "am-data"), "--web.listen-address="+amAddr,
		"--cluster.listen-address=")
	promProc := start(t, dir, "prometheus", prometheusBin, "--config.file="+promCfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "prom-data"), "--web.listen-address="+promAddr,
		"--rules.alert.resend-delay=1s", "--rules.alert.for-grace-period=1s")

	firing := []struct {
		receiver string
		labels   map[string]string
	}{
		{"pager", map[string]string{"alertname": "GoLiveEndpointCheckFailing", "check": "app_health", "item": "P3.1.04", "kind": "http", "severity": "critical", "area": "endpoints"}},
		{"pager", map[string]string{"alertname": "GoLiveEndpointCheckFailing", "check": "app_health", "item": "P1.1.22", "severity": "critical"}},
		{"pager", map[string]string{"alertname": "GoLiveCertificateCheckFailing", "check": "app_certificate", "item": "P1.1.11", "kind": "tls", "severity": "critical"}},
		{"pager", map[string]string{"alertname": "GoLiveBackupCheckFailing", "check": "db_dumps", "item": "P1.1.04", "kind": "dump_folder", "severity": "critical"}},
		{"go-live-channel", map[string]string{"alertname": "GoLiveBackupCheckFailing", "check": "db_dumps", "item": "P1.1.04"}},
		{"heartbeat", map[string]string{"alertname": "Watchdog"}},
	}
	for _, f := range firing {
		eventually(t, 60*time.Second, fmt.Sprintf("%s firing at %s", f.labels["alertname"], f.receiver),
			func() bool { return hooks.has(f.receiver, "firing", f.labels) }, hooks.dump)
	}
	// Real Prometheus humanised the descriptions from the area metrics.
	// A too-old backup is stale and an expired certificate tls, as in every kind.
	assert.Regexp(t, `^Check db_dumps \(dump_folder\) proving checklist item P1.1.04 has failed for 10m \(reason: stale\)\. The newest backup is 3d 0h \d+m \d+s old\.$`,
		hooks.description("GoLiveBackupCheckFailing", "db_dumps"))
	assert.Regexp(t, `\(reason: tls\)\. A certificate expired 1d 0h \d+m \d+s ago\.$`,
		hooks.description("GoLiveCertificateCheckFailing", "app_certificate"))
	assert.Contains(t, hooks.description("GoLiveEndpointCheckFailing", "app_health"), "The endpoint answered HTTP 503.")

	// The soon-expiring certificate warns about the same item: the critical
	// inhibits it (equal: [item]), so it is suppressed and never delivered.
	eventually(t, 30*time.Second, "the certificate warning suppressed by the critical",
		func() bool {
			return amAlertState(am, "GoLiveCertificateCheckWarning", "api_certificate") == "suppressed"
		}, hooks.dump)
	assert.False(t, hooks.has("go-live-channel", "firing", map[string]string{"alertname": "GoLiveCertificateCheckWarning"}))
	// The exporter's alertmanager check sees the critical alerts.
	eventually(t, 20*time.Second, "the alertmanager check failing on critical alerts",
		func() bool {
			return metric(exporter, `golive_check_success{check="alertmanager"`) == "0" &&
				metric(exporter, `golive_alertmanager_alerts_firing{check="alertmanager",severity="critical"}`) != "0"
		}, nil)

	// Fix the causes.
	healthy.Store(true)
	writeCert(t, appCert, now.Add(-time.Hour), now.Add(90*24*time.Hour))
	writeDump(t, filepath.Join(dumps, "backup_new.sql.gz"), time.Now())
	for _, f := range firing[:4] {
		eventually(t, 60*time.Second, fmt.Sprintf("%s resolved", f.labels["alertname"]),
			func() bool { return hooks.has(f.receiver, "resolved", f.labels) }, hooks.dump)
	}
	// With the critical gone, the warning is no longer inhibited: it reaches the channel.
	eventually(t, 30*time.Second, "the certificate warning delivered once the critical resolved",
		func() bool {
			return hooks.has("go-live-channel", "firing", map[string]string{"alertname": "GoLiveCertificateCheckWarning", "item": "P1.1.11", "severity": "warning"})
		}, hooks.dump)
	writeCert(t, apiCert, now.Add(-time.Hour), now.Add(90*24*time.Hour))
	eventually(t, 30*time.Second, "the certificate warning resolved",
		func() bool {
			return hooks.has("go-live-channel", "resolved", map[string]string{"alertname": "GoLiveCertificateCheckWarning"})
		}, hooks.dump)

	// The exporter's own checks of the monitoring stack report it healthy.
	eventually(t, 30*time.Second, "the prometheus and alertmanager checks passing",
		func() bool {
			return metric(exporter, `golive_check_success{check="prometheus"`) == "1" &&
				metric(exporter, `golive_check_success{check="alertmanager"`) == "1"
		}, func() string {
			return fmt.Sprintf("prometheus check reason: %s; alertmanager: %s\n%s",
				failureReason(exporter, "prometheus"), failureReason(exporter, "alertmanager"), hooks.dump())
		})
	assert.Equal(t, "1", metric(exporter, `golive_alertmanager_watchdog_firing{check="alertmanager"}`))
	assert.Equal(t, "1", metric(exporter, `golive_prometheus_targets{check="prometheus",state="up"}`))
	assert.Equal(t, fmt.Sprint(len(loadedGroups(t))), metric(exporter, `golive_prometheus_rule_groups_loaded{check="prometheus"}`))
	assert.Equal(t, "0", metric(exporter, `golive_prometheus_rules{check="prometheus",health="err"}`))

	// Stop Alertmanager, then Prometheus: the checks notice.
	amProc.stop()
	eventually(t, 20*time.Second, "the alertmanager check failing once Alertmanager is gone",
		func() bool {
			return metric(exporter, `golive_check_success{check="alertmanager"`) == "0" &&
				failureReason(exporter, "alertmanager") == "connection_refused"
		}, nil)
	promProc.stop()
	eventually(t, 20*time.Second, "the prometheus check failing once Prometheus is gone",
		func() bool {
			return failureReason(exporter, "prometheus") == "connection_refused"
		}, nil)
}

var reasonRe = regexp.MustCompile(`reason="([a-z_]+)"`)

// failureReason returns the reason label of a check's failure, or "".
func failureReason(exporter, check string) string {
	if m := reasonRe.FindStringSubmatch(metricLine(exporter, `golive_check_failure_reason{check="`+check+`"`)); m != nil {
		return m[1]
	}
	return ""
}
