package collector

import (
	"context"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// The metric families every check has, whatever its kind.
var (
	descSuccess = GaugeFamily("golive_check_success",
		"Whether the check passed on its latest run (1) or failed (0). A warning still passes.",
		[]string{"check", "kind"}, nil)
	descWarning = GaugeFamily("golive_check_warning",
		"Whether the check's latest run passed with a warning (1).",
		[]string{"check", "kind"}, nil)
	descDuration = GaugeFamily("golive_check_duration_seconds",
		"How long the check's latest run took.",
		[]string{"check", "kind"}, nil)
	descQueueWait = GaugeFamily("golive_check_queue_wait_seconds",
		"How long the check's latest run waited before it started: for a free slot (global.max_concurrency), or for a CPU while many checks start at once.",
		[]string{"check", "kind"}, nil)
	descLastRun = GaugeFamily("golive_check_last_run_timestamp_seconds",
		"When the check's latest run started, as a Unix timestamp.",
		[]string{"check", "kind"}, nil)
	descReason = GaugeFamily("golive_check_failure_reason",
		"Why the check failed: 1 for the reason of its latest failed run; absent while it passes.",
		[]string{"check", "kind", "reason"}, nil)
	descItem = GaugeFamily("golive_check_item_info",
		"Which checklist item ids the check proves (always 1).",
		[]string{"check", "item"}, nil)
	descRunning = GaugeFamily("golive_check_running",
		"Whether a run of the check is under way (1): a background run, or one that outlived the scrape deadline.",
		[]string{"check", "kind"}, nil)
)

// ResultExporter turns the results of one collection into further metrics
// (the checklist's item states, for one).
type ResultExporter func(results []Result, ch chan<- prometheus.Metric)

// RequestCollector collects every check for one scrape, under ctx's
// deadline.
type RequestCollector struct {
	ctx   context.Context
	s     *Scheduler
	extra []ResultExporter
	// Results, once Collect has run, are the results it exported.
	Results []Result
}

// Collector returns a prometheus.Collector that runs the due checks when
// gathered and exports their results; extra exporters see the same results.
func (s *Scheduler) Collector(ctx context.Context, extra ...ResultExporter) *RequestCollector {
	return &RequestCollector{ctx: ctx, s: s, extra: extra}
}

// Describe sends nothing: the families depend on the configuration, so the
// collector is unchecked.
func (c *RequestCollector) Describe(chan<- *prometheus.Desc) {}

// Collect implements prometheus.Collector.
func (c *RequestCollector) Collect(ch chan<- prometheus.Metric) {
	c.Results = c.s.Collect(c.ctx)
	ExportResults(c.Results, ch)
	for _, x := range c.extra {
		x(c.Results, ch)
	}
}

// ExportResults writes the per-check metrics of results to ch.
func ExportResults(results []Result, ch chan<- prometheus.Metric) {
	if !slices.IsSortedFunc(results, byCheck) {
		results = slices.SortedFunc(slices.Values(results), byCheck)
	}
	for _, r := range results {
		for _, it := range r.Items {
			ch <- prometheus.MustNewConstMetric(descItem, prometheus.GaugeValue, 1, r.Check, it)
		}
		if r.Running {
			ch <- prometheus.MustNewConstMetric(descRunning, prometheus.GaugeValue, 1, r.Check, r.Kind)
		}
		if r.Status == StatusUnknown {
			// Not run yet: no success value rather than a false one.
			continue
		}
		ch <- prometheus.MustNewConstMetric(descSuccess, prometheus.GaugeValue, boolValue(r.Success()), r.Check, r.Kind)
		ch <- prometheus.MustNewConstMetric(descWarning, prometheus.GaugeValue, boolValue(r.Status == StatusWarn), r.Check, r.Kind)
		ch <- prometheus.MustNewConstMetric(descDuration, prometheus.GaugeValue, r.Duration.Seconds(), r.Check, r.Kind)
		ch <- prometheus.MustNewConstMetric(descQueueWait, prometheus.GaugeValue, r.QueueWait.Seconds(), r.Check, r.Kind)
		ch <- prometheus.MustNewConstMetric(descLastRun, prometheus.GaugeValue, float64(r.Start.UnixNano())/1e9, r.Check, r.Kind)
		if r.Status == StatusFail {
			ch <- prometheus.MustNewConstMetric(descReason, prometheus.GaugeValue, 1, r.Check, r.Kind, string(r.Reason))
		}
		for _, s := range r.samples {
			var m prometheus.Metric
			var err error
			if h := s.Histogram; h != nil {
				m, err = prometheus.NewConstHistogram(s.Desc, h.Count, h.Sum, h.Buckets, append([]string{r.Check}, s.Labels...)...)
			} else {
				m, err = prometheus.NewConstMetric(s.Desc, s.Type, s.Value, append([]string{r.Check}, s.Labels...)...)
			}
			if err != nil {
				ch <- prometheus.NewInvalidMetric(s.Desc, err)
				continue
			}
			ch <- m
		}
	}
}

// byCheck orders results by check name: the registry sorts each family's
// series by label values on every gather, and series sent already in that
// order make its sort a linear pass instead of n log n comparisons.
func byCheck(a, b Result) int { return strings.Compare(a.Check, b.Check) }
