package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/collector/monitoring"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/golive/golive_exporter/rules"
	"github.com/stretchr/testify/require"
)

// exampleStack stands in for everything of the seed system that is not
// PostgreSQL or Redis, each speaking its real API's shape on loopback: the
// API (sms-api:8000), its public TLS endpoint, Prometheus, Alertmanager,
// Grafana and Loki (one server, their paths do not collide), the Docker
// Engine on a unix socket, and the files the host holds (nightly dumps of
// the test's database, the restore test's state file, logs, CI reports).
// The test breaks one piece at a time through its fields.
type exampleStack struct {
	dir                         string
	app, mon, tls               *httptest.Server
	caFile, closedAddr, socket  string
	dumps, logs, reports, state string
	// dump is last night's pg_dump of the test's database, as the backup
	// script gzips it; every nightly file holds it.
	dump []byte

	mu          sync.Mutex
	down        bool               // nginx answers 502: the API is down
	health      string             // the API's overall health status
	dbHealth    string             // its database component
	promql      map[string]float64 // answer per query
	firing      []string           // alert names firing with severity critical
	window      time.Time          // rate limiter's window start
	windowCount int
}

func (s *exampleStack) set(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

// healthyValue is a value inside a promql check's bounds.
func healthyValue(c *monitoring.PromQLCheck) float64 {
	switch {
	case c.Min != nil && c.Max != nil:
		return (*c.Min + *c.Max) / 2
	case c.Max != nil:
		return *c.Max / 2
	case *c.Min < 1:
		return (*c.Min + 1) / 2
	default:
		return *c.Min * 2
	}
}

func startExampleStack(t *testing.T, db string) *exampleStack {
	t.Helper()
	cfg, _, err := checklist.LoadConfigFile(filepath.Join(exampleDir, "golive.yml"))
	require.NoError(t, err)
	s := &exampleStack{dir: t.TempDir(), health: "healthy", dbHealth: "healthy", promql: map[string]float64{}}
	for _, c := range cfg.Checks {
		if pq, ok := c.Spec().(*monitoring.PromQLCheck); ok {
			s.promql[pq.Query] = healthyValue(pq)
		}
	}
	s.app = httptest.NewServer(http.HandlerFunc(s.serveApp))
	t.Cleanup(s.app.Close)
	s.mon = httptest.NewServer(http.HandlerFunc(s.serveMonitoring))
	t.Cleanup(s.mon.Close)
	s.tls = httptest.NewUnstartedServer(http.HandlerFunc(s.serveApp))
	// The firewall check's bare connects end without a handshake.
	s.tls.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.tls.StartTLS()
	t.Cleanup(s.tls.Close)
	s.caFile = filepath.Join(s.dir, "ca.pem")
	require.NoError(t, os.WriteFile(s.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.tls.Certificate().Raw}), 0o600))
	s.closedAddr = testutil.FreeAddr(t)
	s.socket = startDockerEngine(t)

	now := time.Now().UTC()
	s.dumps = filepath.Join(s.dir, "backups")
	require.NoError(t, os.Mkdir(s.dumps, 0o700))
	s.dump = gzipped(t, pgDump(t, db))
	for i := range 31 { // a nightly dump at 02:00 UTC, 31 nights kept
		at := now.Add(-3*time.Hour - time.Duration(i)*24*time.Hour)
		writeExampleDump(t, s.dumps, at, s.dump)
	}
	s.state = filepath.Join(s.dir, "restore-state.json")

	s.logs = filepath.Join(s.dir, "log")
	require.NoError(t, os.Mkdir(s.logs, 0o700))
	for i, name := range []string{"sms.log", "sms.log.1", "sms.log.2.gz"} {
		p := filepath.Join(s.logs, name)
		require.NoError(t, os.WriteFile(p, []byte("2026-12-01 07:00:00,123 INFO app.main: request served\n"), 0o600))
		mt := now.Add(-time.Duration(i) * 24 * time.Hour)
		require.NoError(t, os.Chtimes(p, mt, mt))
	}

	s.reports = filepath.Join(s.dir, "ci")
	writeJUnit(t, filepath.Join(s.reports, "backend", "junit.xml"), "pytest", "tests.test_api", 370, now.Add(-5*time.Hour))
	writeJUnit(t, filepath.Join(s.reports, "frontend", "junit.xml"), "vitest tests", "src/components", 1249, now.Add(-5*time.Hour))
	writePlaywright(t, filepath.Join(s.reports, "e2e", "results.json"), now.Add(-4*time.Hour), "")
	writeK6(t, filepath.Join(s.reports, "loadtest", "summary.json"), 0.3775, 100)
	return s
}

// pgDump dumps db as the seed app's backup script does (plain SQL, without
// owners and grants so that a role with only CREATEDB restores it).
func pgDump(t *testing.T, db string) []byte {
	t.Helper()
	testutil.Tool(t, "pg_dump")
	out, err := exec.Command("pg_dump", "--no-owner", "--no-privileges", "-h", "127.0.0.1", "-U", "postgres", "-d", db).Output()
	require.NoError(t, err, "pg_dump %s", db)
	require.Contains(t, string(out), "-- PostgreSQL database dump complete")
	return out
}

// gzipped is b through gzip at its default level, as in `pg_dump | gzip`.
func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// writeExampleDump writes one night's dump as the seed app's backup script
// does: backup_<db>_<YYYYmmdd_HHMMSS>.sql.gz, readable by its owner only,
// and after it its .meta sidecar saying success (as the script does after
// a pipe that ended with status 0, whatever pg_dump wrote into it).
func writeExampleDump(t *testing.T, dir string, at time.Time, content []byte) string {
	t.Helper()
	base := "backup_student_management_" + at.Format("20060102_150405")
	p := filepath.Join(dir, base+".sql.gz")
	require.NoError(t, os.WriteFile(p, content, 0o600))
	writeJSONFile(t, filepath.Join(dir, base+".meta"), map[string]any{"status": "success", "database": "student_management",
		"backup_file": base + ".sql.gz", "size_bytes": len(content), "created_at": at.Add(2 * time.Minute).Format(time.RFC3339)})
	mt := at.Add(2 * time.Minute)
	require.NoError(t, os.Chtimes(p, mt, mt))
	return p
}

func writeJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	b, err := json.Marshal(v)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))
}

func writeJUnit(t *testing.T, path, suite, class string, n int, at time.Time) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites><testsuite name=%q errors=\"0\" failures=\"0\" skipped=\"0\" tests=\"%d\" time=\"42.1\" timestamp=%q hostname=\"ci-runner-2\">\n",
		suite, n, at.Format("2006-01-02T15:04:05.000000"))
	for i := range n {
		fmt.Fprintf(&b, "<testcase classname=\"%s.test_%03d\" name=\"test_case_%d\" time=\"0.012\"/>\n", class, i/10, i)
	}
	b.WriteString("</testsuite></testsuites>\n")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
}

// e2eSpecs are the seed app's Playwright specs: file, then test titles.
var e2eSpecs = []struct {
	file   string
	titles []string
}{
	{"student.spec.ts", []string{"student sees the dashboard after login"}},
	{"grades.spec.ts", []string{"student views own grades", "teacher enters and updates a grade"}},
	{"attendance.spec.ts", []string{"teacher records attendance", "student sees attendance"}},
	{"reports.spec.ts", []string{"admin generates a term report", "admin exports grades to Excel", "admin exports a transcript to PDF"}},
	{"auth.spec.ts", []string{"user logs in", "wrong password is refused at login", "password reset e-mail flow"}},
	{"rbac.spec.ts", []string{"student cannot open the admin area", "teacher cannot edit other courses"}},
	{"security.spec.ts", []string{"sql injection in search is blocked", "xss in a course title is escaped", "csrf token required on form posts"}},
}

var e2eProjects = []string{"chromium", "firefox", "webkit", "msedge", "Mobile Chrome", "Mobile Safari"}

// writePlaywright writes Playwright's JSON reporter output: every spec run
// in every project; failing ("title@project") names one test that fails.
func writePlaywright(t *testing.T, path string, at time.Time, failing string) {
	t.Helper()
	var projects []map[string]any
	for _, p := range e2eProjects {
		projects = append(projects, map[string]any{"id": p, "name": p, "retries": 0, "testDir": "/srv/sms/frontend/e2e"})
	}
	var suites []map[string]any
	n, bad := 0, 0
	for _, f := range e2eSpecs {
		var specs []map[string]any
		for _, title := range f.titles {
			var tests []map[string]any
			ok := true
			for _, p := range e2eProjects {
				status, result := "expected", "passed"
				if title+"@"+p == failing {
					ok = false
					status, result = "unexpected", "failed"
					bad++
				}
				n++
				tests = append(tests, map[string]any{"expectedStatus": "passed", "projectId": p, "projectName": p, "status": status,
					"results": []map[string]any{{"status": result, "duration": 1200, "retry": 0, "startTime": at.Format("2006-01-02T15:04:05.000Z"), "errors": []any{}}}})
			}
			specs = append(specs, map[string]any{"title": title, "ok": ok, "tests": tests, "file": f.file})
		}
		suites = append(suites, map[string]any{"title": f.file, "file": f.file, "specs": specs, "suites": []any{}})
	}
	writeJSONFile(t, path, map[string]any{
		"config": map[string]any{"projects": projects, "version": "1.48.2"},
		"suites": suites, "errors": []any{},
		"stats": map[string]any{"startTime": at.Format("2006-01-02T15:04:05.000Z"), "duration": 90000.0, "expected": n - bad, "unexpected": bad, "flaky": 0, "skipped": 0},
	})
}

// writeK6 writes k6's end-of-test summary (handleSummary's data, JSON).
func writeK6(t *testing.T, path string, p95Seconds float64, vus int) {
	t.Helper()
	ms := p95Seconds * 1000
	writeJSONFile(t, path, map[string]any{
		"root_group": map[string]any{"name": "", "path": "", "id": "d41d8cd98f00b204e9800998ecf8427e", "groups": []any{}, "checks": []any{}},
		"options":    map[string]any{"summaryTrendStats": []string{"avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"}, "summaryTimeUnit": "ms"},
		"state":      map[string]any{"isStdOutTTY": false, "isStdErrTTY": false, "testRunDurationMs": 600000.0},
		"metrics": map[string]any{
			"http_req_duration": map[string]any{"type": "trend", "contains": "time",
				"values": map[string]any{"avg": ms / 3, "min": 3.2, "med": ms / 4, "max": ms * 2.5, "p(90)": ms * 0.8, "p(95)": ms, "p(99)": ms * 1.6}},
			"http_reqs":       map[string]any{"type": "counter", "contains": "default", "values": map[string]any{"count": 60000, "rate": 100.0}},
			"http_req_failed": map[string]any{"type": "rate", "contains": "default", "values": map[string]any{"rate": 0.001, "passes": 60, "fails": 59940}},
			"vus":             map[string]any{"type": "gauge", "contains": "default", "values": map[string]any{"value": vus, "min": 1, "max": vus}},
			"vus_max":         map[string]any{"type": "gauge", "contains": "default", "values": map[string]any{"value": vus, "min": vus, "max": vus}},
		},
	})
}

var securityHeaders = map[string]string{
	"Strict-Transport-Security": "max-age=31536000; includeSubDomains",
	"X-Frame-Options":           "DENY",
	"X-Content-Type-Options":    "nosniff",
	"Content-Security-Policy":   "default-src 'self'; frame-ancestors 'none'",
	"Referrer-Policy":           "strict-origin-when-cross-origin",
}

// serveApp answers as the seed app's FastAPI backend behind nginx.
func (s *exampleStack) serveApp(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range securityHeaders {
		w.Header().Set(k, v)
	}
	if s.down {
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
		return
	}
	const origin = "https://sms.example.edu"
	if r.Header.Get("Origin") == origin {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		w.Header().Set("Vary", "Origin")
	}
	switch {
	case r.URL.Path == "/health":
		code := http.StatusOK // degraded still answers 200, as the seed app does
		if s.health == "unhealthy" {
			code = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"status":%q,"environment":"production","version":"1.9.3","uptime_seconds":7200,"checks":{"database":{"status":%q,"latency_ms":2.1},"redis":{"status":"healthy"},"migrations":{"status":"healthy","revision":"64887d60dbfb"}}}`,
			s.health, s.dbHealth)
	case r.URL.Path == "/login":
		fmt.Fprint(w, "<!doctype html><html><head><title>Login - Student Management System</title></head><body><form id=\"login\"></form></body></html>")
	case r.URL.Path == "/api/v1/auth/login":
		now := time.Now()
		if now.Sub(s.window) > time.Minute {
			s.window, s.windowCount = now, 0
		}
		s.windowCount++
		if s.windowCount > 5 { // slowapi: 5/minute on the login route
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":"Rate limit exceeded: 5 per 1 minute"}`)
			return
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"detail":[{"type":"missing","loc":["body","email"],"msg":"Field required"}]}`)
	case strings.HasPrefix(r.URL.Path, "/api/v1/"):
		if r.Method == http.MethodOptions {
			if r.Header.Get("Origin") != origin {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, "Disallowed CORS origin")
				return
			}
			w.Header().Set("Access-Control-Allow-Methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
			w.Header().Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
			w.Header().Set("Access-Control-Max-Age", "600")
			fmt.Fprint(w, "OK")
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"detail":"Not authenticated"}`)
	default:
		http.NotFound(w, r)
	}
}

// serveMonitoring answers as Prometheus, Alertmanager, Grafana and Loki.
func (s *exampleStack) serveMonitoring(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vector := func(v string) string {
		return fmt.Sprintf(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[%d,%q]}]}}`, time.Now().Unix(), v)
	}
	switch r.URL.Path {
	case "/-/ready":
		fmt.Fprint(w, "Prometheus Server is Ready.\n")
	case "/api/v1/targets":
		fmt.Fprint(w, `{"status":"success","data":{"activeTargets":[{"labels":{"job":"sms","instance":"sms-api:8000"},"scrapePool":"sms","health":"up"},{"labels":{"job":"node","instance":"node-exporter:9100"},"scrapePool":"node","health":"up"},{"labels":{"job":"golive","instance":"golive:9781"},"scrapePool":"golive","health":"up"}],"droppedTargets":[]}}`)
	case "/api/v1/rules":
		names, _ := rules.GroupNames()
		var groups []string
		for _, n := range names {
			groups = append(groups, fmt.Sprintf(`{"name":%q,"file":"/etc/prometheus/rules/golive.rules.yml","rules":[{"name":"R","health":"ok","type":"alerting"}]}`, n))
		}
		fmt.Fprint(w, `{"status":"success","data":{"groups":[`+strings.Join(groups, ",")+`]}}`)
	case "/api/v1/status/tsdb":
		fmt.Fprintf(w, `{"status":"success","data":{"headStats":{"numSeries":48211,"chunkCount":9000,"minTime":1,"maxTime":%d},"seriesCountByMetricName":[]}}`, time.Now().Add(-15*time.Second).UnixMilli())
	case "/api/v1/query":
		_ = r.ParseForm()
		v, ok := s.promql[r.Form.Get("query")]
		if !ok {
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
			return
		}
		fmt.Fprint(w, vector(fmt.Sprint(v)))
	case "/api/v2/status":
		fmt.Fprint(w, `{"cluster":{"status":"ready","peers":[{"name":"01JDX","address":"172.18.0.7:9094"}]},"config":{"original":""},"uptime":"2026-11-30T06:00:00Z","versionInfo":{"version":"0.27.0"}}`)
	case "/api/v2/receivers":
		fmt.Fprint(w, `[{"name":"pager"},{"name":"go-live-channel"},{"name":"null"}]`)
	case "/api/v2/alerts":
		alerts := []string{`{"fingerprint":"w","labels":{"alertname":"Watchdog","severity":"none"},"status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}`}
		for _, a := range s.firing {
			alerts = append(alerts, fmt.Sprintf(`{"fingerprint":%q,"labels":{"alertname":%q,"severity":"critical"},"status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}`, a, a))
		}
		fmt.Fprint(w, "["+strings.Join(alerts, ",")+"]")
	case "/api/health":
		fmt.Fprint(w, `{"commit":"a8b2c3d","database":"ok","version":"11.3.0"}`)
	case "/api/search":
		var ds []string
		for i, uid := range monitoring.BundleDashboardUIDs {
			ds = append(ds, fmt.Sprintf(`{"id":%d,"uid":%q,"orgId":1,"title":%q,"type":"dash-db","tags":["golive"]}`, i+1, uid, uid))
		}
		fmt.Fprint(w, "["+strings.Join(ds, ",")+"]")
	case "/ready":
		fmt.Fprint(w, "ready\n")
	case "/loki/api/v1/query":
		if strings.Contains(r.URL.Query().Get("query"), "|~") {
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
			return
		}
		fmt.Fprint(w, vector("1234"))
	default:
		http.NotFound(w, r)
	}
}

// startDockerEngine serves the Docker Engine API's two read endpoints
// (GET /containers/json, GET /containers/{id}/json) on a unix socket: the
// seed app's compose project and its monitoring containers, all healthy.
func startDockerEngine(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "dock") // short: a socket path has at most 107 bytes
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	socket := filepath.Join(dir, "docker.sock")
	type ctr struct{ name, service string }
	var ctrs []ctr
	for _, svc := range []string{"api", "frontend", "postgres", "redis"} {
		ctrs = append(ctrs, ctr{"sms-" + svc + "-1", svc})
	}
	for _, m := range []string{"prometheus", "grafana", "loki", "promtail", "alertmanager", "node-exporter", "cadvisor"} {
		ctrs = append(ctrs, ctr{"sms-" + m, m})
	}
	id := func(c ctr) string { return fmt.Sprintf("%064x", []byte(c.name))[:64] }
	labels := func(c ctr) map[string]string {
		return map[string]string{"com.docker.compose.project": "sms", "com.docker.compose.service": c.service, "com.docker.compose.oneoff": "False"}
	}
	l, err := net.Listen("unix", socket)
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.47")
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/containers/json":
			var out []map[string]any
			for _, c := range ctrs {
				out = append(out, map[string]any{"Id": id(c), "Names": []string{"/" + c.name}, "Image": "ghcr.io/bs1gr/sms-" + c.service + ":1.9.3",
					"Labels": labels(c), "State": "running", "Status": "Up 2 hours (healthy)"})
			}
			_ = json.NewEncoder(w).Encode(out)
		case strings.HasPrefix(r.URL.Path, "/containers/") && strings.HasSuffix(r.URL.Path, "/json"):
			for _, c := range ctrs {
				if r.URL.Path == "/containers/"+id(c)+"/json" {
					_ = json.NewEncoder(w).Encode(map[string]any{"Id": id(c), "Name": "/" + c.name, "RestartCount": 0,
						"State": map[string]any{"Status": "running", "Running": true, "Restarting": false, "OOMKilled": false, "ExitCode": 0, "Pid": 4242,
							"StartedAt": time.Now().Add(-2 * time.Hour).Format(time.RFC3339Nano), "FinishedAt": "0001-01-01T00:00:00Z",
							"Health": map[string]any{"Status": "healthy", "FailingStreak": 0, "Log": []any{}}},
						"Config":     map[string]any{"Labels": labels(c)},
						"HostConfig": map[string]any{"RestartPolicy": map[string]any{"Name": "unless-stopped"}}})
					return
				}
			}
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"message":"No such container: %s"}`, r.URL.Path)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"page not found"}`)
		}
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return socket
}

// isolatedDir is a folder on another filesystem than the test's dumps (the
// database's data directory in production).
func isolatedDir(t *testing.T, dumps string) string {
	t.Helper()
	for _, d := range []string{"/dev/shm", "/proc"} {
		if devOfPath(t, d) != devOfPath(t, dumps) {
			return d
		}
	}
	t.Fatal("no folder on another filesystem than the temp folder")
	return ""
}
