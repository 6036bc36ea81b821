package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/files"
	"github.com/golive/golive_exporter/internal/human"
)

var (
	casesDesc = collector.NewDesc("golive_test_report_cases",
		"Test cases in the report by result (passed, failed, error, skipped, flaky: passed on a rerun, xfail: failed as expected).", "result")
	expectedCasesDesc = collector.NewDesc("golive_test_report_expected_cases",
		"Number of test cases the configuration expects (expected_cases); fewer fails the check.")
	declaredCasesDesc = collector.NewDesc("golive_test_report_declared_cases",
		"Number of test cases the report files' own counters claim (root tests attribute, numTotalTests, summary.total...).")
	mismatchDesc = collector.NewDesc("golive_test_report_count_mismatches",
		"Suites or files whose count attributes disagree with the test cases actually present.")
	timestampDesc = collector.NewDesc("golive_test_report_timestamp_seconds",
		"Newest run time in the report (timestamp written by the tool, else the file's modification time), as a Unix time.")
	maxAgeDesc = collector.NewDesc("golive_test_report_max_age_seconds",
		"Configured maximum age of the report (max_age); an older report fails with reason stale.")
	durationDesc = collector.NewDesc("golive_test_report_duration_seconds",
		"Duration of the test run as the report gives it (summed over files).")
	filesDesc = collector.NewDesc("golive_test_report_files",
		"Report files the configured paths matched.")
	filesParsedDesc = collector.NewDesc("golive_test_report_files_parsed",
		"Report files read and parsed in this run (the others were unchanged and not read again).")
	parseErrorsDesc = collector.NewDesc("golive_test_report_parse_errors",
		"Report files that could not be read or parsed (corrupt, truncated, too large, not a report).")
	badValuesDesc = collector.NewDesc("golive_test_report_bad_values",
		"Time or timestamp values in the report that could not be read and were ignored.")
	groupCasesDesc = collector.NewDesc("golive_test_report_group_cases",
		"Test cases of a configured group by result.", "group", "result")
	groupSuccessDesc = collector.NewDesc("golive_test_report_group_success",
		"Whether the group has at least min_cases cases and none failed (1) or not (0).", "group")
	groupItemDesc = collector.NewDesc("golive_test_report_group_item_info",
		"Checklist items a group proves (always 1).", "group", "item")
)

// resultsCheck is a test-result check: where its files are, how to parse
// one, and what the results must meet. One instance lives per configured
// check, holding the cache of parsed files.
type resultsCheck struct {
	cfg     *config.TestResults
	paths   []string
	groups  *grouper
	parse   func(r io.Reader) (*FileSummary, error)
	cache   *files.Cache[*FileSummary]
	now     func() time.Time
	noun    string
	maxSize int64
}

func newJUnit(c *config.Check, env collector.Env) (collector.Check, error) {
	jc := c.Spec().(*JUnitCheck)
	loc, err := time.LoadLocation(jc.TimeZone)
	if err != nil {
		return nil, collector.Failf(collector.ReasonConfig, "time_zone %q: %v", jc.TimeZone, err)
	}
	rc, err := newResultsCheck(&jc.TestResults, env, "JUnit XML")
	if err != nil {
		return nil, err
	}
	opt := junitOptions{maxDepth: jc.MaxDepth, loc: loc, groups: rc.groups}
	rc.parse = func(r io.Reader) (*FileSummary, error) { return parseJUnit(r, opt) }
	return rc, nil
}

func newTestReport(c *config.Check, env collector.Env) (collector.Check, error) {
	tc := c.Spec().(*TestReportCheck)
	rc, err := newResultsCheck(&tc.TestResults, env, "test report")
	if err != nil {
		return nil, err
	}
	format := tc.Format
	rc.parse = func(r io.Reader) (*FileSummary, error) { return parseTestJSON(r, format, rc.groups) }
	return rc, nil
}

func newResultsCheck(cfg *config.TestResults, env collector.Env, noun string) (*resultsCheck, error) {
	g, err := newSelectingGrouper(cfg.Select, cfg.Groups)
	if err != nil {
		return nil, collector.WithReason(collector.ReasonConfig, err)
	}
	rc := &resultsCheck{cfg: cfg, groups: g, cache: files.NewCache[*FileSummary](), now: time.Now, noun: noun, maxSize: int64(cfg.MaxFileSize)}
	for _, p := range cfg.Paths {
		if env.Config != nil {
			p = env.Config.ResolvePath(p)
		}
		rc.paths = append(rc.paths, p)
	}
	return rc, nil
}

// total is what all files of a report add up to.
type total struct {
	FileSummary
	files, parsed, parseErrors int
	newest                     time.Time
	errs                       []error
}

// Run reads every report file (unchanged ones from the cache), records the
// figures, and asserts the configured thresholds. No files is not_found, an
// unreadable file is invalid_response, a report older than max_age is stale.
func (c *resultsCheck) Run(ctx context.Context, r *collector.Report) error {
	paths, err := files.Expand(ctx, c.paths, c.cfg.FolderPattern)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return collector.WithReason(collector.ReasonNotFound, err)
		}
		return err
	}
	c.cache.Retain(paths)
	if len(paths) == 0 {
		return collector.Failf(collector.ReasonNotFound, "no %s files match %s; check the paths (in a folder, files matching %s are read) and that the tests wrote their report",
			c.noun, strings.Join(c.cfg.Paths, ", "), c.cfg.FolderPattern)
	}
	t := total{FileSummary: FileSummary{Groups: make([]Counts, len(c.cfg.Groups))}}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		res := c.cache.Read(ctx, p, c.maxSize, c.parse)
		t.files++
		if !res.Cached {
			t.parsed++
		}
		if res.Err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return fmt.Errorf("reading %s: %w", p, ctxErr)
			}
			t.parseErrors++
			t.errs = append(t.errs, res.Err)
			continue
		}
		s := res.Value
		if s.Ignored {
			continue
		}
		t.Counts.add(s.Counts)
		for i := range t.Groups {
			if i < len(s.Groups) {
				t.Groups[i].add(s.Groups[i])
			}
		}
		// The files' own counters count every case; with a selection
		// they cannot be compared with the selected cases.
		if s.HasDeclared && c.cfg.Select.Empty() {
			t.Declared += s.Declared
			t.HasDeclared = true
		}
		if c.cfg.Select.Empty() {
			t.Mismatches += s.Mismatches
		}
		t.BadValues += s.BadValues
		if s.HasDuration {
			t.Duration += s.Duration
			t.HasDuration = true
		}
		runTime := s.Newest
		if runTime.IsZero() {
			runTime = res.ModTime
		}
		if runTime.After(t.newest) {
			t.newest = runTime
		}
	}
	c.record(r, &t)
	if t.parseErrors > 0 {
		more := ""
		if len(t.errs) > 1 {
			more = " (" + human.ListOf(nil, len(t.errs)-1) + ")"
		}
		reason := collector.ReasonOf(t.errs[0])
		if reason == collector.ReasonError {
			reason = collector.ReasonInvalidResponse // the file's content, not the machine
		}
		return collector.Failf(reason, "%d of %d %s files unreadable: %v%s", t.parseErrors, t.files, c.noun, t.errs[0], more)
	}
	if c.cfg.MaxAge > 0 && !t.newest.IsZero() {
		// The age is a condition too, so that check and the board show it
		// when the report is fresh; a stale report fails with reason stale.
		age := c.now().Sub(t.newest)
		r.Assert("report age", age <= time.Duration(c.cfg.MaxAge),
			fmt.Sprintf("%s old (run %s)", human.Duration(age), t.newest.UTC().Format(time.RFC3339)), fmt.Sprintf("<= %s", c.cfg.MaxAge))
		if age > time.Duration(c.cfg.MaxAge) {
			return collector.Failf(collector.ReasonStale, "newest test run is from %s, %s old; max_age is %s: run the tests again",
				t.newest.UTC().Format(time.RFC3339), human.Duration(age), c.cfg.MaxAge)
		}
	}
	return nil
}

func (c *resultsCheck) record(r *collector.Report, t *total) {
	r.Gauge(filesDesc, float64(t.files))
	r.Gauge(filesParsedDesc, float64(t.parsed))
	r.Gauge(parseErrorsDesc, float64(t.parseErrors))
	if c.cfg.ExpectedCases > 0 {
		r.Gauge(expectedCasesDesc, float64(c.cfg.ExpectedCases))
	}
	if c.cfg.MaxAge > 0 {
		r.Gauge(maxAgeDesc, time.Duration(c.cfg.MaxAge).Seconds())
	}
	if t.parseErrors == t.files {
		return // nothing was read: no figures and no verdict on cases
	}
	for i, n := range t.Counts {
		r.Gauge(casesDesc, float64(n), outcomeNames[i])
	}
	r.Gauge(badValuesDesc, float64(t.BadValues))
	r.Gauge(mismatchDesc, float64(t.Mismatches))
	if t.HasDeclared {
		r.Gauge(declaredCasesDesc, float64(t.Declared))
	}
	if !t.newest.IsZero() {
		r.Gauge(timestampDesc, float64(t.newest.UnixNano())/1e9)
	}
	if t.HasDuration {
		r.Gauge(durationDesc, t.Duration)
	}

	total := t.Counts.Total()
	want := max(c.cfg.ExpectedCases, 1)
	r.Assert("test cases present", total >= want, fmt.Sprintf("%d cases", total), fmt.Sprintf(">= %d cases", want))
	r.Assert("no failing cases", t.Counts.Failing() <= c.cfg.MaxFailures,
		fmt.Sprintf("%d failed, %d error", t.Counts[Failed], t.Counts[Errored]), fmt.Sprintf("<= %d failed or error", c.cfg.MaxFailures))
	if c.cfg.MaxSkipped != nil {
		r.Assert("skipped cases", t.Counts[Skipped] <= *c.cfg.MaxSkipped, fmt.Sprintf("%d skipped", t.Counts[Skipped]), fmt.Sprintf("<= %d skipped", *c.cfg.MaxSkipped))
	}
	flaky := fmt.Sprintf("%d flaky", t.Counts[Flaky])
	if c.cfg.FailOnFlaky {
		r.Assert("no flaky cases", t.Counts[Flaky] == 0, flaky, "0 flaky")
	} else {
		r.Warn("no flaky cases", t.Counts[Flaky] == 0, flaky, "0 flaky")
	}
	if t.HasDeclared || t.Mismatches > 0 {
		r.Warn("count attributes agree with cases", t.Mismatches == 0 && (!t.HasDeclared || t.Declared == total),
			fmt.Sprintf("%d cases present, counters claim %d, %d suites disagree", total, t.Declared, t.Mismatches),
			"counters equal the cases present")
	}
	for i, g := range c.cfg.Groups {
		gc := t.Groups[i]
		for j, n := range gc {
			r.Gauge(groupCasesDesc, float64(n), g.Name, outcomeNames[j])
		}
		minCases := 1
		if g.MinCases != nil {
			minCases = *g.MinCases
		}
		ok := gc.Total() >= minCases && gc.Failing() == 0
		r.Bool(groupSuccessDesc, ok, g.Name)
		for _, it := range g.Items {
			r.Gauge(groupItemDesc, 1, g.Name, it)
		}
		r.Assert(g.ConditionName(), ok, gc.String(), fmt.Sprintf(">= %d cases, none failed or error", minCases))
	}
}
