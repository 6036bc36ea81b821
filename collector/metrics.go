package collector

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
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
	// Results, once Collect or Gather has run, are the results it
	// exported.
	Results []Result
	// series are the built series of the families Gather made, whose
	// lines WriteLines writes.
	series map[*dto.MetricFamily][]*builtSeries
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
	exportResults(c.Results, c.s.order, true, ch)
	for _, x := range c.extra {
		x(c.Results, ch)
	}
}

// Gather runs the due checks and returns the metric families of the
// scrape, as a registry with the collector in it would (same families,
// same order), but without a registry's work on the series of each check,
// which were built and checked once, when their run ended: at 1000 checks
// (11,000 series) that work came after the last check had ended, and
// lengthened every scrape (issue 12). The extra exporters' series go
// through a registry as before.
//
// Its Results are in the order of the check names, the order of the
// series (Collect leaves them in the configuration's): at 10,000 checks a
// walk over the results in another order than they lie in memory cost
// more per check than at 1,000 (issue 12).
func (c *RequestCollector) Gather() ([]*dto.MetricFamily, error) {
	results, m := c.s.collectMemo(c.ctx, c.s.order, true)
	c.Results = results
	fams, series, other := m.gather(results, c.s.linesScraped())
	c.series = series
	return gatherRest(results, fams, other, c.extra)
}

// WriteLines writes mf, one of the families Gather returned, in format
// byte for byte as expfmt's encoder for format writes it (what promhttp
// serves), from the lines of each check's series written when its run
// ended: at 1000 checks the encoding of ~11,000 series came after the last
// check had ended (issue 12). The formats are those WritesLines reports:
// the text format and OpenMetrics 1.0.0 and 0.0.1. ok is false, with
// nothing written, for another format and for a family it has not the
// lines of (the exporter's own, one joined with another of the same name,
// one with names the encoder may escape): encode it as usual.
//
// The first call in a format asks the scheduler to write the lines of
// each run in that format from then on (a Prometheus server, which asks
// for OpenMetrics, never makes the runs write the text format, nor a
// curl the OpenMetrics one); until those runs end, their families are
// encoded as usual.
func (c *RequestCollector) WriteLines(w io.Writer, mf *dto.MetricFamily, format expfmt.Format) (ok bool, err error) {
	f, ok := lineFormatOf(format)
	if !ok {
		return false, nil
	}
	c.s.scrapedIn(f)
	return writeLines(w, mf, c.series, f)
}

// identity is the order 0, 1, ... n-1.
func identity(n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	return order
}

// gatherRest joins fams, the checks' families gatherResults made, with
// what goes through a registry: the series it left (other) and the extra
// exporters'.
func gatherRest(results []Result, fams []*dto.MetricFamily, other []prometheus.Metric, extra []ResultExporter) ([]*dto.MetricFamily, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectorFunc(func(ch chan<- prometheus.Metric) {
		for _, m := range other {
			ch <- m
		}
		for _, x := range extra {
			x(results, ch)
		}
	}))
	rest, err := reg.Gather()
	all, merr := MergeGathered(fams, rest)
	return all, errors.Join(err, merr)
}

// collectorFunc is an unchecked collector of what a function sends.
type collectorFunc func(ch chan<- prometheus.Metric)

func (f collectorFunc) Describe(chan<- *prometheus.Desc)    {}
func (f collectorFunc) Collect(ch chan<- prometheus.Metric) { f(ch) }

// ExportResults writes the per-check metrics of results to ch, in the
// order of their check names. It builds them from the results as they are
// (the caller may have changed a field), not from what their runs built.
func ExportResults(results []Result, ch chan<- prometheus.Metric) {
	exportResults(results, sortedOrder(results), false, ch)
}

// exportResults writes the metrics of results in order (indices into
// results); with prebuilt, those built when each run ended (the results
// are the scheduler's, as their runs made them).
func exportResults(results []Result, order []int, prebuilt bool, ch chan<- prometheus.Metric) {
	for _, i := range order {
		r := &results[i]
		if r.Running {
			ch <- prometheus.MustNewConstMetric(descRunning, prometheus.GaugeValue, 1, r.Check, r.Kind)
		}
		rs := r.series
		if !prebuilt || rs == nil {
			rs = buildSeries(*r, 0)
		}
		for _, b := range rs.built {
			ch <- b.Metric()
		}
		for _, m := range rs.other {
			ch <- m
		}
	}
}

// resultMetrics makes the series of a result, but golive_check_running
// (see buildSeries).
func resultMetrics(r Result, send func(prometheus.Metric)) {
	for _, it := range r.Items {
		send(prometheus.MustNewConstMetric(descItem, prometheus.GaugeValue, 1, r.Check, it))
	}
	if r.Status == StatusUnknown {
		// Not run yet: no success value rather than a false one.
		return
	}
	send(prometheus.MustNewConstMetric(descSuccess, prometheus.GaugeValue, boolValue(r.Success()), r.Check, r.Kind))
	send(prometheus.MustNewConstMetric(descWarning, prometheus.GaugeValue, boolValue(r.Status == StatusWarn), r.Check, r.Kind))
	send(prometheus.MustNewConstMetric(descDuration, prometheus.GaugeValue, r.Duration.Seconds(), r.Check, r.Kind))
	send(prometheus.MustNewConstMetric(descQueueWait, prometheus.GaugeValue, r.QueueWait.Seconds(), r.Check, r.Kind))
	send(prometheus.MustNewConstMetric(descLastRun, prometheus.GaugeValue, float64(r.Start.UnixNano())/1e9, r.Check, r.Kind))
	if r.Status == StatusFail {
		send(prometheus.MustNewConstMetric(descReason, prometheus.GaugeValue, 1, r.Check, r.Kind, string(r.Reason)))
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
			m = prometheus.NewInvalidMetric(s.Desc, err)
		}
		send(m)
	}
}

// sortedOrder is the indices of results in the order of their check
// names: the registry sorts each family's series by label values on every
// gather, and series sent already in that order make its sort a linear
// pass. The scheduler computes it once (Scheduler.order).
func sortedOrder(results []Result) []int {
	order := identity(len(results))
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(results[a].Check, results[b].Check) })
	return order
}
