package collector

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	descSeriesA = NewDesc("golive_test_series_a", "Per component.", "component")
	// The same family described again, as two kinds may: one family.
	descSeriesA2 = NewDesc("golive_test_series_a", "Per component.", "component")
	// Its other label sorts before check: the family's order is not the
	// checks' order.
	descSeriesB  = NewDesc("golive_test_series_b", "Sorted by alpha first.", "alpha")
	descSeriesH  = NewHistogramDesc("golive_test_series_seconds", "A histogram.")
	descSeriesC  = NewCounterDesc("golive_test_series_total", "A counter.")
	descForeign  = prometheus.NewDesc("golive_test_series_foreign", "Not made by NewDesc.", []string{"check"}, nil)
	extraDesc    = prometheus.NewDesc("golive_test_series_extra", "An extra exporter's.", nil, nil)
	extraExports = []ResultExporter{func(results []Result, ch chan<- prometheus.Metric) {
		ch <- prometheus.MustNewConstMetric(extraDesc, prometheus.GaugeValue, float64(len(results)))
	}}
)

// seriesChecks are checks whose series cover what a kind may report:
// several series of a family, a family whose order is not the checks',
// a histogram, a counter, a desc made elsewhere, a label value that is
// not UTF-8, a series reported twice, a family described twice, a
// failure, a warning.
func seriesChecks(t *testing.T) *Scheduler {
	fakeKind(t, map[string]func(Env) Check{
		"b2": fn(func(_ context.Context, r *Report) error {
			r.Gauge(descSeriesA, 1, "y")
			r.Gauge(descSeriesA, 2, "x")
			r.Gauge(descSeriesB, 3, "z")
			r.Histogram(descSeriesH, HistogramValue{Count: 2, Sum: 0.3, Buckets: map[float64]uint64{0.1: 1, 1: 2}})
			r.Counter(descSeriesC, 7)
			r.Gauge(descForeign, 4)
			return nil
		}),
		"a10": fn(func(_ context.Context, r *Report) error {
			r.Gauge(descSeriesB, 5, "a")
			r.Gauge(descSeriesA2, 8, "w")
			r.Gauge(descSeriesA, 6, "bad\xff")
			r.Assert("up", false, "down", "up")
			return nil
		}),
		"a2": fn(func(_ context.Context, r *Report) error {
			r.Gauge(descSeriesA, 1, "x")
			r.Gauge(descSeriesA, 1, "x")
			// Before b2's "z" by check, after it by alpha.
			r.Gauge(descSeriesB, 9, "zz")
			r.Warn("slow", false, "2s", "< 1s")
			return nil
		}),
		"c": fn(func(context.Context, *Report) error { return errors.New("refused") }),
	})
	s := New(loadConfig(t, "", "b2 interval: 1h", "a10 interval: 1h", "a2 interval: 1h", "c"), nil)
	t.Cleanup(s.Close)
	return s
}

// exposition is families in the text format.
func exposition(t *testing.T, mfs []*dto.MetricFamily) string {
	t.Helper()
	return expositionIn(t, mfs, expfmt.NewFormat(expfmt.TypeTextPlain))
}

// expositionIn is families in format, finished (OpenMetrics' # EOF).
func expositionIn(t *testing.T, mfs []*dto.MetricFamily, format expfmt.Format) string {
	t.Helper()
	var b bytes.Buffer
	enc := expfmt.NewEncoder(&b, format)
	for _, mf := range mfs {
		require.NoError(t, enc.Encode(mf))
	}
	require.NoError(t, enc.(expfmt.Closer).Close())
	return b.String()
}

// TestGatherAsTheRegistry: the families a scrape gathers from the series
// built when the runs ended are those a registry gathers from the same
// results (the path before issue 12), series for series and in the same
// order, with the same errors for what a registry refuses; also for
// results no run made (not run yet, a run under way).
func TestGatherAsTheRegistry(t *testing.T) {
	s := seriesChecks(t)
	results := s.Collect(context.Background())
	results = append(results,
		Result{Check: "a1", Kind: "tcp", Status: StatusUnknown, Reason: ReasonNotRunYet, Running: true, Items: []string{"P1.1.01"}},
		Result{Check: "d", Kind: "tcp", Status: StatusFail, Reason: ReasonScrapeDeadline, Start: time.Unix(1700000000, 0)})
	for _, r := range results[:4] {
		require.NotNil(t, r.series, "%s: series not built when the run ended", r.Check)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectorFunc(func(ch chan<- prometheus.Metric) {
		ExportResults(results, ch)
		extraExports[0](results, ch)
	}))
	want, wantErr := reg.Gather()
	require.Error(t, wantErr, "the fixture has series a registry refuses")

	got, err := gatherAll(results, sortedOrder(results), extraExports)
	require.Error(t, err)
	assert.Equal(t, exposition(t, want), exposition(t, got))
	for _, msg := range []string{"not valid UTF-8", "twice"} {
		assert.Contains(t, err.Error(), msg)
	}
}

// TestCachedScrapeReusesSeries: a result kept for its interval is
// exported from the series its run built, not built again by each scrape
// (issue 12: BenchmarkScrapeCached's CPU per check).
func TestCachedScrapeReusesSeries(t *testing.T) {
	s := seriesChecks(t)
	first, _ := s.Collector(context.Background()).Gather()
	second, _ := s.Collector(context.Background()).Gather()
	find := func(mfs []*dto.MetricFamily, name string) *dto.MetricFamily {
		for _, mf := range mfs {
			if mf.GetName() == name {
				return mf
			}
		}
		t.Fatalf("no family %s", name)
		return nil
	}
	a, b := find(first, "golive_test_series_b"), find(second, "golive_test_series_b")
	require.Len(t, b.Metric, 3)
	for i := range a.Metric {
		assert.Same(t, a.Metric[i], b.Metric[i], "series %d built again", i)
	}
	// c failed on an error: it runs again, and its series are new.
	assert.NotSame(t, find(first, "golive_check_last_run_timestamp_seconds").Metric[3], find(second, "golive_check_last_run_timestamp_seconds").Metric[3])
}

// TestRunsWriteLinesOnceScrapedInTheFormat: runs write their lines in a
// format only after a scrape in that format asked for them (WriteLines):
// a Prometheus server asks for OpenMetrics, and its runs do not carry the
// text format's lines; a curl asks for the text format, and its runs do
// not carry the OpenMetrics ones; protobuf has none.
func TestRunsWriteLinesOnceScrapedInTheFormat(t *testing.T) {
	protobuf := expfmt.NewFormat(expfmt.TypeProtoDelim)
	for _, c := range []struct {
		name   string
		format expfmt.Format
		want   lineFormat
	}{
		{"text", expfmt.NewFormat(expfmt.TypeTextPlain), lineText},
		{"text 1.0.0", expfmt.FmtText_1_0_0, lineText},
		{"OpenMetrics 1.0.0", expfmt.FmtOpenMetrics_1_0_0 + "; escaping=allow-utf-8", lineOpenMetrics},
		{"OpenMetrics 0.0.1", expfmt.FmtOpenMetrics_0_0_1, lineOpenMetrics},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := seriesChecks(t)
			lines := func(results []Result, check string) [numLineFormats]bool {
				for _, r := range results {
					if r.Check == check && r.series != nil && len(r.series.built) > 0 {
						var has [numLineFormats]bool
						for f, l := range r.series.built[0].lines {
							has[f] = l != nil
						}
						return has
					}
				}
				t.Fatalf("no built series for %s", check)
				return [numLineFormats]bool{}
			}
			rc := s.Collector(context.Background())
			_, _ = rc.Gather()
			assert.Equal(t, [numLineFormats]bool{}, lines(rc.Results, "c"), "no scrape yet")
			ok, err := rc.WriteLines(io.Discard, &dto.MetricFamily{}, protobuf)
			assert.False(t, ok)
			assert.NoError(t, err)
			next := s.Collector(context.Background())
			_, _ = next.Gather()
			assert.Equal(t, [numLineFormats]bool{}, lines(next.Results, "c"), "after a protobuf scrape")

			_, _ = next.WriteLines(io.Discard, &dto.MetricFamily{}, c.format)
			// c failed on an error: it runs again, now writing its lines
			// in that format alone; b2 keeps its result, built before.
			after := s.Collector(context.Background())
			_, _ = after.Gather()
			var want [numLineFormats]bool
			want[c.want] = true
			assert.Equal(t, want, lines(after.Results, "c"), "a run after a scrape in the format")
			assert.Equal(t, [numLineFormats]bool{}, lines(after.Results, "b2"), "a result kept from before")
		})
	}
}

// TestMergeGathered: two sets without a family in common are joined in
// name order as they are; a family in both is checked as
// prometheus.Gatherers checks it.
func TestMergeGathered(t *testing.T) {
	fam := func(name string, labels ...string) *dto.MetricFamily {
		typ := dto.MetricType_GAUGE
		mf := &dto.MetricFamily{Name: &name, Help: new(string), Type: &typ}
		for _, l := range labels {
			v := 1.0
			mf.Metric = append(mf.Metric, &dto.Metric{Label: []*dto.LabelPair{{Name: new("check"), Value: &l}}, Gauge: &dto.Gauge{Value: &v}})
		}
		return mf
	}
	got, err := MergeGathered([]*dto.MetricFamily{fam("a", "x"), fam("c", "x")}, []*dto.MetricFamily{fam("b", "x"), fam("d", "x")})
	require.NoError(t, err)
	var names []string
	for _, mf := range got {
		names = append(names, mf.GetName())
	}
	assert.Equal(t, []string{"a", "b", "c", "d"}, names)

	got, err = MergeGathered([]*dto.MetricFamily{fam("a", "x")}, []*dto.MetricFamily{fam("a", "y")})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Len(t, got[0].Metric, 2)
	_, err = MergeGathered([]*dto.MetricFamily{fam("a", "x")}, []*dto.MetricFamily{fam("a", "x")})
	assert.ErrorContains(t, err, "collected before with the same name and label values")
}

// TestWriteLinesAsTheEncoder: a scrape in the text format or OpenMetrics
// written from the lines each run wrote (writeLines, the encoder for the
// families it has not the lines of) is byte for byte what expfmt's
// encoder writes for a registry's families on the same results (the path
// before issue 12), # EOF included: several series of a family, one whose
// first label is not check, a histogram, a counter, a family described
// twice, a desc made elsewhere, a value that is not UTF-8, a series
// reported twice, not run yet, a run under way.
func TestWriteLinesAsTheEncoder(t *testing.T) {
	for f, format := range map[lineFormat]expfmt.Format{
		lineText:        expfmt.NewFormat(expfmt.TypeTextPlain),
		lineOpenMetrics: expfmt.NewFormat(expfmt.TypeOpenMetrics),
	} {
		t.Run(string(format), func(t *testing.T) { testWriteLinesAsTheEncoder(t, f, format) })
	}
}

func testWriteLinesAsTheEncoder(t *testing.T, f lineFormat, format expfmt.Format) {
	s := seriesChecks(t)
	s.scrapedIn(f) // as after a first scrape in the format
	results := s.Collect(context.Background())
	results = append(results,
		Result{Check: "a1", Kind: "tcp", Status: StatusUnknown, Reason: ReasonNotRunYet, Running: true, Items: []string{"P1.1.01"}},
		Result{Check: "d", Kind: "tcp", Status: StatusFail, Reason: ReasonScrapeDeadline, Start: time.Unix(1700000000, 0)})

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectorFunc(func(ch chan<- prometheus.Metric) {
		ExportResults(results, ch)
		extraExports[0](results, ch)
	}))
	want, wantErr := reg.Gather()
	require.Error(t, wantErr)

	got, series, err := gatherAllLines(results, sortedOrder(results), extraExports, s.linesScraped())
	require.Error(t, err)
	assert.Equal(t, wantErr.Error(), err.Error())
	var b bytes.Buffer
	enc := expfmt.NewEncoder(&b, format)
	written := 0
	for _, mf := range got {
		ok, err := writeLines(&b, mf, series, f)
		require.NoError(t, err)
		if ok {
			written++
			continue
		}
		require.NoError(t, enc.Encode(mf))
	}
	require.NoError(t, enc.(expfmt.Closer).Close())
	assert.Equal(t, expositionIn(t, want, format), b.String())
	// All but the families of series left to a registry: the desc made
	// elsewhere, the extra exporter's (the non-UTF-8 series is refused).
	assert.Equal(t, len(got)-2, written, "families written from their lines")

	// A family it did not make, or one changed since, is left to the
	// encoder.
	ok, err := writeLines(&b, &dto.MetricFamily{Name: want[0].Name, Help: want[0].Help, Type: want[0].Type, Metric: want[0].Metric}, series, f)
	assert.False(t, ok)
	assert.NoError(t, err)
	// Nor are the lines of a format the runs did not write.
	ok, err = writeLines(&b, got[0], series, (f+1)%numLineFormats)
	assert.False(t, ok)
	assert.NoError(t, err)
}

// TestSeriesLinesLegacyNames: a series of a family whose name or a label
// name the encoder may escape has no lines (it is encoded at the scrape,
// as the scraper's escaping asks).
func TestSeriesLinesLegacyNames(t *testing.T) {
	name, v := "check", "a"
	pb := &dto.Metric{Label: []*dto.LabelPair{{Name: &name, Value: &v}}, Gauge: &dto.Gauge{Value: new(float64)}}
	var scratch bytes.Buffer
	assert.Equal(t, "golive_x{check=\"a\"} 0\n", string(seriesLines(&scratch, &Family{Name: "golive_x", Help: "h\nh", Type: "gauge"}, dto.MetricType_GAUGE, pb, lineText)))
	assert.Equal(t, "golive_x{check=\"a\"} 0.0\n", string(seriesLines(&scratch, &Family{Name: "golive_x", Help: "h\nh", Type: "gauge"}, dto.MetricType_GAUGE, pb, lineOpenMetrics)))
	for f := range numLineFormats {
		assert.Nil(t, seriesLines(&scratch, &Family{Name: "golive.x", Help: "h", Type: "gauge"}, dto.MetricType_GAUGE, pb, f))
	}
	bad := "check.name"
	pb.Label[0].Name = &bad
	for f := range numLineFormats {
		assert.Nil(t, seriesLines(&scratch, &Family{Name: "golive_x", Help: "h", Type: "gauge"}, dto.MetricType_GAUGE, pb, f))
	}
}

// gatherAll is Gather's work on the results of a collection, in order,
// without the scheduler's memo: what the tests compare with a registry.
func gatherAll(results []Result, order []int, extra []ResultExporter) ([]*dto.MetricFamily, error) {
	fams, _, err := gatherAllLines(results, order, extra, 0)
	return fams, err
}

// gatherAllLines is gatherAll with the built series of the families it
// made from the checks' series, whose lines writeLines writes; formats
// are those gatherResults writes the lines of series not built by a run
// in.
func gatherAllLines(results []Result, order []int, extra []ResultExporter, formats lineFormats) ([]*dto.MetricFamily, map[*dto.MetricFamily][]*builtSeries, error) {
	fams, series, other := gatherResults(results, order, formats)
	all, err := gatherRest(results, fams, other, extra)
	return all, series, err
}
