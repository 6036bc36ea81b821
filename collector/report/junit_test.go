package report

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusDir is the <sub> folder of the corpus (internal/testutil/testdata/corpus).
func corpusDir(t testing.TB, sub string) string {
	t.Helper()
	return testutil.Corpus(t, sub)
}

func parseJUnitFile(t *testing.T, path string, g *grouper) (*FileSummary, error) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	return parseJUnit(f, junitOptions{maxDepth: 64, loc: time.UTC, groups: g})
}

// counts builds Counts in the order passed, failed, error, skipped, flaky, xfail.
func counts(passed, failed, errored, skipped, flaky, xfail int) Counts {
	return Counts{passed, failed, errored, skipped, flaky, xfail}
}

type junitWant struct {
	counts     Counts
	declared   int // -1: no counters
	mismatches int
	newest     string // RFC 3339; "" for none
	duration   float64
	noDuration bool
}

// junitCorpus holds the figures of every corpus file, counted by hand from
// the files.
var junitCorpus = map[string]junitWant{
	"cypress-mocha-junit-reporter-failure.xml":         {counts: counts(0, 1, 0, 0, 0, 0), declared: 1, newest: "2021-02-09T12:42:25Z", duration: 0},
	"go-junit-report-build-errors.xml":                 {counts: counts(2, 0, 3, 0, 0, 0), declared: 5, newest: "2022-01-01T00:00:00Z", duration: 0.2},
	"go-junit-report-pass-fail-skip.xml":               {counts: counts(2, 1, 0, 2, 0, 0), declared: 5, newest: "2022-01-01T00:00:00Z", duration: 0.461},
	"jest-junit-failures-skipped.xml":                  {counts: counts(1, 4, 0, 1, 0, 0), declared: 6, newest: "2020-10-27T21:39:41Z", duration: 1.36},
	"minimal-attributes.xml":                           {counts: counts(1, 1, 1, 1, 0, 0), declared: -1, noDuration: true},
	"mocha-junit-reporter-inconsistent-root-count.xml": {counts: counts(1, 0, 0, 0, 0, 0), declared: 15515, mismatches: 1, newest: "2021-10-28T00:15:42Z", duration: 3.286},
	"multiresult-per-testcase.xml":                     {counts: counts(1, 1, 1, 1, 0, 0), declared: -1, duration: 1.158},
	"nested-testsuite-in-testsuite.xml":                {counts: counts(5, 0, 0, 0, 0, 0), declared: 5, duration: 4.807419},
	"nested-testsuite-root.xml":                        {counts: counts(5, 0, 0, 0, 0, 0), declared: 5, duration: 4.807419},
	"nextest-system-out-err.xml":                       {counts: counts(2, 1, 0, 0, 0, 0), declared: 3, newest: "2024-12-02T20:06:10.514Z", duration: 0.946},
	"phpunit-nested-testsuites.xml":                    {counts: counts(10, 2, 0, 0, 0, 0), declared: 12, duration: 0.140397},
	"playwright-chromium-failure-windows-paths.xml":    {counts: counts(2, 1, 0, 0, 0, 0), declared: 3, newest: "2026-03-09T15:03:29.944Z", duration: 27.879566999999994},
	"playwright-chromium-timeout-error.xml":            {counts: counts(9, 0, 1, 0, 0, 0), declared: 10, newest: "2026-10-04T15:12:19.017Z", duration: 138.683259},
	"pytest-multiline-failure-message.xml":             {counts: counts(3, 1, 0, 1, 0, 0), declared: 5, newest: "2020-09-04T16:18:04.966371Z", duration: 2.481},
	// The suite claims tests="15" but holds 10 testcases.
	"pytest-properties-xfail.xml":                    {counts: counts(6, 2, 0, 1, 0, 1), declared: 15, mismatches: 1, newest: "2025-11-15T16:51:49.548396Z", duration: 0.019},
	"surefire-TEST-StringUtilsTest.xml":              {counts: counts(2, 2, 0, 1, 0, 0), declared: 5, duration: 0.01},
	"testng-empty-testsuite-root.xml":                {counts: counts(0, 0, 0, 0, 0, 0), declared: 0, newest: "2021-03-07T10:36:56Z", duration: 0.116},
	"unicode-astral-plane-error-failure-skipped.xml": {counts: counts(1, 2, 2, 2, 0, 0), declared: 7, duration: 8.61},
	"vitest-file-level-failure-ansi.xml":             {counts: counts(1, 1, 0, 0, 0, 0), declared: 2, newest: "2025-06-05T11:59:33.071Z", duration: 0.3014694},
}

// junitBroken are corpus files that must fail to parse, with a clear error.
var junitBroken = map[string]string{
	"surefire-TEST-truncated-corrupt.xml": "truncated XML",
}

func checkWant(t *testing.T, want junitWant, s *FileSummary) {
	t.Helper()
	assert.Equal(t, want.counts, s.Counts, "counts (passed, failed, error, skipped, flaky, xfail)")
	if want.declared < 0 {
		assert.False(t, s.HasDeclared, "no count attributes")
	} else {
		assert.True(t, s.HasDeclared)
		assert.Equal(t, want.declared, s.Declared, "declared")
	}
	assert.Equal(t, want.mismatches, s.Mismatches, "mismatches")
	if want.newest == "" {
		assert.True(t, s.Newest.IsZero(), "no timestamp, got %v", s.Newest)
	} else {
		ts, err := time.Parse(time.RFC3339Nano, want.newest)
		require.NoError(t, err)
		assert.True(t, ts.Equal(s.Newest), "newest: want %v, got %v", ts, s.Newest)
	}
	if want.noDuration {
		assert.False(t, s.HasDuration)
	} else {
		assert.True(t, s.HasDuration)
		assert.InDelta(t, want.duration, s.Duration, 1e-9)
	}
}

func TestJUnitCorpus(t *testing.T) {
	dir := corpusDir(t, "junit")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	seen := 0
	for _, e := range entries {
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			s, err := parseJUnitFile(t, filepath.Join(dir, name), nil)
			if msg, broken := junitBroken[name]; broken {
				seen++
				require.Error(t, err)
				assert.Contains(t, err.Error(), msg)
				return
			}
			if strings.Contains(name, "corrupt") || strings.Contains(name, "truncated") {
				require.Error(t, err, "a corrupt file must be refused")
				return
			}
			require.NoError(t, err)
			want, ok := junitCorpus[name]
			if !ok {
				// A corpus file added after this table: it must read, with
				// counts that add up.
				assert.Equal(t, s.Counts.Total(), s.Counts[Passed]+s.Counts[Failed]+s.Counts[Errored]+s.Counts[Skipped]+s.Counts[Flaky]+s.Counts[XFail])
				return
			}
			seen++
			checkWant(t, want, s)
		})
	}
	assert.Equal(t, len(junitCorpus)+len(junitBroken), seen, "every file of the table is in the corpus")
}

func TestJUnitFixtures(t *testing.T) {
	tests := []struct {
		file string
		want junitWant
	}{
		{"playwright-legacy-projects.xml", junitWant{counts: counts(4, 1, 0, 1, 0, 0), declared: 6,
			newest: time.UnixMilli(1641057784965).UTC().Format(time.RFC3339Nano), duration: 12.5}},
		// flakyFailure and flakyError alone: passed on a rerun; failure with
		// rerunFailures: failed on every run.
		{"surefire-TEST-flaky.xml", junitWant{counts: counts(1, 1, 0, 0, 2, 0), declared: 4, duration: 3.412}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := parseJUnitFile(t, filepath.Join("testdata", tt.file), nil)
			require.NoError(t, err)
			checkWant(t, tt.want, s)
		})
	}
}

func TestJUnitPlaywrightProjects(t *testing.T) {
	g, err := newGrouper([]config.TestGroup{
		{Name: "chrome", Match: config.TestMatch{Project: "^chromium$"}},
		{Name: "firefox", Match: config.TestMatch{Project: "^firefox$"}},
		{Name: "safari", Match: config.TestMatch{Project: "^webkit$"}},
		{Name: "edge", Match: config.TestMatch{Project: "^msedge$"}},
		{Name: "links", Match: config.TestMatch{Project: "^(chromium|firefox)$", Name: "link"}},
	})
	require.NoError(t, err)
	s, err := parseJUnitFile(t, filepath.Join("testdata", "playwright-legacy-projects.xml"), g)
	require.NoError(t, err)
	assert.Equal(t, []Counts{
		counts(2, 0, 0, 0, 0, 0),
		counts(1, 1, 0, 0, 0, 0),
		counts(1, 0, 0, 1, 0, 0),
		{},
		counts(1, 1, 0, 0, 0, 0),
	}, s.Groups)

	// Modern Playwright: the project is the suite's hostname.
	s, err = parseJUnitFile(t, filepath.Join(corpusDir(t, "junit"), "playwright-chromium-timeout-error.xml"), g)
	require.NoError(t, err)
	assert.Equal(t, counts(9, 0, 1, 0, 0, 0), s.Groups[0])
	assert.Equal(t, Counts{}, s.Groups[1])
}

func TestJUnitGroupsBySuiteClassAndHost(t *testing.T) {
	g, err := newGrouper([]config.TestGroup{
		{Name: "nested", Match: config.TestMatch{Suite: `TestSuite2\.1`}},
		{Name: "suite2", Match: config.TestMatch{Suite: `TestSuite2\b`}},
		{Name: "top", Match: config.TestMatch{Suite: `^Project Test Suite$`}},
		{Name: "host", Match: config.TestMatch{Hostname: "nothing"}},
		{Name: "class", Match: config.TestMatch{Classname: "someName", Name: "TestCase[12]$"}},
	})
	require.NoError(t, err)
	s, err := parseJUnitFile(t, filepath.Join(corpusDir(t, "junit"), "nested-testsuite-root.xml"), g)
	require.NoError(t, err)
	assert.Equal(t, 1, s.Groups[0].Total(), "TestCase3 only")
	assert.Equal(t, 2, s.Groups[1].Total(), "TestCase3 and TestCase4")
	assert.Equal(t, 1, s.Groups[2].Total(), "TestCase5 sits directly in the root suite")
	assert.Equal(t, 0, s.Groups[3].Total())
	assert.Equal(t, 2, s.Groups[4].Total())
}

func TestJUnitHostileAndBroken(t *testing.T) {
	deep := strings.Repeat("<testsuite>", 100) + strings.Repeat("</testsuite>", 100)
	tests := []struct {
		name, input, errPart string
	}{
		{"empty", "", "empty"},
		{"whitespace", "  \n\t", "empty"},
		{"binary", "\x00\x01\x02PK\x03\x04garbage", "not XML"},
		{"html", "<html><body>502 Bad Gateway</body></html>", "not <testsuites> or <testsuite>"},
		{"json", `{"numTotalTests": 3}`, "not XML"},
		{"deep nesting", "<testsuites>" + deep + "</testsuites>", "nested deeper than"},
		{"unclosed root", "<testsuites><testsuite name=\"a\"><testcase name=\"x\"/>", "truncated"},
		{"custom entity", `<!DOCTYPE x [<!ENTITY e "boom">]><testsuites><testsuite name="&e;"/></testsuites>`, "entity"},
		{"external entity", `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><testsuites><testsuite name="&e;"/></testsuites>`, "entity"},
		{"mismatched tags", "<testsuites><testsuite></testcase></testsuites>", "malformed XML"},
		{"two roots", "<testsuite/><testsuite/>", "more than one root"},
		{"unknown encoding", `<?xml version="1.0" encoding="EBCDIC"?><testsuites/>`, "encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseJUnit(strings.NewReader(tt.input), junitOptions{maxDepth: 64})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.errPart)
		})
	}

	t.Run("billion laughs", func(t *testing.T) {
		_, err := parseJUnitFile(t, filepath.Join("testdata", "billion-laughs.xml"), nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "entity")
	})
	t.Run("long attribute under the tag limit reads", func(t *testing.T) {
		in := `<testsuite name="` + strings.Repeat("a", 1<<20) + `"><testcase name="x"/></testsuite>`
		s, err := parseJUnit(strings.NewReader(in), junitOptions{})
		require.NoError(t, err)
		assert.Equal(t, 1, s.Counts.Total())
	})
}

// TestJUnitHugeTags: a tag longer than maxTagBytes is refused while it is
// being read, wherever the bytes hide ('>' inside a quoted value does not
// end the tag); long element text, CDATA and comments are not tags.
func TestJUnitHugeTags(t *testing.T) {
	huge := strings.Repeat("a", maxTagBytes)
	hugeGT := strings.Repeat("x>", maxTagBytes/2)
	refused := []struct{ name, input, line string }{
		{"huge attribute", "<testsuites>\n<testsuite name=\"" + huge + "\"><testcase name=\"x\"/></testsuite></testsuites>", "line 2"},
		{"quoted > inside the value", "<testsuite>\n\n<testcase name='" + hugeGT + "'/></testsuite>", "line 3"},
		{"many attributes", "<testsuite" + strings.Repeat(` a="b"`, maxTagBytes/6+1) + "/>", "line 1"},
		{"huge end tag", "<testsuite></testsuite" + strings.Repeat(" ", maxTagBytes) + ">", "line 1"},
		{"huge declaration", "<!DOCTYPE testsuite [" + huge + "]><testsuite/>", "line 1"},
		{"huge processing instruction", "<?xml-stylesheet " + huge + "?><testsuite/>", "line 1"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseJUnit(strings.NewReader(tt.input), junitOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "longer than 4 MiB (a huge attribute)")
			assert.Contains(t, err.Error(), tt.line)
		})
	}

	accepted := []struct{ name, input string }{
		{"long text", `<testsuite><testcase name="a"><system-out>` + strings.Repeat("log: 1 &lt; 2 > 0\n", maxTagBytes/16) + `</system-out></testcase></testsuite>`},
		{"long CDATA with tags inside", `<testsuite><testcase name="a"><failure><![CDATA[` + strings.Repeat(`<testcase name="fake"> ]] > -->`, maxTagBytes/30) + `]]></failure></testcase></testsuite>`},
		{"long comment", `<testsuite><!-- ` + strings.Repeat(`<testcase name="fake"/> - > ]]>`, maxTagBytes/30) + ` --><testcase name="a"><failure/></testcase></testsuite>`},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseJUnit(strings.NewReader(tt.input), junitOptions{})
			require.NoError(t, err)
			assert.Equal(t, 1, s.Counts.Total(), "only the real testcase")
		})
	}
}

func TestJUnitSuiteLevelError(t *testing.T) {
	// Ant's formatter when a test class cannot be initialised.
	in := `<?xml version="1.0" encoding="UTF-8" ?>
<testsuite errors="1" failures="0" hostname="build-7" name="com.school.ReportExportTest" skipped="0" tests="0" time="0.012" timestamp="2025-11-28T22:10:04">
  <properties><property name="ant.version" value="Apache Ant(TM) version 1.10.14"/></properties>
  <error message="Could not initialize class com.school.PdfRenderer" type="java.lang.NoClassDefFoundError">java.lang.NoClassDefFoundError: Could not initialize class com.school.PdfRenderer</error>
  <system-out><![CDATA[]]></system-out>
  <system-err><![CDATA[]]></system-err>
</testsuite>`
	s, err := parseJUnit(strings.NewReader(in), junitOptions{})
	require.NoError(t, err)
	assert.Equal(t, counts(0, 0, 1, 0, 0, 0), s.Counts)
	assert.Zero(t, s.Mismatches, "tests=\"0\" is right: no testcase ran")
}

func TestJUnitValues(t *testing.T) {
	in := `<?xml version='1.0' standalone="no"?>
<!-- written by hand -->
<testsuites time="1,234.5">
  <testsuite name="a" time="abc" timestamp="yesterday" tests="many">
    <testcase name="t1" time="0.195519123"/>
    <testcase name="t2" time="27.879566999999994"/>
    <testcase name="t3" time="NaN"/>
    <testcase name="t4" time="-1"/>
  </testsuite>
  <testsuite name="b" timestamp="0001-01-01T00:00:00Z"><testcase name="t5" time="1.5s"/></testsuite>
</testsuites>`
	s, err := parseJUnit(strings.NewReader(in), junitOptions{})
	require.NoError(t, err)
	assert.Equal(t, counts(5, 0, 0, 0, 0, 0), s.Counts)
	assert.InDelta(t, 1234.5, s.Duration, 1e-9)
	// time="abc", timestamp="yesterday", tests="many", NaN, -1.
	assert.Equal(t, 5, s.BadValues)
	assert.True(t, s.Newest.IsZero(), "the zero time means no timestamp")
	assert.False(t, s.HasDeclared)
}

func TestParseTimestamp(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	tests := []struct {
		in   string
		loc  *time.Location
		want string // RFC 3339 in UTC; "" zero; "bad" unreadable
	}{
		{"2020-10-27T21:39:41", time.UTC, "2020-10-27T21:39:41Z"},
		{"2020-10-27T21:39:41", paris, "2020-10-27T20:39:41Z"},
		{"2020-09-04T16:18:04.966371", time.UTC, "2020-09-04T16:18:04.966371Z"},
		{"2025-11-15T11:51:49.548396-05:00", time.UTC, "2025-11-15T16:51:49.548396Z"},
		{"2024-12-02T20:06:10.512+00:00", time.UTC, "2024-12-02T20:06:10.512Z"},
		{"2026-03-09T15:03:29.944Z", time.UTC, "2026-03-09T15:03:29.944Z"},
		{"1641057782965", time.UTC, "2022-01-01T17:23:02.965Z"},
		{"1641057782", time.UTC, "2022-01-01T17:23:02Z"},
		{"2021-03-07T10:36:56 UTC", paris, "2021-03-07T10:36:56Z"},
		{"2021-03-07 10:36:56", time.UTC, "2021-03-07T10:36:56Z"},
		{"0001-01-01T00:00:00Z", time.UTC, ""},
		{"", time.UTC, ""},
		{"0", time.UTC, ""},
		{"yesterday", time.UTC, "bad"},
		{"2021-13-45T99:00:00", time.UTC, "bad"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseTimestamp(tt.in, tt.loc)
			switch tt.want {
			case "bad":
				assert.False(t, ok)
			case "":
				assert.True(t, ok)
				assert.True(t, got.IsZero())
			default:
				require.True(t, ok)
				assert.Equal(t, tt.want, got.UTC().Format(time.RFC3339Nano))
			}
		})
	}
}

func TestParseSeconds(t *testing.T) {
	for in, want := range map[string]float64{"0": 0, "0.0000": 0, "6.435": 6.435, " 2 ": 2, "1.5s": 1.5, "250ms": 0.25, "3 sec": 3, "1,002.5": 1002.5} {
		got, ok := parseSeconds(in)
		assert.True(t, ok, in)
		assert.InDelta(t, want, got, 1e-12, in)
	}
	for _, in := range []string{"", "abc", "NaN", "Inf", "-1", "1e400"} {
		_, ok := parseSeconds(in)
		assert.False(t, ok, in)
	}
}

func TestJUnitLatin1(t *testing.T) {
	in := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><testsuite name=\"caf\xe9\"><testcase name=\"\xfcber\" classname=\"x\"/></testsuite>")
	g, err := newGrouper([]config.TestGroup{{Name: "u", Match: config.TestMatch{Name: "^über$", Suite: "^café$"}}})
	require.NoError(t, err)
	s, err := parseJUnit(bytes.NewReader(in), junitOptions{groups: g})
	require.NoError(t, err)
	assert.Equal(t, 1, s.Groups[0].Total())
}

// TestJUnitLegacyCharsets: declared legacy encodings are decoded by their
// real tables; windows-1252 is not Latin-1 (0x80 is the euro sign there,
// a control character in ISO-8859-1).
func TestJUnitLegacyCharsets(t *testing.T) {
	cases := []struct{ label, raw, want string }{
		{"windows-1252", "\x80 \x93quoted\x94", "€ “quoted”"},
		{"cp1252", "\x80", "€"},
		{"ISO-8859-1", "caf\xe9", "café"},
		{"latin1", "\xfcber", "über"},
		{"ISO-8859-15", "\xa4", "€"},
		{"US-ASCII", "plain", "plain"},
	}
	for _, tc := range cases {
		t.Run(tc.label, func(t *testing.T) {
			in := []byte("<?xml version=\"1.0\" encoding=\"" + tc.label + "\"?><testsuite><testcase classname=\"x\" name=\"" + tc.raw + "\"/></testsuite>")
			g, err := newGrouper([]config.TestGroup{{Name: "g", Match: config.TestMatch{Name: "^" + regexp.QuoteMeta(tc.want) + "$"}}})
			require.NoError(t, err)
			s, err := parseJUnit(bytes.NewReader(in), junitOptions{groups: g})
			require.NoError(t, err)
			assert.Equal(t, 1, s.Groups[0].Total(), "the case name did not decode to %q", tc.want)
		})
	}
	_, err := parseJUnit(strings.NewReader(`<?xml version="1.0" encoding="EBCDIC-X"?><testsuite/>`), junitOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "write the report as UTF-8")
}

// TestJUnitFromNodeTestRunner reads a report that Node's own test runner
// writes (node --test --test-reporter=junit): testcases directly under
// <testsuites>, a nested describe suite, and counts in comments.
func TestJUnitFromNodeTestRunner(t *testing.T) {
	if testing.Short() {
		t.Skip("runs node")
	}
	node := testutil.Tool(t, "node")
	dir := t.TempDir()
	src := `const test = require('node:test'); const assert = require('node:assert');
test('adds', () => assert.strictEqual(1 + 1, 2));
test('fails', () => assert.strictEqual(1 + 1, 3));
test('skipped', { skip: true }, () => {});
test.describe('login workflow', () => { test.it('logs in', () => {}); test.it('shows dashboard', () => {}); });
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.test.js"), []byte(src), 0o644))
	out := filepath.Join(dir, "junit.xml")
	cmd := exec.Command(node, "--test", "--test-reporter=junit", "--test-reporter-destination="+out, "a.test.js")
	cmd.Dir = dir
	// node exits 1 because a test fails; the report is what matters.
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Logf("node --test: %v\n%s", err, b)
	}
	if _, err := os.Stat(out); err != nil {
		t.Skipf("this node has no junit reporter: %v", err)
	}
	g, err := newGrouper([]config.TestGroup{{Name: "login", Match: config.TestMatch{Suite: "login workflow"}}})
	require.NoError(t, err)
	s, err := parseJUnitFile(t, out, g)
	require.NoError(t, err)
	assert.Equal(t, counts(3, 1, 0, 1, 0, 0), s.Counts)
	assert.Equal(t, counts(2, 0, 0, 0, 0, 0), s.Groups[0])
}

// pytestPython is a python3 that can import pytest: the one on PATH, or
// Debian's (python3-pytest). Without one the test is skipped (fails in CI,
// see testutil.MissingTool).
func pytestPython(t *testing.T) string {
	t.Helper()
	for _, cand := range []string{"python3", "/usr/bin/python3"} {
		if p, err := exec.LookPath(cand); err == nil && exec.Command(p, "-c", "import pytest").Run() == nil {
			return p
		}
	}
	testutil.MissingTool(t, "pytest is not installed for python3 (python3-pytest)")
	return ""
}

// TestJUnitFromPytest reads what pytest --junitxml writes, where pytest is
// installed (python3 -m pytest).
func TestJUnitFromPytest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs pytest")
	}
	py := pytestPython(t)
	dir := t.TempDir()
	src := `import pytest

def test_pass():
    assert True

def test_fail():
    assert 1 == 2

@pytest.mark.skip(reason="no database")
def test_skip():
    pass

@pytest.mark.xfail(reason="known bug")
def test_xfail():
    assert False

@pytest.fixture
def broken():
    raise RuntimeError("fixture failed")

def test_error(broken):
    pass
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "test_school.py"), []byte(src), 0o644))
	out := filepath.Join(dir, "junit.xml")
	cmd := exec.Command(py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml="+out, "test_school.py")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Logf("pytest: %v\n%s", err, b) // exits 1: a test fails
	}
	s, err := parseJUnitFile(t, out, nil)
	require.NoError(t, err)
	assert.Equal(t, counts(1, 1, 1, 1, 0, 1), s.Counts)
	assert.WithinDuration(t, time.Now(), s.Newest, 24*time.Hour, "pytest writes local time without a zone")
}

// goTool finds a Go-installed command on PATH or in $(go env GOPATH)/bin,
// where `go install` puts it.
func goTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(dir, "bin", name)
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	testutil.MissingTool(t, "%s is not installed", name)
	return ""
}

// writeGoModule writes a small Go module whose tests pass, fail, skip and
// run subtests, and with broken one package that does not build.
func writeGoModule(t *testing.T, broken bool) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/school\n\ngo 1.21\n",
		"grades/grades_test.go": `package grades

import "testing"

func TestPass(t *testing.T) {}
func TestFail(t *testing.T) { t.Fatal("expected A, got B") }
func TestSkip(t *testing.T) { t.Skip("no database") }
func TestSub(t *testing.T) {
	t.Run("teacher", func(t *testing.T) {})
	t.Run("student", func(t *testing.T) {})
}
`,
		"auth/auth_test.go": `package auth

import "testing"

func TestLogin(t *testing.T) { t.Log("ok") }
`,
	}
	if broken {
		files["broken/broken_test.go"] = `package broken

import "testing"

func TestX(t *testing.T) { undefined() }
`
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

func goTestEnv() []string {
	return append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOPROXY=off")
}

// TestJUnitFromGoTestConverters runs go test on a module written here and
// turns its output into JUnit XML with the two converters Go teams use:
// go-junit-report (reading go test -v) and gotestsum --junitfile. The
// figures are worked out from the module's tests: TestPass, TestSub and
// its two subtests, TestLogin pass; TestFail fails; TestSkip is skipped;
// the broken package does not build.
func TestJUnitFromGoTestConverters(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	goBin := testutil.Tool(t, "go")

	t.Run("go-junit-report", func(t *testing.T) {
		conv := goTool(t, "go-junit-report")
		dir := writeGoModule(t, true)
		test := exec.Command(goBin, "test", "-v", "-count=1", "./...")
		test.Dir, test.Env = dir, goTestEnv()
		out, _ := test.CombinedOutput() // exits 1: a test fails, a package does not build
		report := filepath.Join(dir, "report.xml")
		cmd := exec.Command(conv, "-out", report)
		cmd.Stdin = bytes.NewReader(out)
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, "go-junit-report: %s", b)

		s, err := parseJUnitFile(t, report, nil)
		require.NoError(t, err)
		// The build failure is a synthetic "[build failed]" case with <error>.
		assert.Equal(t, counts(5, 1, 1, 1, 0, 0), s.Counts, string(out))
		assert.Equal(t, 8, s.Declared)
		assert.Zero(t, s.Mismatches)
		assert.WithinDuration(t, time.Now(), s.Newest, 10*time.Minute)
	})

	t.Run("gotestsum", func(t *testing.T) {
		conv := goTool(t, "gotestsum")
		dir := writeGoModule(t, true)
		report := filepath.Join(dir, "report.xml")
		cmd := exec.Command(conv, "--junitfile", report, "--format", "dots", "--", "-count=1", "./...")
		cmd.Dir, cmd.Env = dir, goTestEnv()
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Logf("gotestsum: %v\n%s", err, b) // exits 1: a test fails
		}

		s, err := parseJUnitFile(t, report, nil)
		require.NoError(t, err)
		// gotestsum writes the build failure as a failing "TestMain" case
		// inside a suite that says tests="0", and the root says tests="7"
		// around 8 cases: both disagree with the cases present.
		assert.Equal(t, counts(5, 2, 0, 1, 0, 0), s.Counts)
		assert.Equal(t, 7, s.Declared)
		assert.Equal(t, 2, s.Mismatches)
		// Its empty first suite carries 0001-01-01: ignored, the packages'
		// timestamps are now.
		assert.WithinDuration(t, time.Now(), s.Newest, 10*time.Minute)
	})
}
