// Package report holds the checks that read test results: JUnit XML
// ("junit") and test runners' JSON reports ("test_report": Jest and Vitest
// --json, pytest-json-report, Playwright's JSON reporter, go test -json).
// Every parser streams its input and reduces it to a FileSummary: counts per
// outcome, per configured group, the newest run time and the duration, so
// memory does not grow with the number of cases and an unchanged file's
// summary can be kept between scrapes.
package report

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/config"
)

// Outcome is the result of one test case.
type Outcome int

// The outcomes. Flaky cases passed on a rerun; xfail cases failed as
// expected (pytest xfail, Playwright test.fail()). Both count as passing.
const (
	Passed Outcome = iota
	Failed
	Errored
	Skipped
	Flaky
	XFail
	numOutcomes
)

var outcomeNames = [numOutcomes]string{"passed", "failed", "error", "skipped", "flaky", "xfail"}

func (o Outcome) String() string { return outcomeNames[o] }

// Counts holds a number of cases per outcome.
type Counts [numOutcomes]int

// Total is the number of cases.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// Failing is the number of failed or erroring cases.
func (c Counts) Failing() int { return c[Failed] + c[Errored] }

func (c *Counts) add(o Counts) {
	for i := range c {
		c[i] += o[i]
	}
}

// String gives the non-zero counts, e.g. "368 passed, 2 failed".
func (c Counts) String() string {
	var parts []string
	for i, v := range c {
		if v > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", v, outcomeNames[i]))
		}
	}
	if len(parts) == 0 {
		return "no cases"
	}
	return strings.Join(parts, ", ")
}

// Case is one test case as the parsers see it, for group matching.
type Case struct {
	Suite     string
	Classname string
	Name      string
	Hostname  string
	Project   string
	// Tags are the tags the report lists for the case (Playwright's JSON
	// reporter), without the @; the @words of its names are added when a
	// group matches tags.
	Tags    []string
	Outcome Outcome
	// Global marks errors outside any test, counted even when the check
	// selects cases.
	Global bool
}

// FileSummary is what one report file says, reduced to figures.
type FileSummary struct {
	// Format names the dialect read (junit, jest, pytest, playwright, gotest).
	Format string
	Counts Counts
	// Groups holds the counts of each configured group, in config order.
	Groups []Counts
	// Declared is the number of cases the file's own counters claim (root
	// tests attribute, numTotalTests, summary.total...); HasDeclared says
	// whether it had any.
	Declared    int
	HasDeclared bool
	// Mismatches counts suites (or the file) whose count attributes
	// disagree with the cases actually present.
	Mismatches int
	// Newest is the newest run time written in the file; zero if none.
	Newest time.Time
	// Duration is the run's duration in seconds; HasDuration says whether
	// the file gave one.
	Duration    float64
	HasDuration bool
	// BadValues counts time or timestamp values that could not be read
	// (tolerated, but counted).
	BadValues int
	// Ignored marks a file that is no test report but is known to sit
	// beside them (Failsafe's failsafe-summary.xml): it adds nothing.
	Ignored bool
}

// grouper assigns cases to the configured groups, after the check's
// selection (when set) has dropped the cases the check does not count.
type grouper struct {
	groups []compiledGroup
	sel    *compiledGroup
}

type compiledGroup struct {
	suite, classname, name, hostname, project, tag *regexp.Regexp
}

func newGrouper(gs []config.TestGroup) (*grouper, error) {
	return newSelectingGrouper(config.TestMatch{}, gs)
}

func newSelectingGrouper(sel config.TestMatch, gs []config.TestGroup) (*grouper, error) {
	g := &grouper{}
	if !sel.Empty() {
		c, err := compileMatch(sel)
		if err != nil {
			return nil, fmt.Errorf("select: %w", err)
		}
		g.sel = &c
	}
	for _, cg := range gs {
		c, err := compileMatch(cg.Match)
		if err != nil {
			return nil, fmt.Errorf("group %s: %w", cg.Name, err)
		}
		g.groups = append(g.groups, c)
	}
	return g, nil
}

func compileMatch(m config.TestMatch) (compiledGroup, error) {
	var c compiledGroup
	for _, f := range []struct {
		dst **regexp.Regexp
		pat string
	}{{&c.suite, m.Suite}, {&c.classname, m.Classname}, {&c.name, m.Name}, {&c.hostname, m.Hostname}, {&c.project, m.Project}, {&c.tag, m.Tag}} {
		if f.pat == "" {
			continue
		}
		re, err := regexp.Compile(f.pat)
		if err != nil {
			return c, err
		}
		*f.dst = re
	}
	return c, nil
}

func (cg *compiledGroup) match(c *Case) bool {
	return matches(cg.suite, c.Suite) && matches(cg.classname, c.Classname) && matches(cg.name, c.Name) &&
		matches(cg.hostname, c.Hostname) && matches(cg.project, c.Project) && (cg.tag == nil || matchesTag(cg.tag, c))
}

// titleTagRE finds the @tags written in a test's title ("logs in @smoke"),
// as Playwright reads them: an @ at the start or after white space or a
// bracket, then letters, digits and _ . : - (not ending in . : -).
var titleTagRE = regexp.MustCompile(`(?:^|[\s(\[])@([\pL\pN_](?:[\pL\pN_.:-]*[\pL\pN_])?)`)

// matchesTag reports whether any tag of the case matches re: the tags the
// report listed, and the @tags of its name, classname and suite.
func matchesTag(re *regexp.Regexp, c *Case) bool {
	for _, t := range c.Tags {
		if re.MatchString(strings.TrimPrefix(t, "@")) {
			return true
		}
	}
	for _, s := range [...]string{c.Name, c.Classname, c.Suite} {
		if !strings.Contains(s, "@") {
			continue
		}
		for _, m := range titleTagRE.FindAllStringSubmatch(s, -1) {
			if re.MatchString(m[1]) {
				return true
			}
		}
	}
	return false
}

func matches(re *regexp.Regexp, s string) bool { return re == nil || re.MatchString(s) }

// summaryBuilder accumulates cases into a FileSummary.
type summaryBuilder struct {
	s *FileSummary
	g *grouper
}

func newBuilder(format string, g *grouper) *summaryBuilder {
	s := &FileSummary{Format: format}
	if g != nil {
		s.Groups = make([]Counts, len(g.groups))
	}
	return &summaryBuilder{s: s, g: g}
}

func (b *summaryBuilder) add(c *Case) {
	if b.g == nil {
		b.s.Counts[c.Outcome]++
		return
	}
	if b.g.sel != nil && !c.Global && !b.g.sel.match(c) {
		return
	}
	b.s.Counts[c.Outcome]++
	for i := range b.g.groups {
		if b.g.groups[i].match(c) {
			b.s.Groups[i][c.Outcome]++
		}
	}
}

func (b *summaryBuilder) seen(t time.Time) {
	if !t.IsZero() && t.After(b.s.Newest) {
		b.s.Newest = t
	}
}

// parseSeconds reads a duration in seconds as test tools write it: "6.435",
// "0.195519123", "27.879566999999994", "1,234.5", "1.5s", "250ms".
func parseSeconds(s string) (float64, bool) {
	t := strings.TrimSpace(s)
	mult := 1.0
	switch {
	case strings.HasSuffix(t, "ms"):
		t, mult = strings.TrimSpace(strings.TrimSuffix(t, "ms")), 0.001
	case strings.HasSuffix(t, "sec"):
		t = strings.TrimSpace(strings.TrimSuffix(t, "sec"))
	case strings.HasSuffix(t, "s"):
		t = strings.TrimSpace(strings.TrimSuffix(t, "s"))
	}
	t = strings.ReplaceAll(t, ",", "")
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, false
	}
	return v * mult, true
}

// earliestTimestamp bounds plausible report times: older values (such as
// Go's zero time written by gotestsum) mean "no timestamp".
var earliestTimestamp = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// parseTimestamp reads the timestamp forms test tools write: RFC 3339 with
// or without fraction and zone, a space instead of T, a trailing " UTC",
// epoch seconds or milliseconds. Times without a zone are in loc. ok is
// false for an unreadable value; a zero or implausibly old value returns
// the zero time with ok true (the tool wrote "no time").
func parseTimestamp(s string, loc *time.Location) (time.Time, bool) {
	t := strings.TrimSpace(s)
	if t == "" {
		return time.Time{}, true
	}
	if isDigits(t) {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		var ts time.Time
		if len(t) >= 12 {
			ts = time.UnixMilli(n)
		} else {
			ts = time.Unix(n, 0)
		}
		return plausible(ts), true
	}
	for _, z := range []string{" UTC", " GMT", " Z"} {
		if strings.HasSuffix(t, z) {
			t = strings.TrimSuffix(t, z) + "Z"
			break
		}
	}
	t = strings.Replace(t, " ", "T", 1)
	if ts, err := time.Parse(time.RFC3339Nano, t); err == nil {
		return plausible(ts), true
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02T15:04:05.999999999Z0700"} {
		if ts, err := time.ParseInLocation(layout, t, loc); err == nil {
			return plausible(ts), true
		}
	}
	return time.Time{}, false
}

func plausible(t time.Time) time.Time {
	if t.Before(earliestTimestamp) {
		return time.Time{}
	}
	return t
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
