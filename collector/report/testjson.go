package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/golive/golive_exporter/internal/jsonstream"
)

// maxGoTestLine bounds one line of a go test -json stream (an Output event
// carries one line of test output).
const maxGoTestLine = 4 << 20

// parseTestJSON reads one JSON test report. format is TestReportAuto
// or the format the file must have. go test -json streams are recognised by
// their first line; the other formats are one JSON object whose top-level
// keys say which runner wrote it, read key by key so that the per-test
// arrays are decoded one element at a time.
func parseTestJSON(r io.Reader, format string, g *grouper) (*FileSummary, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	// Windows tools may start the file with a UTF-8 byte order mark.
	if head, _ := br.Peek(3); bytes.Equal(head, []byte("\ufeff")) {
		_, _ = br.Discard(3)
	}
	if format == TestReportGoTest || (format == TestReportAuto && looksLikeGoTest(br)) {
		return parseGoTest(br, g)
	}
	s, err := parseReportObject(br, g)
	if err != nil {
		return nil, err
	}
	if format != TestReportAuto && s.Format != format {
		return nil, fmt.Errorf("the file is a %s report, but the check's format is %s; fix format: or the paths", s.Format, format)
	}
	return s, nil
}

// looksLikeGoTest peeks at the first line: a go test -json stream starts
// with an event object carrying "Action".
func looksLikeGoTest(br *bufio.Reader) bool {
	head, _ := br.Peek(4096)
	head = bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(head) == 0 || head[0] != '{' {
		return false
	}
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	return bytes.Contains(head, []byte(`"Action"`))
}

// maxSkipDepth bounds the nesting of a value the JSON parsers skip: far
// above any report's, low enough that a hostile file cannot recurse without
// bound.
const maxSkipDepth = 1000

func skip(dec *json.Decoder) error { return jsonstream.Skip(dec, 1, maxSkipDepth) }

// Jest and Vitest --json.
type jestFile struct {
	Name             string  `json:"name"`
	Status           string  `json:"status"`
	StartTime        float64 `json:"startTime"`
	EndTime          float64 `json:"endTime"`
	AssertionResults []struct {
		AncestorTitles []string `json:"ancestorTitles"`
		Title          string   `json:"title"`
		Status         string   `json:"status"`
	} `json:"assertionResults"`
}

func jestOutcome(status string) Outcome {
	switch status {
	case "passed":
		return Passed
	case "failed":
		return Failed
	case "pending", "skipped", "todo", "disabled":
		return Skipped
	}
	return Errored // an unknown status is not a pass: have it looked at
}

// pytest-json-report.
type pytestSummary struct {
	Total   *int `json:"total"`
	Passed  int  `json:"passed"`
	Failed  int  `json:"failed"`
	Error   int  `json:"error"`
	Skipped int  `json:"skipped"`
	XFailed int  `json:"xfailed"`
	XPassed int  `json:"xpassed"`
}

type pytestTest struct {
	NodeID  string `json:"nodeid"`
	Outcome string `json:"outcome"`
}

func pytestOutcome(o string) Outcome {
	switch o {
	case "passed", "xpassed":
		return Passed
	case "failed":
		return Failed
	case "error":
		return Errored
	case "skipped":
		return Skipped
	case "xfailed":
		return XFail
	}
	return Errored
}

// splitNodeID splits "tests/test_auth.py::TestLogin::test_ok[a]" into the
// file, the class path and the test name.
func splitNodeID(id string) (file, class, name string) {
	parts := strings.Split(id, "::")
	if len(parts) == 1 {
		return "", "", id
	}
	return parts[0], strings.Join(parts[1:len(parts)-1], "::"), parts[len(parts)-1]
}

// Playwright JSON reporter.
type pwSuite struct {
	Title  string    `json:"title"`
	Specs  []pwSpec  `json:"specs"`
	Suites []pwSuite `json:"suites"`
}

type pwSpec struct {
	Title string   `json:"title"`
	Tags  []string `json:"tags"`
	Tests []struct {
		ProjectName    string `json:"projectName"`
		ExpectedStatus string `json:"expectedStatus"`
		Status         string `json:"status"`
		Results        []struct {
			Status string `json:"status"`
		} `json:"results"`
	} `json:"tests"`
}

type pwStats struct {
	StartTime  string   `json:"startTime"`
	Duration   *float64 `json:"duration"`
	Expected   *int     `json:"expected"`
	Unexpected int      `json:"unexpected"`
	Flaky      int      `json:"flaky"`
	Skipped    int      `json:"skipped"`
}

func pwOutcome(status, expected, last string) Outcome {
	switch status {
	case "expected":
		switch expected {
		case "failed":
			return XFail
		case "skipped":
			return Skipped
		}
		return Passed
	case "unexpected":
		if last == "timedOut" || last == "interrupted" {
			return Errored
		}
		return Failed
	case "flaky":
		return Flaky
	case "skipped":
		return Skipped
	}
	return Errored
}

// maxSuiteDepth bounds Playwright describe nesting.
const maxSuiteDepth = 64

func (b *summaryBuilder) addPlaywrightSuite(file string, path []string, su *pwSuite, depth int) error {
	if depth > maxSuiteDepth {
		return fmt.Errorf("suites nested deeper than %d levels", maxSuiteDepth)
	}
	if depth > 0 {
		path = append(path, su.Title)
	}
	for _, sp := range su.Specs {
		for _, t := range sp.Tests {
			last := ""
			if n := len(t.Results); n > 0 {
				last = t.Results[n-1].Status
			}
			b.add(&Case{Suite: file, Classname: strings.Join(path, " › "), Name: sp.Title, Project: t.ProjectName, Tags: sp.Tags,
				Outcome: pwOutcome(t.Status, t.ExpectedStatus, last)})
		}
	}
	for i := range su.Suites {
		if err := b.addPlaywrightSuite(file, path, &su.Suites[i], depth+1); err != nil {
			return err
		}
	}
	return nil
}

// parseReportObject reads a Jest/Vitest, pytest-json-report or Playwright
// JSON report. Their top-level keys do not overlap, so one pass over the
// keys reads any of them and tells which it was.
func parseReportObject(r io.Reader, g *grouper) (*FileSummary, error) {
	dec := json.NewDecoder(r)
	b := newBuilder("", g)
	s := b.s
	var (
		isJest, isPytest, isPlaywright bool
		jestStart, jestEnd             float64
		counted                        int
		pwErrors                       int
		pySummary                      *pytestSummary
		pyTests                        bool
	)
	setNum := func(dst *int, has *bool) error {
		var n *float64
		if err := dec.Decode(&n); err != nil {
			return jsonstream.Err(err)
		}
		if n != nil && *n >= 0 && *n < math.MaxInt32 {
			*dst, *has = int(*n), true
		}
		return nil
	}
	err := jsonstream.Object(dec, "JSON report", func(key string) error {
		switch key {
		// Jest and Vitest.
		case "numTotalTests":
			isJest = true
			return setNum(&s.Declared, &s.HasDeclared)
		case "numPassedTests", "numFailedTests", "numPendingTests", "numTodoTests", "numRuntimeErrorTestSuites", "numTotalTestSuites", "success", "snapshot", "wasInterrupted", "openHandles", "coverageMap":
			isJest = true
			return skip(dec)
		case "startTime":
			isJest = true
			var v *float64
			if err := dec.Decode(&v); err != nil {
				return jsonstream.Err(err)
			}
			if v != nil {
				jestStart = *v
			}
			return nil
		case "testResults":
			isJest = true
			return jsonstream.Elements(dec, key, func(f *jestFile) error {
				if f.EndTime > jestEnd {
					jestEnd = f.EndTime
				}
				if f.StartTime > 0 {
					b.seen(plausible(time.UnixMilli(int64(f.StartTime))))
				}
				if len(f.AssertionResults) == 0 && f.Status == "failed" {
					// The test file failed to run (syntax error, failing
					// import): its tests never ran.
					b.add(&Case{Suite: f.Name, Name: "(test file failed to run)", Outcome: Errored})
					return nil
				}
				for _, a := range f.AssertionResults {
					counted++
					b.add(&Case{Suite: f.Name, Classname: strings.Join(a.AncestorTitles, " › "), Name: a.Title, Outcome: jestOutcome(a.Status)})
				}
				return nil
			})
		// pytest-json-report.
		case "created":
			isPytest = true
			var v *float64
			if err := dec.Decode(&v); err != nil {
				return jsonstream.Err(err)
			}
			if v != nil && *v > 0 {
				sec, frac := math.Modf(*v)
				b.seen(plausible(time.Unix(int64(sec), int64(frac*1e9))))
			}
			return nil
		case "duration":
			isPytest = true
			var v *float64
			if err := dec.Decode(&v); err != nil {
				return jsonstream.Err(err)
			}
			if v != nil && *v >= 0 {
				s.Duration, s.HasDuration = *v, true
			}
			return nil
		case "summary":
			isPytest = true
			var sum pytestSummary
			if err := dec.Decode(&sum); err != nil {
				return jsonstream.Err(err)
			}
			if sum.Total != nil {
				s.Declared, s.HasDeclared = *sum.Total, true
			}
			pySummary = &sum
			return nil
		case "exitcode", "root", "environment", "warnings":
			isPytest = true
			return skip(dec)
		case "collectors":
			isPytest = true
			return jsonstream.Elements(dec, key, func(c *pytestTest) error {
				if c.Outcome == "failed" || c.Outcome == "error" {
					// A module that could not be collected: its tests
					// never ran.
					file, class, _ := splitNodeID(c.NodeID)
					if file == "" {
						file = c.NodeID
					}
					b.add(&Case{Suite: file, Classname: class, Name: "(collection failed)", Outcome: Errored})
				}
				return nil
			})
		case "tests":
			isPytest = true
			pyTests = true
			return jsonstream.Elements(dec, key, func(t *pytestTest) error {
				counted++
				file, class, name := splitNodeID(t.NodeID)
				b.add(&Case{Suite: file, Classname: class, Name: name, Outcome: pytestOutcome(t.Outcome)})
				return nil
			})
		// Playwright.
		case "config":
			isPlaywright = true
			return skip(dec)
		case "stats":
			isPlaywright = true
			var st pwStats
			if err := dec.Decode(&st); err != nil {
				return jsonstream.Err(err)
			}
			if st.StartTime != "" {
				if ts, ok := parseTimestamp(st.StartTime, time.UTC); ok {
					b.seen(ts)
				} else {
					s.BadValues++
				}
			}
			if st.Duration != nil && *st.Duration >= 0 {
				s.Duration, s.HasDuration = *st.Duration/1000, true
			}
			if st.Expected != nil {
				s.Declared, s.HasDeclared = *st.Expected+st.Unexpected+st.Flaky+st.Skipped, true
			}
			return nil
		case "errors":
			isPlaywright = true
			return jsonstream.Elements(dec, key, func(_ *json.RawMessage) error {
				pwErrors++
				return nil
			})
		case "suites":
			isPlaywright = true
			return jsonstream.Elements(dec, key, func(su *pwSuite) error {
				before := s.Counts.Total()
				err := b.addPlaywrightSuite(su.Title, nil, su, 0)
				counted += s.Counts.Total() - before
				return err
			})
		}
		return skip(dec)
	})
	if err != nil {
		return nil, err
	}
	if err := jsonstream.End(dec); err != nil {
		return nil, err
	}
	switch {
	case isJest && !isPytest && !isPlaywright:
		s.Format = TestReportJest
		if jestStart > 0 {
			b.seen(plausible(time.UnixMilli(int64(jestStart))))
			if jestEnd >= jestStart {
				s.Duration, s.HasDuration = (jestEnd-jestStart)/1000, true
			}
		}
	case isPytest && !isJest && !isPlaywright:
		s.Format = TestReportPytest
		if !pyTests && pySummary != nil {
			// Written with --json-report-omit tests: only pytest's own
			// summary is there (no group can match).
			sum := pySummary
			s.Counts[Passed] += sum.Passed + sum.XPassed
			s.Counts[Failed] += sum.Failed
			s.Counts[Errored] += sum.Error
			s.Counts[Skipped] += sum.Skipped
			s.Counts[XFail] += sum.XFailed
			counted = sum.Passed + sum.XPassed + sum.Failed + sum.Error + sum.Skipped + sum.XFailed
		}
	case isPlaywright && !isJest && !isPytest:
		s.Format = TestReportPlaywright
		for i := 0; i < pwErrors; i++ {
			// Errors outside tests (config, global setup, no tests found)
			// fail the run.
			b.add(&Case{Name: "(error outside tests)", Outcome: Errored, Global: true})
		}
	default:
		return nil, errors.New("not a recognised test report: expected Jest/Vitest --json (numTotalTests, testResults), pytest-json-report (summary, tests), Playwright JSON (suites, stats) or a go test -json stream")
	}
	if s.HasDeclared && s.Declared != counted {
		s.Mismatches++
	}
	return s, nil
}

// goEvent is one line of go test -json (test2json).
type goEvent struct {
	Time    time.Time `json:"Time"`
	Action  string    `json:"Action"`
	Package string    `json:"Package"`
	Test    string    `json:"Test"`
	Elapsed *float64  `json:"Elapsed"`
}

// parseGoTest reads a go test -json event stream: each test's last pass,
// fail or skip event is its outcome; a test that started but never ended
// (panic, timeout) is an error, and a package that failed without a failing
// test (build failure, TestMain, panic outside a test) counts as one error.
// Lines that are not JSON (go vet or build output on the same stream) are
// ignored.
func parseGoTest(r *bufio.Reader, g *grouper) (*FileSummary, error) {
	b := newBuilder(TestReportGoTest, g)
	s := b.s
	type key struct{ pkg, test string }
	tests := map[key]string{}
	var order []key
	pkgs := map[string]string{}
	var pkgOrder []string
	pkgFailedTests := map[string]bool{}
	var first, last time.Time
	events := 0
	line := 0
	for {
		raw, err := readLine(r)
		if len(raw) > 0 {
			line++
			raw = bytes.TrimSpace(raw)
			if len(raw) > 0 && raw[0] == '{' {
				var ev goEvent
				if jerr := json.Unmarshal(raw, &ev); jerr == nil && ev.Action != "" {
					events++
					if !ev.Time.IsZero() {
						if first.IsZero() || ev.Time.Before(first) {
							first = ev.Time
						}
						if ev.Time.After(last) {
							last = ev.Time
						}
					}
					if ev.Package != "" {
						if _, ok := pkgs[ev.Package]; !ok {
							pkgs[ev.Package] = ""
							pkgOrder = append(pkgOrder, ev.Package)
						}
					}
					switch {
					case ev.Test != "":
						k := key{ev.Package, ev.Test}
						prev, ok := tests[k]
						if !ok {
							order = append(order, k)
						}
						switch ev.Action {
						case "pass", "fail", "skip":
							tests[k] = ev.Action
						default:
							if !ok || prev == "" {
								tests[k] = ""
							}
						}
					case ev.Action == "pass" || ev.Action == "fail" || ev.Action == "skip":
						pkgs[ev.Package] = ev.Action
					}
				} else {
					s.BadValues++
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line+1, err)
		}
	}
	if events == 0 {
		return nil, errors.New("no go test -json events (lines of {\"Action\":...}); was the report written with go test -json?")
	}
	for _, k := range order {
		var o Outcome
		switch tests[k] {
		case "pass":
			o = Passed
		case "fail":
			o = Failed
			pkgFailedTests[k.pkg] = true
		case "skip":
			o = Skipped
		default:
			o = Errored // started, never finished: the package panicked or timed out
			pkgFailedTests[k.pkg] = true
		}
		b.add(&Case{Suite: k.pkg, Classname: k.pkg, Name: k.test, Outcome: o})
	}
	for _, p := range pkgOrder {
		if pkgs[p] == "fail" && !pkgFailedTests[p] {
			b.add(&Case{Suite: p, Classname: p, Name: "(package failed)", Outcome: Errored})
		}
	}
	b.seen(plausible(last))
	if !first.IsZero() && !last.Before(first) {
		s.Duration, s.HasDuration = last.Sub(first).Seconds(), true
	}
	return s, nil
}

// readLine returns the next line without its newline; an over-long line is
// an error (the stream is not test2json output).
func readLine(r *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, isPrefix, err := r.ReadLine()
		buf = append(buf, chunk...)
		if len(buf) > maxGoTestLine {
			return nil, fmt.Errorf("a line longer than %d bytes: not a go test -json stream", maxGoTestLine)
		}
		if err != nil || !isPrefix {
			return buf, err
		}
	}
}
