package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/files"
	"github.com/golive/golive_exporter/internal/human"
)

var (
	infoDesc = collector.NewDesc("golive_loadtest_info",
		"The format of the load-test result judged (always 1).", "format")
	filesDesc = collector.NewDesc("golive_loadtest_files",
		"Result files the configured paths matched (the newest result is judged).")
	filesParsedDesc = collector.NewDesc("golive_loadtest_files_parsed",
		"Files of the judged result read and parsed in this run (the others were unchanged and not read again).")
	latencyDesc = collector.NewDesc("golive_loadtest_latency_seconds",
		"Request latency of the load test at a percentile (100 is the slowest request); only the percentiles the tool wrote.", "percentile")
	latencyLimitDesc = collector.NewDesc("golive_loadtest_latency_limit_seconds",
		"Configured maximum latency at a percentile (max_p50, max_p90, max_p95, max_p99, max_latency).", "percentile")
	requestsDesc = collector.NewDesc("golive_loadtest_requests",
		"Requests the load test made.")
	failedDesc = collector.NewDesc("golive_loadtest_failed_requests",
		"Requests of the load test that failed.")
	errorRatioDesc = collector.NewDesc("golive_loadtest_error_ratio",
		"Share of the load test's requests that failed (0 to 1).")
	errorRatioLimitDesc = collector.NewDesc("golive_loadtest_error_ratio_limit",
		"Configured maximum error ratio (max_error_ratio).")
	rpsDesc = collector.NewDesc("golive_loadtest_requests_per_second",
		"Mean throughput of the load test in requests per second.")
	vusDesc = collector.NewDesc("golive_loadtest_vus_max",
		"Peak number of concurrent virtual users (k6 vus, Locust User Count, JMeter allThreads).")
	durationDesc = collector.NewDesc("golive_loadtest_duration_seconds",
		"How long the load test ran.")
	timestampDesc = collector.NewDesc("golive_loadtest_timestamp_seconds",
		"When the load test ended (from the result, else the file's modification time), as a Unix time.")
	maxAgeDesc = collector.NewDesc("golive_loadtest_max_age_seconds",
		"Configured maximum age of the result (max_age); an older result fails with reason stale.")
	thresholdsDesc = collector.NewDesc("golive_loadtest_thresholds",
		"The load-test tool's own thresholds by verdict (k6 thresholds).", "result")
	checksDesc = collector.NewDesc("golive_loadtest_checks",
		"The load-test tool's check() outcomes by result (k6 checks).", "result")
)

// check is one configured loadtest check; it keeps the parsed files.
type check struct {
	cfg   *LoadTestCheck
	paths []string
	opts  Options
	cache *files.Cache[*Result]
	now   func() time.Time
}

func newCheck(c *config.Check, env collector.Env) (collector.Check, error) {
	lc := c.Spec().(*LoadTestCheck)
	ch := &check{
		cfg:   lc,
		opts:  Options{Format: lc.Format, K6Metric: lc.K6Metric, GatlingPercentiles: lc.GatlingPercentiles},
		cache: files.NewCache[*Result](),
		now:   time.Now,
	}
	if lc.JMeterExcludeLabels != "" {
		re, err := regexp.Compile(lc.JMeterExcludeLabels)
		if err != nil {
			return nil, collector.Failf(collector.ReasonConfig, "jmeter_exclude_labels: %v", err)
		}
		ch.opts.JMeterExclude = re
	}
	for _, p := range lc.Paths {
		if env.Config != nil {
			p = env.Config.ResolvePath(p)
		}
		ch.paths = append(ch.paths, p)
	}
	return ch, nil
}

// run is the files of one load-test run: one file, or the parts of a
// Locust run sharing a prefix.
type run struct {
	key     string
	files   []runFile // in path order, as Expand sorted them
	modTime time.Time
}

// runFile is a file of a run with the stat newestRun took, which the cache
// reuses so that an unchanged file costs one stat per scrape.
type runFile struct {
	path string
	info fs.FileInfo
}

// newestRun groups the files into runs and returns the most recently
// modified one: older results in the same folder are history, not the
// verdict.
func (c *check) newestRun(paths []string) (*run, error) {
	runs := map[string]*run{}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", p, err)
		}
		key := p
		if c.cfg.Format == LoadTestAuto || c.cfg.Format == LoadTestLocust {
			if prefix := locustPrefix(p); prefix != "" {
				key = prefix
			}
		}
		r := runs[key]
		if r == nil {
			r = &run{key: key}
			runs[key] = r
		}
		r.files = append(r.files, runFile{path: p, info: info})
		if info.ModTime().After(r.modTime) {
			r.modTime = info.ModTime()
		}
	}
	var best *run
	for _, r := range runs {
		if best == nil || r.modTime.After(best.modTime) || (r.modTime.Equal(best.modTime) && r.key > best.key) {
			best = r
		}
	}
	return best, nil
}

func (c *check) parse(r io.Reader) (*Result, error) { return Parse(r, c.opts) }

// Run reads the newest result among the configured paths (unchanged files
// from the cache), records its figures and asserts the configured limits.
// No files is not_found, an unreadable file invalid_response, a result
// older than max_age stale, a limit on a figure the result does not have
// unavailable.
func (c *check) Run(ctx context.Context, r *collector.Report) error {
	paths, err := files.Expand(ctx, c.paths, c.cfg.FolderPattern)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return collector.WithReason(collector.ReasonNotFound, err)
		}
		return err
	}
	c.cache.Retain(paths)
	r.Gauge(filesDesc, float64(len(paths)))
	if c.cfg.MaxAge > 0 {
		r.Gauge(maxAgeDesc, time.Duration(c.cfg.MaxAge).Seconds())
	}
	if len(paths) == 0 {
		return collector.Failf(collector.ReasonNotFound, "no load-test result matches %s (in a folder, files matching %s are read); check the paths and that the load test wrote its result",
			strings.Join(c.cfg.Paths, ", "), c.cfg.FolderPattern)
	}
	best, err := c.newestRun(paths)
	if err != nil {
		return err
	}
	var parts []*Result
	parsed := 0
	for _, f := range best.files {
		p := f.path
		res := c.cache.ReadInfo(ctx, p, f.info, int64(c.cfg.MaxFileSize), c.parse)
		if !res.Cached {
			parsed++
		}
		if res.Err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return fmt.Errorf("reading %s: %w", p, ctxErr)
			}
			r.Gauge(filesParsedDesc, float64(parsed))
			reason := collector.ReasonOf(res.Err)
			if reason == collector.ReasonError {
				reason = collector.ReasonInvalidResponse // the file's content, not the machine
			}
			return collector.WithReason(reason, fmt.Errorf("newest load-test result unreadable: %w", res.Err))
		}
		parts = append(parts, res.Value)
	}
	r.Gauge(filesParsedDesc, float64(parsed))
	res, err := combine(best, parts)
	if err != nil {
		return collector.WithReason(collector.ReasonInvalidResponse, err)
	}
	when := res.Time
	if when.IsZero() {
		when = best.modTime
	}
	unavailable := c.record(r, res, when)
	if c.cfg.MaxAge > 0 {
		// The age is a condition too, so that check and the board show it
		// when the result is fresh; a stale result fails with reason stale.
		age := c.now().Sub(when)
		r.Assert("result age", age <= time.Duration(c.cfg.MaxAge),
			fmt.Sprintf("%s old (ended %s)", human.Duration(age), when.UTC().Format(time.RFC3339)), fmt.Sprintf("<= %s", c.cfg.MaxAge))
		if age > time.Duration(c.cfg.MaxAge) {
			return collector.Failf(collector.ReasonStale, "newest load-test result (%s) is from %s, %s old; max_age is %s: run the load test again",
				best.key, when.UTC().Format(time.RFC3339), human.Duration(age), c.cfg.MaxAge)
		}
	}
	// A limit the result cannot answer fails with reason unavailable,
	// unless a limit it can answer failed: that verdict is the news.
	if len(unavailable) > 0 && !c.failedAvailable(r) {
		return collector.Failf(collector.ReasonUnavailable, "the %s result %s cannot be checked against %s",
			res.Format, best.key, strings.Join(unavailable, "; "))
	}
	return nil
}

// combine turns the parsed files of a run into one result.
func combine(best *run, parts []*Result) (*Result, error) {
	if len(parts) == 1 && parts[0].Part == locustNone {
		return parts[0], nil
	}
	has := false
	for _, p := range parts {
		if p.Part == locustStats || p.Part == locustHistory {
			has = true
		}
	}
	if !has {
		return nil, fmt.Errorf("locust run %s has neither a _stats.csv nor a _stats_history.csv file; point paths at the files locust --csv writes", best.key)
	}
	return mergeLocust(parts), nil
}

// notInResult is the observed value of a limit on an absent figure.
const notInResult = "not in the result"

// hint says how to make a figure appear in a format's result.
func hint(format, figure string) string {
	switch {
	case strings.HasPrefix(format, "k6") && (figure == "p90" || figure == "p95" || figure == "p99" || figure == "p50" || figure == "max"):
		return fmt.Sprintf(`k6 writes only the options.summaryTrendStats percentiles: add "%s" there (or check k6_metric)`,
			map[string]string{"p50": "med", "p90": "p(90)", "p95": "p(95)", "p99": "p(99)", "max": "max"}[figure])
	case format == "gatling" && strings.HasPrefix(figure, "p"):
		return "set gatling_percentiles to the percentiles Gatling wrote as percentiles1..4 (its charting.indicators settings)"
	case format == "gatling" && figure == "concurrent users":
		return "Gatling's global_stats.json has no user count; drop min_vus or use another tool's result"
	case format == "locust" && (figure == "concurrent users" || figure == "duration"):
		return "include the run's _stats_history.csv (locust --csv writes it) in paths"
	case format == "jmeter" && figure == "concurrent users":
		return "save the allThreads column (jmeter.save.saveservice.thread_counts=true)"
	}
	return "the result does not carry it"
}

// record exports the figures and asserts the limits; it returns the
// limits on figures the result does not have.
func (c *check) record(r *collector.Report, res *Result, when time.Time) []string {
	cfg := c.cfg
	var unavailable []string
	r.Gauge(infoDesc, 1, res.Format)
	r.Gauge(timestampDesc, float64(when.UnixNano())/1e9)
	for q := P50; q < numQuantiles; q++ {
		if v := res.Latency[q]; v.OK {
			r.Gauge(latencyDesc, v.V, quantileLabels[q])
		}
	}
	if res.Requests.OK {
		r.Gauge(requestsDesc, res.Requests.V)
	}
	if res.Failed.OK {
		r.Gauge(failedDesc, res.Failed.V)
	}
	if res.ErrorRatio.OK {
		r.Gauge(errorRatioDesc, res.ErrorRatio.V)
	}
	if res.RPS.OK {
		r.Gauge(rpsDesc, res.RPS.V)
	}
	if res.VUs.OK {
		r.Gauge(vusDesc, res.VUs.V)
	}
	if res.Duration.OK {
		r.Gauge(durationDesc, res.Duration.V)
	}
	if strings.HasPrefix(res.Format, "k6") {
		r.Gauge(thresholdsDesc, float64(res.ThresholdsPassed), "passed")
		r.Gauge(thresholdsDesc, float64(res.ThresholdsFailed), "failed")
		if res.HasChecks {
			r.Gauge(checksDesc, res.ChecksPassed, "passed")
			r.Gauge(checksDesc, res.ChecksFailed, "failed")
		}
	}

	// limit asserts a configured limit on a figure; a figure the result
	// lacks fails as notInResult and is named among the unavailable.
	limit := func(name, key, figure string, v Value, ok func(float64) bool, observed func(float64) string, expected string) {
		if !v.OK {
			r.Unevaluated(name, notInResult, expected)
			why := fmt.Sprintf("the result has no %s (%s)", figure, hint(res.Format, figure))
			if slices.Contains(quantileNames[:], figure) && res.LatencyNote != "" {
				why = res.LatencyNote
			}
			unavailable = append(unavailable, key+": "+why)
			return
		}
		r.Assert(name, ok(v.V), observed(v.V), expected)
	}
	maxLatency := [numQuantiles]time.Duration{time.Duration(cfg.MaxP50), time.Duration(cfg.MaxP90), time.Duration(cfg.MaxP95),
		time.Duration(cfg.MaxP99), time.Duration(cfg.MaxLatency)}
	keys := [numQuantiles]string{"max_p50", "max_p90", "max_p95", "max_p99", "max_latency"}
	for q := P50; q < numQuantiles; q++ {
		most := maxLatency[q]
		if most <= 0 {
			continue
		}
		r.Gauge(latencyLimitDesc, most.Seconds(), quantileLabels[q])
		limit(quantileNames[q]+" latency", keys[q], quantileNames[q], res.Latency[q],
			func(v float64) bool { return v <= most.Seconds() }, seconds, "<= "+most.String())
	}
	if cfg.MaxErrorRatio != nil {
		most := *cfg.MaxErrorRatio
		r.Gauge(errorRatioLimitDesc, most)
		limit("error ratio", "max_error_ratio", "error ratio", res.ErrorRatio,
			func(v float64) bool { return v <= most },
			func(v float64) string {
				if res.Failed.OK && res.Requests.OK {
					return fmt.Sprintf("%.4g%% (%.0f of %.0f requests failed)", v*100, res.Failed.V, res.Requests.V)
				}
				return fmt.Sprintf("%.4g%%", v*100)
			}, fmt.Sprintf("<= %g%%", most*100))
	}
	if cfg.MinVUs > 0 {
		limit("concurrent users", "min_vus", "concurrent users", res.VUs,
			func(v float64) bool { return v >= float64(cfg.MinVUs) },
			func(v float64) string { return fmt.Sprintf("%.0f peak", v) }, fmt.Sprintf(">= %d", cfg.MinVUs))
	}
	if cfg.MinDuration > 0 {
		least := time.Duration(cfg.MinDuration).Seconds()
		limit("test duration", "min_duration", "duration", res.Duration,
			func(v float64) bool { return v >= least }, seconds, ">= "+cfg.MinDuration.String())
	}
	if cfg.MinRequests > 0 {
		limit("requests", "min_requests", "request count", res.Requests,
			func(v float64) bool { return v >= float64(cfg.MinRequests) },
			func(v float64) string { return fmt.Sprintf("%.0f", v) }, fmt.Sprintf(">= %d", cfg.MinRequests))
	}
	if cfg.MinRPS > 0 {
		limit("throughput", "min_rps", "throughput", res.RPS,
			func(v float64) bool { return v >= cfg.MinRPS },
			func(v float64) string { return fmt.Sprintf("%.4g/s", v) }, fmt.Sprintf(">= %g/s", cfg.MinRPS))
	}
	if res.HasThresholds && cfg.ToolThresholds != "ignore" {
		total := res.ThresholdsPassed + res.ThresholdsFailed
		obs := fmt.Sprintf("%d of %d failed", res.ThresholdsFailed, total)
		if cfg.ToolThresholds == "warn" {
			r.Warn("tool thresholds", res.ThresholdsFailed == 0, obs, "none failed")
		} else {
			r.Assert("tool thresholds", res.ThresholdsFailed == 0, obs, "none failed")
		}
	}
	return unavailable
}

// failedAvailable says whether a condition on a figure the result has
// failed.
func (c *check) failedAvailable(r *collector.Report) bool {
	for _, cond := range r.Conditions() {
		if !cond.OK && !cond.Warning && cond.Observed != notInResult {
			return true
		}
	}
	return false
}

// seconds writes a latency or duration the way people read them: 260.642ms,
// 33s, 60.005s.
func seconds(s float64) string {
	if s < 1 {
		return time.Duration(s * float64(time.Second)).Round(time.Microsecond).String()
	}
	return strconv.FormatFloat(math.Round(s*1000)/1000, 'f', -1, 64) + "s"
}
