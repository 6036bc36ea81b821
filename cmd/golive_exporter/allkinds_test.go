package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryKindLintsClean runs one check of nearly every kind against real
// local servers and the corpus (internal/testutil/testdata/corpus), then feeds the whole /metrics to
// promtool check metrics: a family with a bad name, unit or label anywhere
// in the product fails here, not in a user's Prometheus.
func TestEveryKindLintsClean(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL, Redis and promtool")
	}
	promtool := testutil.Tool(t, "promtool")
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if o := r.Header.Get("Origin"); o == "https://sms.example.edu" {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
		}
		if r.URL.Path == "/plain" {
			http.Redirect(w, r, "https://"+r.Host+"/", http.StatusMovedPermanently)
			return
		}
		fmt.Fprint(w, `{"status":"healthy","checks":{"database":{"status":"ok"},"cache":"degraded"}}`)
	}))
	defer app.Close()

	corpus := testutil.Corpus(t, "")
	dir := t.TempDir()
	dumps := filepath.Join(dir, "dumps")
	require.NoError(t, os.MkdirAll(dumps, 0o700))
	stamp := time.Now().UTC().Add(-2 * time.Hour).Format("20060102_150405")
	require.NoError(t, os.WriteFile(filepath.Join(dumps, "backup_sms_"+stamp+".sql"), []byte(strings.Repeat("-- dump\n", 200)+"-- PostgreSQL database dump complete\n"), 0o600))
	marker := filepath.Join(dir, "restore.json")
	require.NoError(t, os.WriteFile(marker, []byte(fmt.Sprintf(`{"status":"success","finished_at":%q,"duration_seconds":42,"rows_checked":1200}`, time.Now().UTC().Format(time.RFC3339))), 0o600))

	cfg := filepath.Join(dir, "all.yml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`
postgres_targets:
  local: {dsn: %[14]q}
redis_targets:
  local: {address: "127.0.0.1:6379"}
checks:
  - name: app_health
    http: {url: %[1]q, health: true, security_headers: true}
  - name: app_cors
    cors: {url: %[1]q, origin: "https://sms.example.edu"}
  - name: app_redirect
    https_redirect: {url: %[2]q}
  - name: app_port
    tcp: {address: %[3]q}
  - name: cert_bundle
    tls: {files: [%[4]q]}
  - name: backend_tests
    junit: {paths: [%[5]q]}
  - name: frontend_tests
    test_report: {paths: [%[6]q]}
  - name: load_k6
    loadtest: {paths: [%[7]q]}
  - name: load_locust
    loadtest: {paths: [%[8]q]}
  - name: load_jmeter
    loadtest: {paths: [%[9]q]}
  - name: backup_pgbackrest
    pgbackrest: {file: %[10]q}
  - name: backup_walg
    walg: {file: %[11]q}
  - name: backup_barman
    barman: {file: %[15]q, check_file: %[16]q}
  - name: backup_dumps
    dump_folder: {glob: %[12]q}
  - name: restore_marker
    restore_result: {file: %[13]q}
  - name: db
    postgres: {target: local}
  - name: db_indexes
    postgres_indexes: {target: local}
  - name: db_count
    sql: {target: local, query: "SELECT count(*) FROM pg_database"}
  - name: cache
    redis: {target: local}
`, app.URL+"/health", app.URL+"/plain", strings.TrimPrefix(app.URL, "http://"),
		filepath.Join(corpus, "certs", "prometheus-common-tls-ca-chain-intermediate-root.pem"),
		filepath.Join(corpus, "junit", "pytest-properties-xfail.xml"),
		filepath.Join("..", "..", "collector", "report", "testdata", "jest-results.json"),
		filepath.Join(corpus, "loadtest", "k6-handlesummary-compact-thresholds-ok.json"),
		filepath.Join(corpus, "loadtest", "locust-retail_stats.csv"),
		filepath.Join(corpus, "loadtest", "jmeter-results-422-failures.jtl"),
		filepath.Join(corpus, "backup", "pgbackrest-info-backup-set-detail.json"),
		filepath.Join(corpus, "backup", "walg-backup-list-detail.json"),
		filepath.Join(dumps, "backup_*.sql"),
		marker,
		// A least-privilege role: sql checks refuse a superuser.
		testutil.RoleDSN(testutil.CreateRole(t, "golive_mon_", "IN ROLE pg_monitor"), "postgres"),
		filepath.Join(corpus, "backup", "barman-list-backups.json"),
		filepath.Join(corpus, "backup", "barman-check.json"),
	)), 0o600))
	// Paths in the config are relative to its folder.
	abs, err := filepath.Abs(filepath.Join("..", "..", "collector", "report", "testdata", "jest-results.json"))
	require.NoError(t, err)
	raw, err := os.ReadFile(cfg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cfg, []byte(strings.ReplaceAll(string(raw), filepath.Join("..", "..", "collector", "report", "testdata", "jest-results.json"), abs)), 0o600))

	// The host and the port checks: a log folder, a Docker Engine on a
	// unix socket answering for one container, the app's port open and a
	// free one closed.
	logs := filepath.Join(dir, "logs")
	require.NoError(t, os.MkdirAll(logs, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(logs, "app.log"), []byte("started\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(logs, "app.log.1"), []byte("old\n"), 0o600))
	sockDir, err := os.MkdirTemp("", "dock")
	require.NoError(t, err)
	defer os.RemoveAll(sockDir)
	sock := filepath.Join(sockDir, "docker.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	engine := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/containers/json" {
			fmt.Fprint(w, `[{"Id":"4fa6e0f0c678","Names":["/sms-api-1"],"State":"running","Status":"Up 2 hours (healthy)","Labels":{}}]`)
			return
		}
		fmt.Fprint(w, `{"Id":"4fa6e0f0c678","Name":"/sms-api-1","RestartCount":1,"State":{"Status":"running","Running":true,"StartedAt":"2026-12-01T06:00:00.5Z","Health":{"Status":"healthy","FailingStreak":0}}}`)
	})}
	go engine.Serve(l)
	defer engine.Close()
	extra := fmt.Sprintf(`  - name: firewall
    firewall: {open: [%q], closed: [%q]}
  - name: api_endpoints
    http_endpoints: {base_url: %q, follow_redirects: false, endpoints: [{name: health, url: /health}, {name: plain, url: /plain, valid_status_codes: [301]}]}
  - name: logs
    log_rotation: {files: [%q], max_age: 1d, max_file_size: 1MiB}
  - name: containers
    docker: {host: %q, containers: [{name: api, container_name: sms-api-1}]}
`, strings.TrimPrefix(app.URL, "http://"), testutil.FreeAddr(t), app.URL, logs, "unix://"+sock)
	raw, err = os.ReadFile(cfg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cfg, append(raw, extra...), 0o600))

	e := startExporter(t, "--config.file", cfg)
	body := e.get(t, "/metrics")
	for _, fam := range []string{"golive_http_", "golive_cors_", "golive_https_redirect_", "golive_tcp_", "golive_tls_",
		"golive_test_report_", "golive_loadtest_", "golive_backup_", "golive_restore_", "golive_postgres_", "golive_sql_", "golive_redis_",
		"golive_firewall_", "golive_http_endpoint_", "golive_log_rotation_", "golive_docker_", "golive_backup_barman_check_ok",
		"golive_checklist_ready"} {
		assert.Contains(t, body, "\n"+fam, "no %s family in /metrics", fam)
	}
	// Every check ran: a success value for each.
	assert.Equal(t, 23, strings.Count(body, "\ngolive_check_success{"), "one success series per check")

	assertPromtoolClean(t, promtool, body)
	checkFamiliesGolden(t, promtool, body)
}

// familiesGolden is the one list of the metric families the exporter can
// export (as node_exporter keeps its e2e output): name, type and help of
// every golive_ family, whether or not a run shows it. Regenerate it with
// go test ./cmd/golive_exporter -run TestEveryKindLintsClean -update.
const familiesGolden = "../../docs/metrics.txt"

// checkFamiliesGolden holds docs/metrics.txt to the families the kinds,
// the scheduler, the checklist and the server declare (collector.Families
// and the golive_ families of a real /metrics), checks that every family
// the real run showed has the declared type and help, and lints the list
// with promtool.
func checkFamiliesGolden(t *testing.T, promtool, body string) {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	scraped, err := parser.TextToMetricFamilies(strings.NewReader(body))
	require.NoError(t, err)
	type fam struct{ typ, help string }
	all := map[string]fam{}
	for _, f := range collector.Families() {
		all[f.Name] = fam{f.Type, f.Help}
	}
	for name, mf := range scraped {
		if !strings.HasPrefix(name, "golive_") {
			continue // go_, process_: client_golang's own
		}
		got := fam{strings.ToLower(mf.GetType().String()), mf.GetHelp()}
		if want, ok := all[name]; ok {
			assert.Equal(t, want, got, "%s as declared and as /metrics shows it", name)
			continue
		}
		all[name] = got // the server's own (reloads, scrape duration, build info)
	}
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# Every metric family golive_exporter can export (generated: go test ./cmd/golive_exporter -run TestEveryKindLintsClean -update).\n")
	for _, name := range names {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(all[name].help), name, all[name].typ)
	}
	if *update {
		require.NoError(t, os.WriteFile(familiesGolden, []byte(b.String()), 0o644))
	}
	golden, err := os.ReadFile(familiesGolden)
	require.NoError(t, err)
	assert.Equal(t, string(golden), b.String(), "docs/metrics.txt is stale: run go test ./cmd/golive_exporter -run TestEveryKindLintsClean -update")
	assertPromtoolClean(t, promtool, string(golden))
}
