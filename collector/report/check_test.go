package report

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/config"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// copyCorpus copies named corpus JUnit files into a fresh folder.
func copyCorpus(t *testing.T, names ...string) string {
	t.Helper()
	files := map[string]string{}
	for _, n := range names {
		files[n] = ""
	}
	return collectortest.CopyFiles(t, corpusDir(t, "junit"), files)
}

func junitCheck(t *testing.T, jc JUnitCheck) *resultsCheck {
	t.Helper()
	jc.SetDefaults()
	c, err := newJUnit(config.NewCheck("tests", "junit", &jc), collector.Env{})
	require.NoError(t, err)
	return c.(*resultsCheck)
}

// The package's tests run checks directly and read their reports through
// collectortest's helpers.
var (
	run       = collectortest.RunCheck
	value     = collectortest.SampleValue
	condition = collectortest.Condition
	hasSample = collectortest.HasSample
)

func TestJUnitCheckFolder(t *testing.T) {
	dir := copyCorpus(t, "go-junit-report-pass-fail-skip.xml", "jest-junit-failures-skipped.xml")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a report"), 0o644))
	c := junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{dir}, ExpectedCases: 11}})
	r, err := run(t, c)
	require.NoError(t, err)
	assert.Equal(t, 3.0, value(t, r, casesDesc, "passed"))
	assert.Equal(t, 5.0, value(t, r, casesDesc, "failed"))
	assert.Equal(t, 0.0, value(t, r, casesDesc, "error"))
	assert.Equal(t, 3.0, value(t, r, casesDesc, "skipped"))
	assert.Equal(t, 0.0, value(t, r, casesDesc, "flaky"))
	assert.Equal(t, 11.0, value(t, r, expectedCasesDesc))
	assert.Equal(t, 11.0, value(t, r, declaredCasesDesc))
	assert.Equal(t, 2.0, value(t, r, filesDesc), "notes.txt is not *.xml")
	assert.Equal(t, 2.0, value(t, r, filesParsedDesc))
	assert.Equal(t, 0.0, value(t, r, parseErrorsDesc))
	assert.InDelta(t, 0.461+1.36, value(t, r, durationDesc), 1e-9)
	// The newest timestamp of the two files: go-junit-report's 2022-01-01.
	assert.Equal(t, float64(time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).Unix()), value(t, r, timestampDesc))

	assert.True(t, condition(t, r, "test cases present").OK)
	failing := condition(t, r, "no failing cases")
	assert.False(t, failing.OK)
	assert.Equal(t, "5 failed, 0 error", failing.Observed)

	// Unchanged files are not read again.
	r, err = run(t, c)
	require.NoError(t, err)
	assert.Equal(t, 0.0, value(t, r, filesParsedDesc))
	assert.Equal(t, 5.0, value(t, r, casesDesc, "failed"))
	later := time.Now().Add(time.Minute)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "jest-junit-failures-skipped.xml"), later, later))
	r, err = run(t, c)
	require.NoError(t, err)
	assert.Equal(t, 1.0, value(t, r, filesParsedDesc))
}

func TestJUnitCheckExpectedCases(t *testing.T) {
	dir := copyCorpus(t, "nested-testsuite-root.xml")
	path := filepath.Join(dir, "nested-testsuite-root.xml")
	for _, tt := range []struct {
		expected int
		ok       bool
	}{{0, true}, {5, true}, {6, false}, {370, false}} {
		c := junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{path}, ExpectedCases: tt.expected}})
		r, err := run(t, c)
		require.NoError(t, err)
		cond := condition(t, r, "test cases present")
		assert.Equal(t, tt.ok, cond.OK, "expected %d", tt.expected)
		assert.Equal(t, "5 cases", cond.Observed)
		assert.True(t, condition(t, r, "no failing cases").OK, "all five pass")
	}

	// An empty report never passes: no cases were run.
	dir = copyCorpus(t, "testng-empty-testsuite-root.xml")
	r, err := run(t, junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{dir}}}))
	require.NoError(t, err)
	assert.False(t, condition(t, r, "test cases present").OK)
}

func TestJUnitCheckCountMismatchWarns(t *testing.T) {
	dir := copyCorpus(t, "mocha-junit-reporter-inconsistent-root-count.xml")
	r, err := run(t, junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{dir}}}))
	require.NoError(t, err)
	assert.Equal(t, 1.0, value(t, r, casesDesc, "passed"))
	assert.Equal(t, 15515.0, value(t, r, declaredCasesDesc))
	assert.Equal(t, 1.0, value(t, r, mismatchDesc))
	cond := condition(t, r, "count attributes agree with cases")
	assert.False(t, cond.OK)
	assert.True(t, cond.Warning, "a disagreement warns; the cases decide")
	assert.Contains(t, cond.Observed, "counters claim 15515")
}

func TestJUnitCheckStale(t *testing.T) {
	// A timestamp in the file decides the age.
	dir := copyCorpus(t, "playwright-chromium-timeout-error.xml")
	c := junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{dir}, MaxAge: model.Duration(24 * time.Hour)}})
	c.now = func() time.Time { return time.Date(2026, 10, 5, 15, 0, 0, 0, time.UTC) }
	r, err := run(t, c)
	assert.NoError(t, err, "23h48m old")
	age := condition(t, r, "report age")
	assert.True(t, age.OK)
	assert.Equal(t, "23h48m old (run 2026-10-04T15:12:19Z)", age.Observed)
	assert.Equal(t, "<= 1d", age.Expected)
	c.now = func() time.Time { return time.Date(2026, 10, 6, 0, 0, 0, 0, time.UTC) }
	r, err = run(t, c)
	require.Error(t, err)
	assert.False(t, condition(t, r, "report age").OK)
	assert.Equal(t, collector.ReasonStale, collector.ReasonOf(err))
	assert.Contains(t, err.Error(), "2026-10-04T15:12:19Z, 1d9h old")
	assert.Equal(t, 86400.0, value(t, r, maxAgeDesc))
	assert.Equal(t, 9.0, value(t, r, casesDesc, "passed"), "figures are still recorded")
	assert.Equal(t, 1.0, value(t, r, casesDesc, "error"))

	// Without one, the file's modification time does.
	dir = copyCorpus(t, "minimal-attributes.xml")
	path := filepath.Join(dir, "minimal-attributes.xml")
	old := time.Now().Add(-48 * time.Hour)
	require.NoError(t, os.Chtimes(path, old, old))
	c = junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{path}, MaxAge: model.Duration(24 * time.Hour)}})
	r, err = run(t, c)
	require.Error(t, err)
	assert.Equal(t, collector.ReasonStale, collector.ReasonOf(err))
	assert.InDelta(t, float64(old.Unix()), value(t, r, timestampDesc), 1)
}

func TestJUnitCheckBrokenFiles(t *testing.T) {
	dir := copyCorpus(t, "surefire-TEST-truncated-corrupt.xml", "surefire-TEST-StringUtilsTest.xml")
	r, err := run(t, junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{dir}}}))
	require.Error(t, err)
	assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err))
	assert.Contains(t, err.Error(), "surefire-TEST-truncated-corrupt.xml")
	assert.Contains(t, err.Error(), "truncated XML")
	assert.Equal(t, 1.0, value(t, r, parseErrorsDesc))
	assert.Equal(t, 2.0, value(t, r, casesDesc, "failed"), "the readable file still counts")

	// The parse error is kept for the unchanged file.
	c := junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{filepath.Join(dir, "surefire-TEST-truncated-corrupt.xml")}}})
	for i := 0; i < 2; i++ {
		r, err = run(t, c)
		require.Error(t, err)
		assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err))
		assert.False(t, hasSample(r, groupSuccessDesc))
		assert.False(t, hasSample(r, casesDesc), "no case counts when nothing could be read")
		assert.Empty(t, r.Conditions(), "no verdict on cases when nothing could be read")
	}
	assert.Equal(t, 0.0, value(t, r, filesParsedDesc))

	// Larger than max_file_size.
	c = junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{dir}, MaxFileSize: 1000}})
	_, err = run(t, c)
	require.Error(t, err)
	assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err))
	assert.Contains(t, err.Error(), "larger than the size limit")

	// Billion laughs fails cleanly.
	c = junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{filepath.Join("testdata", "billion-laughs.xml")}}})
	_, err = run(t, c)
	require.Error(t, err)
	assert.Equal(t, collector.ReasonInvalidResponse, collector.ReasonOf(err))
}

func TestJUnitCheckNotFound(t *testing.T) {
	dir := t.TempDir()
	for _, paths := range [][]string{{filepath.Join(dir, "missing.xml")}, {filepath.Join(dir, "*.xml")}, {dir}} {
		_, err := run(t, junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: paths}}))
		require.Error(t, err, "%v", paths)
		assert.Equal(t, collector.ReasonNotFound, collector.ReasonOf(err), "%v: %v", paths, err)
	}
}

func TestJUnitCheckCancelled(t *testing.T) {
	dir := copyCorpus(t, "nested-testsuite-root.xml")
	c := junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{dir}}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.Run(ctx, &collector.Report{})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestJUnitCheckGroups(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("testdata", "playwright-legacy-projects.xml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "e2e.xml"), b, 0o644))
	one, zero := 1, 0
	c := junitCheck(t, JUnitCheck{TestResults: config.TestResults{
		Paths: []string{filepath.Join(dir, "*.xml")},
		Groups: []config.TestGroup{
			{Name: "chrome", Items: []string{"P1.4.21"}, Match: config.TestMatch{Project: "^chromium$"}},
			{Name: "firefox", Items: []string{"P1.4.22"}, Match: config.TestMatch{Project: "^firefox$"}},
			{Name: "safari", Items: []string{"P1.4.23"}, Match: config.TestMatch{Project: "^webkit$"}},
			{Name: "edge", Items: []string{"P1.4.24"}, Match: config.TestMatch{Project: "^msedge$"}, MinCases: &one},
			{Name: "optional", Match: config.TestMatch{Project: "^msedge$"}, MinCases: &zero},
		},
	}})
	r, err := run(t, c)
	require.NoError(t, err)
	assert.Equal(t, 2.0, value(t, r, groupCasesDesc, "chrome", "passed"))
	assert.Equal(t, 1.0, value(t, r, groupCasesDesc, "firefox", "failed"))
	assert.Equal(t, 1.0, value(t, r, groupCasesDesc, "safari", "skipped"))
	assert.Equal(t, 1.0, value(t, r, groupSuccessDesc, "chrome"))
	assert.Equal(t, 0.0, value(t, r, groupSuccessDesc, "firefox"))
	assert.Equal(t, 1.0, value(t, r, groupSuccessDesc, "safari"), "a skipped case is not a failure")
	assert.Equal(t, 0.0, value(t, r, groupSuccessDesc, "edge"), "no Edge cases: not tested")
	assert.Equal(t, 1.0, value(t, r, groupSuccessDesc, "optional"))
	assert.Equal(t, 1.0, value(t, r, groupItemDesc, "chrome", "P1.4.21"))
	edge := condition(t, r, "group edge (P1.4.24)")
	assert.False(t, edge.OK)
	assert.Equal(t, "no cases", edge.Observed)
	assert.Equal(t, "1 passed, 1 failed", condition(t, r, "group firefox (P1.4.22)").Observed)
	// No label carries a test name.
	for _, s := range r.Samples() {
		for _, l := range s.Labels {
			assert.NotContains(t, l, "homepage")
			assert.NotContains(t, l, "example.spec")
		}
	}
}

func TestJUnitCheckThresholds(t *testing.T) {
	path := filepath.Join("testdata", "surefire-TEST-flaky.xml")
	two, zero := 2, 0
	tests := []struct {
		name string
		cfg  config.TestResults
		cond string
		ok   bool
		warn bool
	}{
		{"one failure allowed", config.TestResults{MaxFailures: 1}, "no failing cases", true, false},
		{"no failure allowed", config.TestResults{}, "no failing cases", false, false},
		{"flaky warns", config.TestResults{}, "no flaky cases", false, true},
		{"flaky fails", config.TestResults{FailOnFlaky: true}, "no flaky cases", false, false},
		{"skipped within limit", config.TestResults{MaxSkipped: &two}, "skipped cases", true, false},
		{"no skipped allowed", config.TestResults{MaxSkipped: &zero}, "skipped cases", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Paths = []string{path}
			r, err := run(t, junitCheck(t, JUnitCheck{TestResults: tt.cfg}))
			require.NoError(t, err)
			cond := condition(t, r, tt.cond)
			assert.Equal(t, tt.ok, cond.OK)
			assert.Equal(t, tt.warn, cond.Warning)
			assert.Equal(t, 2.0, value(t, r, casesDesc, "flaky"))
		})
	}
}

func TestConfigFromYAML(t *testing.T) {
	dir := copyCorpus(t, "go-junit-report-pass-fail-skip.xml")
	yml := `checks:
  - name: backend_tests
    items: [P1.1.06]
    junit:
      paths: [` + dir + `/*.xml]
      expected_cases: 370
      max_age: 26h
      max_file_size: 8MiB
      time_zone: Europe/Paris
      groups:
        - name: security
          items: [P1.4.08, P1.4.11]
          match: {suite: 'security|auth', name: '(?i)sql.?injection|xss|csrf'}
  - name: frontend_tests
    test_report:
      paths: [reports/jest.json]
      format: jest
      expected_cases: 1249
`
	cfg, err := config.Load([]byte(yml), filepath.Join(dir, "golive.yml"))
	require.NoError(t, err)
	jc := cfg.Checks[0].Spec().(*JUnitCheck)
	assert.Equal(t, config.ByteSize(8<<20), jc.MaxFileSize)
	assert.Equal(t, "*.xml", jc.FolderPattern)
	assert.Equal(t, 64, jc.MaxDepth)
	assert.Equal(t, 1, *jc.Groups[0].MinCases)
	tr := cfg.Checks[1].Spec().(*TestReportCheck)
	assert.Equal(t, "*.json", tr.FolderPattern)
	assert.Equal(t, config.DefaultTestReportMaxFileSize, tr.MaxFileSize)

	c, err := newJUnit(cfg.Checks[0], collector.Env{Config: cfg})
	require.NoError(t, err)
	r, err := run(t, c)
	require.Error(t, err, "the 2022 report is older than 26h")
	assert.Equal(t, collector.ReasonStale, collector.ReasonOf(err))
	assert.Contains(t, err.Error(), "max_age is 1d2h")
	// Two units with a zero left out: "1799d" from 23:30 to 00:30 UTC.
	assert.Regexp(t, `from 2022-01-01T00:00:00Z, \d+d(\d+h)? old`, err.Error())
	assert.False(t, condition(t, r, "test cases present").OK, "5 of 370")
	assert.False(t, condition(t, r, "group security (P1.4.08, P1.4.11)").OK)

	// Relative paths are relative to the configuration file.
	tc, err := newTestReport(cfg.Checks[1], collector.Env{Config: cfg})
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "reports/jest.json"), tc.(*resultsCheck).paths[0])

	bad := []struct{ yml, msg string }{
		{"checks:\n  - name: t\n    junit:\n      paths: []\n", "no report paths"},
		{"checks:\n  - name: t\n    junit:\n      paths: [a.xml]\n      expected_case: 3\n", "expected_case"},
		{"checks:\n  - name: t\n    junit:\n      paths: ['a/[x.xml']\n", "bad glob"},
		{"checks:\n  - name: t\n    junit:\n      paths: [a.xml]\n      max_file_size: lots\n", "not a size"},
		{"checks:\n  - name: t\n    junit:\n      paths: [a.xml]\n      time_zone: Mars/Olympus\n", "unknown time zone"},
		{"checks:\n  - name: t\n    junit:\n      paths: [a.xml]\n      groups: [{name: 'Chrome browser', match: {project: chromium}}]\n", "not a short label"},
		{"checks:\n  - name: t\n    junit:\n      paths: [a.xml]\n      groups: [{name: chrome, match: {project: '('}}]\n", "bad regular expression"},
		{"checks:\n  - name: t\n    junit:\n      paths: [a.xml]\n      groups: [{name: chrome, match: {}}]\n", "no pattern"},
		{"checks:\n  - name: t\n    junit:\n      paths: [a.xml]\n      groups: [{name: chrome, items: [chrome], match: {project: c}}]\n", "not a checklist item id"},
		{"checks:\n  - name: t\n    junit:\n      paths: [a.xml]\n      groups: [{name: c, match: {project: c}}, {name: c, match: {project: d}}]\n", "used twice"},
		{"checks:\n  - name: t\n    test_report:\n      paths: [a.json]\n      format: mocha\n", "unknown format"},
		{"checks:\n  - name: t\n    junit:\n      paths: [a.xml]\n      select: {project: '[firefox'}\n", "select.project: bad regular expression"},
		{"checks:\n  - name: t\n    test_report:\n      paths: [a.json]\n      expected_cases: -1\n", "negative"},
	}
	for _, b := range bad {
		_, err := config.Load([]byte(b.yml), "bad.yml")
		require.Error(t, err, b.yml)
		assert.Contains(t, err.Error(), b.msg, b.yml)
		assert.Contains(t, err.Error(), "bad.yml:", "positioned at a line")
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]config.ByteSize{"64MiB": 64 << 20, "500KB": 500000, "1048576": 1 << 20, "2 GiB": 2 << 30, "10mb": 10000000} {
		got, err := config.ParseByteSize(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	assert.Equal(t, "64MiB", config.ByteSize(64<<20).String())
	assert.Equal(t, "1000", config.ByteSize(1000).String())
	_, err := config.ParseByteSize("-5MB")
	assert.Error(t, err)
}

// TestSelectOneCheckPerBrowser gives each browser item its own check: the
// selection drops the other projects' cases entirely.
func TestSelectOneCheckPerBrowser(t *testing.T) {
	path := filepath.Join("testdata", "playwright-legacy-projects.xml")
	tests := []struct {
		project   string
		passed    float64
		failingOK bool
		presentOK bool
		expected  int
	}{
		{"^chromium$", 2, true, true, 2},
		{"^firefox$", 1, false, true, 2},
		{"^webkit$", 1, true, false, 3}, // one passed, one skipped: 2 cases
		{"^msedge$", 0, true, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.project, func(t *testing.T) {
			c := junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{path}, ExpectedCases: tt.expected,
				Select: config.TestMatch{Project: tt.project}}})
			r, err := run(t, c)
			require.NoError(t, err)
			assert.Equal(t, tt.passed, value(t, r, casesDesc, "passed"))
			assert.Equal(t, tt.failingOK, condition(t, r, "no failing cases").OK)
			assert.Equal(t, tt.presentOK, condition(t, r, "test cases present").OK)
			assert.False(t, hasSample(r, declaredCasesDesc), "the file's counters cover every project")
			assert.Equal(t, 0.0, value(t, r, mismatchDesc))
		})
	}

	// Playwright JSON: errors outside tests count for every selection.
	in := `{"suites": [], "errors": [{"message": "Error: Cannot find module 'dotenv'"}], "stats": {"startTime": "2025-11-29T08:00:00Z", "duration": 10, "expected": 0, "unexpected": 0, "flaky": 0, "skipped": 0}}`
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "results.json"), []byte(in), 0o644))
	tc := &TestReportCheck{TestResults: config.TestResults{Paths: []string{dir}, Select: config.TestMatch{Project: "^firefox$"}}}
	tc.SetDefaults()
	c, err := newTestReport(config.NewCheck("firefox", "test_report", tc), collector.Env{})
	require.NoError(t, err)
	r, err := run(t, c)
	require.NoError(t, err)
	assert.Equal(t, 1.0, value(t, r, casesDesc, "error"))
	assert.False(t, condition(t, r, "no failing cases").OK)
}

// TestJUnitCheckUnchangedFileIsNotReadAgain proves that a scrape finding a
// file with the same size and modification time does not open it: the
// file's bytes are replaced by garbage of the same length and its time put
// back, and the check still reports the figures of the first read. Only a
// new modification time makes it read the garbage (and fail).
func TestJUnitCheckUnchangedFileIsNotReadAgain(t *testing.T) {
	dir := copyCorpus(t, "jest-junit-failures-skipped.xml")
	path := filepath.Join(dir, "jest-junit-failures-skipped.xml")
	info, err := os.Stat(path)
	require.NoError(t, err)
	c := junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{dir}}})
	r, err := run(t, c)
	require.NoError(t, err)
	assert.Equal(t, 4.0, value(t, r, casesDesc, "failed"))
	assert.Equal(t, 1.0, value(t, r, filesParsedDesc))

	require.NoError(t, os.WriteFile(path, bytes.Repeat([]byte{0}, int(info.Size())), 0o644))
	require.NoError(t, os.Chtimes(path, info.ModTime(), info.ModTime()))
	for i := 0; i < 2; i++ {
		r, err = run(t, c)
		require.NoError(t, err, "the file was read again")
		assert.Equal(t, 0.0, value(t, r, filesParsedDesc))
		assert.Equal(t, 4.0, value(t, r, casesDesc, "failed"))
		assert.Equal(t, 1.0, value(t, r, casesDesc, "passed"))
	}

	later := info.ModTime().Add(time.Minute)
	require.NoError(t, os.Chtimes(path, later, later))
	r, err = run(t, c)
	require.Error(t, err, "a new modification time is read")
	assert.Contains(t, err.Error(), "not XML")
	assert.Equal(t, 1.0, value(t, r, filesParsedDesc))
}

// TestJUnitCheckFailsafeFolder reads a Maven Failsafe reports folder as it
// is: its TEST-*.xml (with flaky reruns) and the failsafe-summary.xml
// beside them, which holds totals only and adds nothing.
func TestJUnitCheckFailsafeFolder(t *testing.T) {
	dir := t.TempDir()
	for src, dst := range map[string]string{"surefire-TEST-flaky.xml": "TEST-com.school.grades.GradeServiceIT.xml", "failsafe-summary.xml": "failsafe-summary.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", src))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, dst), b, 0o644))
	}
	r, err := run(t, junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{dir}}}))
	require.NoError(t, err)
	assert.Equal(t, 0.0, value(t, r, parseErrorsDesc))
	assert.Equal(t, 2.0, value(t, r, filesDesc))
	// entersGrade passed; updatesGrade and exportsPdf passed on a rerun;
	// exportsExcel failed on every run.
	assert.Equal(t, 1.0, value(t, r, casesDesc, "passed"))
	assert.Equal(t, 2.0, value(t, r, casesDesc, "flaky"))
	assert.Equal(t, 1.0, value(t, r, casesDesc, "failed"))
	assert.Equal(t, 4.0, value(t, r, declaredCasesDesc))
	assert.Equal(t, 0.0, value(t, r, mismatchDesc))

	// Alone, the summary is no report: no cases.
	r, err = run(t, junitCheck(t, JUnitCheck{TestResults: config.TestResults{Paths: []string{filepath.Join(dir, "failsafe-summary.xml")}}}))
	require.NoError(t, err)
	assert.False(t, condition(t, r, "test cases present").OK)
}
