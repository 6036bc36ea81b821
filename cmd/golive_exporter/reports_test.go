package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reportsModule is a Go module whose `go test -json` output is the test
// report of the security and teacher-workflow items: every test passes but
// the CSRF one.
var reportsModule = map[string]string{
	"go.mod": "module example.edu/sms\n\ngo 1.21\n",
	"security/security_test.go": `package security

import "testing"

func TestLogin(t *testing.T)              {}
func TestPasswordReset(t *testing.T)      {}
func TestSQLInjectionBlocked(t *testing.T) {}
func TestXSSEscaped(t *testing.T)         {}
func TestCSRFTokenRequired(t *testing.T)  { t.Fatal("POST /grades without a token answered 200") }
func TestRBAC(t *testing.T) {
	for _, role := range []string{"teacher", "student", "admin"} {
		t.Run(role, func(t *testing.T) {})
	}
}
`,
	"workflows/workflows_test.go": `package workflows

import "testing"

func TestGradeEntryTeacher(t *testing.T) {}
`,
}

// reportsConfig binds every test- and load-related checklist item to a
// check: one check per item (select) where the item needs its own case
// count or thresholds, groups of one check for the Playwright projects
// (each browser item takes its group's verdict).
const reportsConfig = `checklist:
  file: %[1]s
checks:
  - name: backend_tests
    items: [P1.1.06]
    junit: {paths: [reports/backend], expected_cases: 370, max_age: 26h}
  - name: frontend_tests
    items: [P1.1.07]
    test_report: {paths: [reports/frontend/jest-results.json], expected_cases: 1249, max_age: 26h}
  - name: load_p95
    items: [P1.1.08]
    loadtest: {paths: [reports/load/k6], max_p95: 380ms, max_age: 26h}
  - name: load_users
    items: [P1.4.15]
    loadtest: {paths: [reports/load/locust], min_vus: 100, max_error_ratio: 0.01}
  - name: load_sla
    items: [P1.4.16]
    loadtest: {paths: [reports/load/jmeter/results.jtl], max_p95: 500ms}
  - name: e2e_all
    items: [P1.4.01]
    test_report: {paths: [reports/e2e/playwright-report.json]}
  - name: wf_login
    items: [P1.4.02]
    test_report: {paths: [reports/e2e/playwright-report.json], select: {suite: '^login\.spec\.ts$'}}
  - name: wf_grades
    items: [P1.4.03]
    test_report: {paths: [reports/frontend/jest-results.json], select: {suite: 'grades\.test\.js$'}}
  - name: wf_attendance
    items: [P1.4.04]
    test_report: {paths: [reports/frontend/jest-results.json], select: {suite: 'attendance\.test\.js$'}}
  - name: wf_grade_entry
    items: [P1.4.05]
    test_report: {paths: [reports/go/test.json], select: {name: '^TestGradeEntryTeacher$'}}
  - name: wf_reports
    items: [P1.4.06]
    test_report: {paths: [reports/api/pytest-report.json], select: {suite: 'test_reports\.py$'}}
  - name: wf_export
    items: [P1.4.07]
    test_report: {paths: [reports/frontend/jest-results.json], select: {name: 'exports'}, max_skipped: 0}
  - name: sec_login
    items: [P1.4.08]
    test_report: {paths: [reports/go/test.json], select: {name: '^TestLogin$'}}
  - name: sec_password_reset
    items: [P1.4.09]
    test_report: {paths: [reports/go/test.json], select: {name: '^TestPasswordReset$'}}
  - name: sec_rbac
    items: [P1.4.10]
    test_report: {paths: [reports/go/test.json], select: {name: '^TestRBAC(/|$)'}, expected_cases: 4}
  - name: sec_sqli
    items: [P1.4.11]
    test_report: {paths: [reports/go/test.json], select: {name: '^TestSQLInjection'}}
  - name: sec_xss
    items: [P1.4.12]
    test_report: {paths: [reports/go/test.json], select: {name: '^TestXSS'}}
  - name: sec_csrf
    items: [P1.4.13]
    test_report: {paths: [reports/go/test.json], select: {name: '^TestCSRF'}}
  - name: e2e_browsers
    test_report:
      paths: [reports/e2e/playwright-report.json]
      groups:
        - {name: chrome, items: [P1.4.21], match: {project: '^chromium$'}}
        - {name: firefox, items: [P1.4.22], match: {project: '^firefox$'}}
        - {name: mobile, items: [P1.4.25], match: {project: '^Mobile '}}
  - name: browser_safari
    items: [P1.4.23]
    junit: {paths: [reports/e2e-legacy], select: {project: '^webkit$'}}
  - name: browser_edge
    items: [P1.4.24]
    junit: {paths: [reports/e2e-legacy], select: {project: '^msedge$'}}
`

// TestReportsFolder is the report issue's "done when": the exporter pointed
// at a folder of real reports (corpus files, the report fixtures, and a
// go test -json stream produced here) shows the right counts, ages and p95
// in /metrics and in `check`, and every test- and load-related item of the
// checklist maps to a check with its own verdict. The expected figures are
// worked out by hand from the files.
func TestReportsFolder(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test and the exporter")
	}
	goBin := testutil.Tool(t, "go")
	dir := t.TempDir()
	junit, load := testutil.Corpus(t, "junit"), testutil.Corpus(t, "loadtest")
	fixtures := filepath.Join("..", "..", "collector", "report", "testdata")
	copyTo := func(src, dst string) {
		t.Helper()
		b, err := os.ReadFile(src)
		require.NoError(t, err)
		dst = filepath.Join(dir, "reports", dst)
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		require.NoError(t, os.WriteFile(dst, b, 0o644))
	}
	copyTo(filepath.Join(junit, "surefire-TEST-StringUtilsTest.xml"), "backend/TEST-StringUtilsTest.xml")
	copyTo(filepath.Join(junit, "go-junit-report-pass-fail-skip.xml"), "backend/go-junit-report.xml")
	copyTo(filepath.Join(fixtures, "jest-results.json"), "frontend/jest-results.json")
	copyTo(filepath.Join(fixtures, "pytest-report.json"), "api/pytest-report.json")
	copyTo(filepath.Join(fixtures, "playwright-report.json"), "e2e/playwright-report.json")
	copyTo(filepath.Join(fixtures, "playwright-legacy-projects.xml"), "e2e-legacy/results.xml")
	copyTo(filepath.Join(load, "k6-handlesummary-compact-thresholds-ok.json"), "load/k6/summary.json")
	for _, part := range []string{"stats", "stats_history", "failures"} {
		copyTo(filepath.Join(load, "locust-retail_"+part+".csv"), "load/locust/retail_"+part+".csv")
	}
	copyTo(filepath.Join(load, "jmeter-results-422-failures.jtl"), "load/jmeter/results.jtl")
	// The Surefire file carries no timestamp: its modification time is its
	// run time, and the newest of the backend report (go-junit-report's
	// is 2022-01-01).
	backendRun := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "reports/backend/TEST-StringUtilsTest.xml"), backendRun, backendRun))

	// A real go test -json stream.
	mod := filepath.Join(dir, "module")
	for name, body := range reportsModule {
		p := filepath.Join(mod, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	gotest := exec.Command(goBin, "test", "-json", "-count=1", "./...")
	gotest.Dir = mod
	gotest.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOPROXY=off")
	stream, _ := gotest.Output() // exits 1: the CSRF test fails
	require.Contains(t, string(stream), `"Action":"fail"`)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "reports/go"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "reports/go/test.json"), stream, 0o644))

	cfgPath := filepath.Join(dir, "golive.yml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(fmt.Sprintf(reportsConfig, testutil.ChecklistTSV(t))), 0o600))

	// Every item whose evidence is a test or load-test report.
	tsv, err := os.ReadFile(testutil.ChecklistTSV(t))
	require.NoError(t, err)
	var reportItems []string
	for _, line := range strings.Split(string(tsv), "\n")[1:] {
		if f := strings.Split(line, "\t"); len(f) > 6 && f[5] == "report" {
			reportItems = append(reportItems, f[0])
		}
	}
	require.Len(t, reportItems, 23)

	// Worked out from the files.
	wantStates := map[string]string{
		"P1.1.06": "fail", // 10 cases of 370 (and 3 failed)
		"P1.1.07": "fail", // the Jest run is from 2025-11-29: stale
		"P1.1.08": "pass", // k6 p95 260.642 ms <= 380 ms
		"P1.4.15": "pass", // Locust: 15000 users, 1 failure in 37219
		"P1.4.16": "pass", // JMeter p95 431.95 ms < 500 ms
		"P1.4.01": "fail", // one unexpected Playwright result
		"P1.4.02": "fail", // login.spec.ts: the chromium "wrong password" case
		"P1.4.03": "fail", // grades.test.js: "shows the letter grade" failed
		"P1.4.04": "fail", // attendance.test.js did not run
		"P1.4.05": "pass",
		"P1.4.06": "fail", // test_reports.py could not be collected
		"P1.4.07": "fail", // "exports to PDF" is a todo: skipped, max_skipped 0
		"P1.4.08": "pass",
		"P1.4.09": "pass",
		"P1.4.10": "pass", // TestRBAC and its 3 subtests
		"P1.4.11": "pass",
		"P1.4.12": "pass",
		"P1.4.13": "fail", // TestCSRFTokenRequired failed
		"P1.4.21": "fail", // chromium: the wrong-password case
		"P1.4.22": "pass", // firefox: passed and flaky
		"P1.4.23": "pass", // webkit: one passed, one skipped
		"P1.4.24": "fail", // no msedge cases at all
		"P1.4.25": "pass", // Mobile Safari: passed and skipped
	}
	require.Len(t, wantStates, len(reportItems))

	var out, errOut bytes.Buffer
	code := run([]string{"--config.file", cfgPath, "check", "--output", "json", "--timeout", "60s"}, &out, &errOut)
	require.Equal(t, exitNotReady, code, errOut.String())
	st, states := statusStates(t, out.Bytes())
	checksOf := map[string][]checklist.CheckRef{}
	for _, p := range st.Phases {
		for _, s := range p.Sections {
			for _, it := range s.Items {
				checksOf[it.ID] = it.Checks
			}
		}
	}
	for _, id := range reportItems {
		assert.Equal(t, wantStates[id], states[id], "state of %s", id)
		assert.Len(t, checksOf[id], 1, "%s is bound to one check", id)
	}
	// The browser groups' check fails (the chromium case), yet the Firefox
	// and mobile items pass with their groups.
	for id, group := range map[string]string{"P1.4.21": "chrome", "P1.4.22": "firefox", "P1.4.25": "mobile"} {
		assert.Equal(t, "e2e_browsers", checksOf[id][0].Name)
		assert.Equal(t, []string{group}, checksOf[id][0].Groups, id)
	}
	assert.Contains(t, checksOf["P1.4.21"][0].Message, "group chrome (P1.4.21): observed 1 passed, 1 error, 1 xfail")
	for _, id := range []string{"P1.1.06", "P1.1.07", "P1.4.13", "P1.4.24"} {
		assert.Contains(t, st.Blockers, id)
	}

	// The figures behind the verdicts, as check reports them.
	observed := func(id, cond string) string {
		t.Helper()
		for _, c := range checksOf[id][0].Conditions {
			if c.Name == cond {
				return c.Observed
			}
		}
		t.Fatalf("%s: no condition %q in %+v", id, cond, checksOf[id][0].Conditions)
		return ""
	}
	assert.Equal(t, "10 cases", observed("P1.1.06", "test cases present"))
	assert.Equal(t, "3 failed, 0 error", observed("P1.1.06", "no failing cases"))
	assert.Equal(t, "260.642ms", observed("P1.1.08", "p95 latency"))
	assert.Equal(t, "431.95ms", observed("P1.4.16", "p95 latency"))
	// Ages: the backend report's newest run is the Surefire file's time.
	backendAge := observed("P1.1.06", "report age")
	assert.Regexp(t, `^2h(1m)? old`, backendAge, "2h, or a minute more on a slow run")
	assert.True(t, strings.HasSuffix(backendAge, " old (run "+backendRun.UTC().Format(time.RFC3339)+")"), backendAge)
	assert.Contains(t, observed("P1.1.08", "result age"), "s old (ended ")
	assert.Equal(t, "15000 peak", observed("P1.4.15", "concurrent users"))
	assert.Equal(t, "0 cases", observed("P1.4.24", "test cases present"))
	assert.Equal(t, "4 cases", observed("P1.4.10", "test cases present"))
	assert.Contains(t, checksOf["P1.1.07"][0].Message, "newest test run is from 2025-11-29T08:00:00Z")

	// The running exporter's /metrics.
	e := startExporter(t, "--config.file", cfgPath)
	body := e.get(t, "/metrics")
	// metric returns the value of the series of family name whose labels
	// include every one given (name{a="b",c="d"} written as in the text
	// format; other labels such as kind may be there too).
	metric := func(series string) float64 {
		t.Helper()
		name, labels, _ := strings.Cut(strings.TrimSuffix(series, "}"), "{")
		sc := bufio.NewScanner(strings.NewReader(body))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
	lines:
		for sc.Scan() {
			line := sc.Text()
			rest, ok := strings.CutPrefix(line, name+"{")
			if !ok {
				rest, ok = strings.CutPrefix(line, name+" ")
				if !ok || labels != "" {
					continue
				}
				rest = "} " + rest
			}
			set, value, ok := strings.Cut(rest, "} ")
			if !ok {
				continue
			}
			for _, l := range strings.Split(labels, ",") {
				if l != "" && !strings.Contains(","+set+",", ","+l+",") {
					continue lines
				}
			}
			v, err := strconv.ParseFloat(value, 64)
			require.NoError(t, err, line)
			return v
		}
		t.Fatalf("no series %s in /metrics", series)
		return 0
	}
	// Backend: surefire 2 passed, 2 failed, 1 skipped; go-junit-report 2
	// passed, 1 failed, 2 skipped.
	assert.Equal(t, 4.0, metric(`golive_test_report_cases{check="backend_tests",result="passed"}`))
	assert.Equal(t, 3.0, metric(`golive_test_report_cases{check="backend_tests",result="failed"}`))
	assert.Equal(t, 3.0, metric(`golive_test_report_cases{check="backend_tests",result="skipped"}`))
	assert.Equal(t, 370.0, metric(`golive_test_report_expected_cases{check="backend_tests"}`))
	assert.Equal(t, float64(backendRun.Unix()), metric(`golive_test_report_timestamp_seconds{check="backend_tests"}`))
	assert.Equal(t, 93600.0, metric(`golive_test_report_max_age_seconds{check="backend_tests"}`))
	// Frontend (Jest --json): the newest time in it is the last test file's
	// endTime, 1764403200120 ms.
	assert.InDelta(t, 1764403200.12, metric(`golive_test_report_timestamp_seconds{check="frontend_tests"}`), 0.001)
	assert.Equal(t, 4.0, metric(`golive_test_report_cases{check="frontend_tests",result="passed"}`))
	assert.Equal(t, 1.0, metric(`golive_check_failure_reason{check="frontend_tests",reason="stale"}`))
	// Selected cases only: TestRBAC and its three subtests.
	assert.Equal(t, 4.0, metric(`golive_test_report_cases{check="sec_rbac",result="passed"}`))
	assert.Equal(t, 1.0, metric(`golive_test_report_cases{check="sec_csrf",result="failed"}`))
	// Load tests.
	assert.InDelta(t, 0.26064205, metric(`golive_loadtest_latency_seconds{check="load_p95",percentile="95"}`), 1e-9)
	assert.Equal(t, 0.38, metric(`golive_loadtest_latency_limit_seconds{check="load_p95",percentile="95"}`))
	assert.InDelta(t, 0.43195, metric(`golive_loadtest_latency_seconds{check="load_sla",percentile="95"}`), 1e-9)
	assert.InDelta(t, 0.0745, metric(`golive_loadtest_latency_seconds{check="load_sla",percentile="50"}`), 1e-9)
	assert.Equal(t, 15000.0, metric(`golive_loadtest_vus_max{check="load_users"}`))
	assert.Equal(t, 1724151306.0, metric(`golive_loadtest_timestamp_seconds{check="load_users"}`))
	assert.InDelta(t, 1.0/37219, metric(`golive_loadtest_error_ratio{check="load_users"}`), 1e-12)
	assert.Equal(t, 1776660534.655, metric(`golive_loadtest_timestamp_seconds{check="load_sla"}`))
	for _, c := range []string{"load_p95", "load_users", "load_sla", "sec_login", "browser_safari"} {
		assert.Equal(t, 1.0, metric(`golive_check_success{check="`+c+`"}`), c)
	}
	for _, c := range []string{"backend_tests", "frontend_tests", "sec_csrf", "browser_edge"} {
		assert.Equal(t, 0.0, metric(`golive_check_success{check="`+c+`"}`), c)
	}
	assert.Equal(t, 0.0, metric(`golive_check_success{check="e2e_browsers"}`))
	assert.Equal(t, 0.0, metric(`golive_test_report_group_success{check="e2e_browsers",group="chrome"}`))
	assert.Equal(t, 1.0, metric(`golive_test_report_group_success{check="e2e_browsers",group="firefox"}`))
	assert.Equal(t, 1.0, metric(`golive_test_report_group_cases{check="e2e_browsers",group="firefox",result="flaky"}`))
	assert.Equal(t, 1.0, metric(`golive_test_report_group_item_info{check="e2e_browsers",group="mobile",item="P1.4.25"}`))
	assert.Equal(t, 0.0, metric("golive_checklist_ready"))
}
