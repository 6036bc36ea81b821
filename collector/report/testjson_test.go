package report

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parseJSONFile(t *testing.T, path, format string, g *grouper) (*FileSummary, error) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	return parseTestJSON(f, format, g)
}

func ms(n int64) string { return time.UnixMilli(n).UTC().Format(time.RFC3339Nano) }

func TestTestJSONFixtures(t *testing.T) {
	tests := []struct {
		file, format string
		want         junitWant
	}{
		// login: 2 passed + 1 pending; grades: 1 failed, 2 passed, 1 todo;
		// attendance.test.js failed to run: one error.
		{"jest-results.json", TestReportJest, junitWant{counts: counts(4, 1, 1, 2, 0, 0), declared: 7,
			newest: ms(1764403200120), duration: 2.4}},
		{"vitest-results.json", TestReportJest, junitWant{counts: counts(4, 0, 0, 1, 0, 0), declared: 5,
			newest: ms(1764406800060), duration: 1.5}},
		// xpassed counts as passed; the module that failed to import is one
		// more error beside the nine tests.
		{"pytest-report.json", TestReportPytest, junitWant{counts: counts(5, 1, 2, 1, 0, 1), declared: 9,
			newest: "2025-11-29T10:00:00.123456001Z", duration: 3.2109851837158203}},
		{"playwright-report.json", TestReportPlaywright, junitWant{counts: counts(3, 0, 1, 1, 1, 1), declared: 7,
			newest: "2025-11-29T08:00:00.512Z", duration: 41.234567}},
		// TestRound panicked (never ended); reports did not build.
		{"gotest-crash.jsonl", TestReportGoTest, junitWant{counts: counts(1, 0, 2, 0, 0, 0), declared: -1,
			newest: "2025-11-29T09:00:01.5Z", duration: 1.499999}},
	}
	for _, tt := range tests {
		for _, format := range []string{TestReportAuto, tt.format} {
			t.Run(tt.file+"/"+format, func(t *testing.T) {
				s, err := parseJSONFile(t, filepath.Join("testdata", tt.file), format, nil)
				require.NoError(t, err)
				assert.Equal(t, tt.format, s.Format)
				if tt.file == "pytest-report.json" {
					// Float seconds: compare to the microsecond.
					want, _ := time.Parse(time.RFC3339Nano, tt.want.newest)
					assert.InDelta(t, float64(want.UnixMicro()), float64(s.Newest.UnixMicro()), 1)
					s.Newest = want
				}
				checkWant(t, tt.want, s)
			})
		}
	}
}

func TestTestJSONWrongFormat(t *testing.T) {
	_, err := parseJSONFile(t, filepath.Join("testdata", "jest-results.json"), TestReportPytest, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is a jest report, but the check's format is pytest")
	_, err = parseJSONFile(t, filepath.Join("testdata", "jest-results.json"), TestReportGoTest, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no go test -json events")
}

func TestPytestSummaryOnly(t *testing.T) {
	// pytest --json-report --json-report-omit tests: only the summary.
	in := `{"created": 1764410400.5, "duration": 12.5, "exitcode": 0, "root": "/srv", "summary": {"passed": 360, "skipped": 8, "xfailed": 2, "total": 370, "collected": 372, "deselected": 2}}`
	s, err := parseTestJSON(strings.NewReader(in), TestReportAuto, nil)
	require.NoError(t, err)
	assert.Equal(t, counts(360, 0, 0, 8, 0, 2), s.Counts)
	assert.Equal(t, 370, s.Declared)
	assert.Zero(t, s.Mismatches)
}

func TestTestJSONByteOrderMark(t *testing.T) {
	s, err := parseTestJSON(strings.NewReader("\ufeff{\"numTotalTests\":1,\"testResults\":[{\"name\":\"a\",\"assertionResults\":[{\"title\":\"t\",\"status\":\"passed\"}]}]}"), TestReportAuto, nil)
	require.NoError(t, err)
	assert.Equal(t, counts(1, 0, 0, 0, 0, 0), s.Counts)
}

func TestTestJSONGroups(t *testing.T) {
	g, err := newGrouper([]config.TestGroup{
		{Name: "chrome", Match: config.TestMatch{Project: "^chromium$"}},
		{Name: "firefox", Match: config.TestMatch{Project: "^firefox$"}},
		{Name: "mobile", Match: config.TestMatch{Project: "^Mobile "}},
		{Name: "login", Match: config.TestMatch{Suite: `^login\.spec\.ts$`, Classname: "^Student login$"}},
	})
	require.NoError(t, err)
	s, err := parseJSONFile(t, filepath.Join("testdata", "playwright-report.json"), TestReportAuto, g)
	require.NoError(t, err)
	assert.Equal(t, counts(1, 0, 1, 0, 0, 1), s.Groups[0])
	assert.Equal(t, counts(1, 0, 0, 0, 1, 0), s.Groups[1])
	assert.Equal(t, counts(1, 0, 0, 1, 0, 0), s.Groups[2])
	assert.Equal(t, 6, s.Groups[3].Total())

	g, err = newGrouper([]config.TestGroup{
		{Name: "auth", Match: config.TestMatch{Suite: `test_auth\.py$`}},
		{Name: "reset", Match: config.TestMatch{Classname: "^TestPasswordReset$"}},
		{Name: "rbac", Match: config.TestMatch{Name: `^test_rbac\[`}},
		{Name: "reports", Match: config.TestMatch{Suite: "test_reports"}},
	})
	require.NoError(t, err)
	s, err = parseJSONFile(t, filepath.Join("testdata", "pytest-report.json"), TestReportAuto, g)
	require.NoError(t, err)
	assert.Equal(t, counts(4, 1, 0, 0, 0, 0), s.Groups[0])
	assert.Equal(t, counts(0, 1, 0, 0, 0, 0), s.Groups[1])
	assert.Equal(t, counts(2, 0, 0, 0, 0, 0), s.Groups[2])
	assert.Equal(t, counts(0, 0, 1, 0, 0, 0), s.Groups[3], "the module that failed to import")

	g, err = newGrouper([]config.TestGroup{
		{Name: "login", Match: config.TestMatch{Suite: `login\.test\.js$`, Classname: "^Login"}},
		{Name: "attendance", Match: config.TestMatch{Suite: "attendance"}},
	})
	require.NoError(t, err)
	s, err = parseJSONFile(t, filepath.Join("testdata", "jest-results.json"), TestReportAuto, g)
	require.NoError(t, err)
	assert.Equal(t, counts(2, 0, 0, 1, 0, 0), s.Groups[0])
	assert.Equal(t, counts(0, 0, 1, 0, 0, 0), s.Groups[1])
}

func TestTestJSONBroken(t *testing.T) {
	tests := []struct{ name, input, errPart string }{
		{"empty", "", "truncated JSON"},
		{"truncated", `{"numTotalTests": 3, "testResults": [{"name": "a", "assertionResults": [`, "truncated JSON"},
		{"not json", "<testsuites/>", "malformed JSON"},
		{"array", `[1,2]`, "where an object should start"},
		{"unknown object", `{"hello": "world"}`, "not a recognised test report"},
		{"mixed formats", `{"numTotalTests": 1, "summary": {"total": 1}}`, "not a recognised test report"},
		{"wrong type", `{"numTotalTests": 1, "testResults": [{"assertionResults": "x"}]}`, "unexpected JSON value"},
		{"trailing data", `{"numTotalTests": 0, "testResults": []} {"x": 1}`, "after the JSON document"},
		{"go test garbage", "{\"Action\":\"run\"\n{{{{\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseTestJSON(strings.NewReader(tt.input), TestReportAuto, nil)
			if tt.errPart == "" {
				// Broken lines in a go test stream are counted, not fatal,
				// but a stream without one event is refused.
				require.Error(t, err)
				assert.Nil(t, s)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.errPart)
		})
	}
	deep := `{"suites": [` + strings.Repeat(`{"title": "x", "suites": [`, 100) + strings.Repeat(`]}`, 100) + `]}`
	_, err := parseTestJSON(strings.NewReader(deep), TestReportAuto, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nested deeper")
}

// TestGoTestJSONFromRealRun runs go test -json on a small module written
// here and reads the event stream it produces.
func TestGoTestJSONFromRealRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	goBin := testutil.Tool(t, "go")
	dir := writeGoModule(t, false)
	cmd := exec.Command(goBin, "test", "-json", "-count=1", "./...")
	cmd.Dir = dir
	cmd.Env = goTestEnv()
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	_ = cmd.Run() // exits 1: TestFail fails
	report := filepath.Join(dir, "gotest.json")
	require.NoError(t, os.WriteFile(report, out.Bytes(), 0o644))

	g, err := newGrouper([]config.TestGroup{
		{Name: "auth", Match: config.TestMatch{Suite: "/auth$"}},
		{Name: "roles", Match: config.TestMatch{Name: "^TestSub/"}},
	})
	require.NoError(t, err)
	s, err := parseJSONFile(t, report, TestReportAuto, g)
	require.NoError(t, err, out.String())
	assert.Equal(t, TestReportGoTest, s.Format)
	// TestPass, TestSub, TestSub/teacher, TestSub/student, TestLogin.
	assert.Equal(t, counts(5, 1, 0, 1, 0, 0), s.Counts, out.String())
	assert.Equal(t, counts(1, 0, 0, 0, 0, 0), s.Groups[0])
	assert.Equal(t, counts(2, 0, 0, 0, 0, 0), s.Groups[1])
	assert.WithinDuration(t, time.Now(), s.Newest, 10*time.Minute)
	assert.True(t, s.HasDuration)

	// Through the check, with an expectation the run does not meet.
	tc := &TestReportCheck{TestResults: config.TestResults{Paths: []string{filepath.Join(dir, "*.json")}, ExpectedCases: 8}}
	tc.SetDefaults()
	c, err := newTestReport(config.NewCheck("go", "test_report", tc), collector.Env{})
	require.NoError(t, err)
	r, err := run(t, c)
	require.NoError(t, err)
	assert.False(t, condition(t, r, "test cases present").OK)
	assert.Equal(t, "1 failed, 0 error", condition(t, r, "no failing cases").Observed)
}
