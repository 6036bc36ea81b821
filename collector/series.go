package collector

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// runSeries are the series of one result, built once when its run ends
// (issue 12): a scrape then only gathers them, so what is left after the
// last check of a scrape ends is the writing, and a result kept for its
// interval costs no building on the scrapes that resend it.
type runSeries struct {
	// built are the series ready for the exposition, in the order
	// resultMetrics makes them.
	built []builtSeries
	// other are the series that could not be built ahead (a desc not made
	// by this package, an invalid label value, a repeated series): they go
	// through a registry at the scrape, which reports their errors as
	// before.
	other []prometheus.Metric
}

// builtSeries is one series and its family.
type builtSeries struct {
	fam  *Family
	typ  dto.MetricType
	desc *prometheus.Desc
	pb   *dto.Metric // the series, written
	// byCheck is set when check is the series' first label by name: its
	// family's series are in order when the results are visited by check
	// name.
	byCheck bool
	// lines are the series in each lineFormat without its family's HELP
	// and TYPE lines, written when the run ended for the formats the
	// exporter had served a scrape in; nil for another format, or when
	// they could not be written (see seriesLines).
	lines [numLineFormats][]byte
}

// Metric is the series as a prometheus.Metric, for the
// prometheus.Collector path (RequestCollector.Collect).
func (b builtSeries) Metric() prometheus.Metric { return prebuilt{b.desc, b.pb} }

// prebuilt is a series already written.
type prebuilt struct {
	desc *prometheus.Desc
	pb   *dto.Metric
}

func (p prebuilt) Desc() *prometheus.Desc { return p.desc }

// Write copies the written series; its label pairs are shared, never
// changed.
func (p prebuilt) Write(out *dto.Metric) error {
	*out = dto.Metric{Label: p.pb.Label, Gauge: p.pb.Gauge, Counter: p.pb.Counter, Histogram: p.pb.Histogram}
	return nil
}

// buildSeries builds the series of r except golive_check_running, which
// depends on the moment, not on the run; also their lines in each format
// of formats (see builtSeries.lines).
func buildSeries(r Result, formats lineFormats) *runSeries {
	rs := &runSeries{}
	resultMetrics(r, func(m prometheus.Metric) {
		f, ok := descFamilies.Load(m.Desc())
		if !ok {
			rs.other = append(rs.other, m)
			return
		}
		fam := f.(*Family)
		pb := &dto.Metric{}
		if err := m.Write(pb); err != nil {
			rs.other = append(rs.other, m)
			return
		}
		typ, ok := typeOf(pb)
		if !ok || typeName(typ) != fam.Type {
			rs.other = append(rs.other, m)
			return
		}
		byCheck := len(pb.Label) > 0 && pb.Label[0].GetName() == "check"
		rs.built = append(rs.built, builtSeries{fam: fam, typ: typ, desc: m.Desc(), pb: pb, byCheck: byCheck})
	})
	// Each family's series of the run in the registry's order, once: a
	// family whose first label (by name) is check is then in order at
	// every scrape that visits the results by check name.
	slices.SortStableFunc(rs.built, func(a, b builtSeries) int {
		if c := strings.Compare(a.fam.Name, b.fam.Name); c != 0 {
			return c
		}
		return compareSeries(a.pb, b.pb)
	})
	// A series repeated (now next to its twin) is an error the registry
	// reports, as it did when it saw every series.
	kept := rs.built[:0]
	for i, b := range rs.built {
		if i > 0 && b.fam == rs.built[i-1].fam && compareSeries(b.pb, rs.built[i-1].pb) == 0 {
			rs.other = append(rs.other, prometheus.NewInvalidMetric(b.desc, fmt.Errorf("check %s reported the series %s twice", r.Check, seriesText(b))))
			continue
		}
		kept = append(kept, b)
	}
	rs.built = kept
	if formats == 0 {
		return rs
	}
	// The lines of each series, in one buffer for the run.
	var scratch, lines bytes.Buffer
	type span struct {
		i     int
		f     lineFormat
		start int
	}
	spans := make([]span, 0, len(kept)*bits.OnesCount32(uint32(formats)))
	for f := range numLineFormats {
		if !formats.has(f) {
			continue
		}
		for i, b := range kept {
			if l := seriesLines(&scratch, b.fam, b.typ, b.pb, f); l != nil {
				spans = append(spans, span{i, f, lines.Len()})
				lines.Write(l)
			}
		}
	}
	all := lines.Bytes()
	for j, sp := range spans {
		end := len(all)
		if j+1 < len(spans) {
			end = spans[j+1].start
		}
		kept[sp.i].lines[sp.f] = all[sp.start:end:end]
	}
	return rs
}

// seriesText is a series as name{label="value",...}.
func seriesText(b builtSeries) string {
	var s strings.Builder
	s.WriteString(b.fam.Name)
	s.WriteByte('{')
	for i, l := range b.pb.GetLabel() {
		if i > 0 {
			s.WriteByte(',')
		}
		fmt.Fprintf(&s, "%s=%q", l.GetName(), l.GetValue())
	}
	s.WriteByte('}')
	return s.String()
}

// typeName is a type as Family.Type names it.
func typeName(t dto.MetricType) string {
	switch t {
	case dto.MetricType_GAUGE:
		return "gauge"
	case dto.MetricType_COUNTER:
		return "counter"
	case dto.MetricType_HISTOGRAM:
		return "histogram"
	}
	return ""
}

// typeOf is the type of a written metric.
func typeOf(m *dto.Metric) (dto.MetricType, bool) {
	switch {
	case m.Gauge != nil:
		return dto.MetricType_GAUGE, true
	case m.Counter != nil:
		return dto.MetricType_COUNTER, true
	case m.Histogram != nil:
		return dto.MetricType_HISTOGRAM, true
	}
	return 0, false
}

// seriesOf is r's series: built when its run ended, or now, with their
// lines in formats, for a result that no run made (not run yet, past the
// scrape deadline).
func seriesOf(r *Result, formats lineFormats) *runSeries {
	if r.series != nil {
		return r.series
	}
	return buildSeries(*r, formats)
}

// gatherResults makes the metric families of results, visited in order,
// as a registry's Gather would, without building or checking again the
// series built when their runs ended; other are the series left to a
// registry (see runSeries.other).
//
// series are each family's built series (parallel to its Metric), whose
// lines a scrape in one of the formats writes (writeLines); formats are
// those the series of golive_check_running, and of results no run made,
// are written in.
func gatherResults(results []Result, order []int, formats lineFormats) (fams []*dto.MetricFamily, series map[*dto.MetricFamily][]*builtSeries, other []prometheus.Metric) {
	type family struct {
		mf     *dto.MetricFamily
		series []*builtSeries
		// unsorted is set when a series' first label is not check: the
		// family then needs the registry's sort.
		unsorted bool
	}
	byFam := map[*Family]*family{}
	var all []*family
	add := func(b *builtSeries) {
		f := byFam[b.fam]
		if f == nil {
			name, help, typ := b.fam.Name, b.fam.Help, b.typ
			f = &family{mf: &dto.MetricFamily{Name: &name, Help: &help, Type: &typ, Metric: make([]*dto.Metric, 0, len(order))}, series: make([]*builtSeries, 0, len(order))}
			byFam[b.fam] = f
			all = append(all, f)
		}
		f.mf.Metric = append(f.mf.Metric, b.pb)
		f.series = append(f.series, b)
		f.unsorted = f.unsorted || !b.byCheck
	}
	for _, i := range order {
		r := &results[i]
		if r.Running {
			m := prometheus.MustNewConstMetric(descRunning, prometheus.GaugeValue, 1, r.Check, r.Kind)
			pb := &dto.Metric{}
			if err := m.Write(pb); err != nil {
				other = append(other, m)
			} else {
				f, _ := descFamilies.Load(descRunning)
				b := &builtSeries{fam: f.(*Family), typ: dto.MetricType_GAUGE, desc: descRunning, pb: pb, byCheck: true}
				var scratch bytes.Buffer
				for lf := range numLineFormats {
					if formats.has(lf) {
						b.lines[lf] = bytes.Clone(seriesLines(&scratch, b.fam, b.typ, pb, lf))
					}
				}
				add(b)
			}
		}
		rs := seriesOf(r, formats)
		for j := range rs.built {
			// The run's series, never changed once built: shared.
			add(&rs.built[j])
		}
		other = append(other, rs.other...)
	}
	fams = make([]*dto.MetricFamily, len(all))
	series = make(map[*dto.MetricFamily][]*builtSeries, len(all))
	for i, f := range all {
		fams[i] = f.mf
		// The registry's order within a family: by label values, the
		// labels in name order. A family whose first label is check is in
		// that order already (the results come by check name, each run's
		// series sorted when built): the others are sorted here, their
		// lines with them.
		if f.unsorted && !slices.IsSortedFunc(f.mf.Metric, compareSeries) {
			slices.SortStableFunc(f.series, func(a, b *builtSeries) int { return compareSeries(a.pb, b.pb) })
			for j, b := range f.series {
				f.mf.Metric[j] = b.pb
			}
		}
		series[f.mf] = f.series
	}
	slices.SortFunc(fams, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
	return fams, series, other
}

// writeLines writes mf in the format f as expfmt's encoder would (what
// promhttp writes for it) from the lines of its series written when their
// runs ended: the first series through expfmt, with the family's HELP and
// TYPE lines, the others joined. ok is false, and nothing written, when mf
// is not a family of series with the lines of all its series in f: the
// caller encodes it.
func writeLines(w io.Writer, mf *dto.MetricFamily, series map[*dto.MetricFamily][]*builtSeries, f lineFormat) (ok bool, err error) {
	built, found := series[mf]
	if !found || len(built) != len(mf.Metric) || len(built) == 0 {
		return false, nil
	}
	for i, b := range built {
		if b.lines[f] == nil || b.pb != mf.Metric[i] {
			return false, nil
		}
	}
	first := &dto.MetricFamily{Name: mf.Name, Help: mf.Help, Type: mf.Type, Unit: mf.Unit, Metric: mf.Metric[:1]}
	if f == lineOpenMetrics {
		_, err = expfmt.MetricFamilyToOpenMetrics(w, first)
	} else {
		_, err = expfmt.MetricFamilyToText(w, first)
	}
	if err != nil {
		return true, err
	}
	for _, b := range built[1:] {
		if _, err := w.Write(b.lines[f]); err != nil {
			return true, err
		}
	}
	return true, nil
}

// compareSeries orders series as client_golang's registry does: by their
// number of labels, then their label values in turn.
func compareSeries(a, b *dto.Metric) int {
	if c := cmp.Compare(len(a.Label), len(b.Label)); c != 0 {
		return c
	}
	for i, l := range a.Label {
		if c := strings.Compare(l.GetValue(), b.Label[i].GetValue()); c != 0 {
			return c
		}
	}
	return 0
}

// MergeGathered joins two gathered sets of families, each sorted by name
// (as a registry returns them), into one sorted by name. Sets without a
// family in common are joined as they are: each was checked when it was
// gathered. When a name is in both, the series need checking against each
// other, and prometheus.Gatherers does it (and reports what clashes).
func MergeGathered(a, b []*dto.MetricFamily) ([]*dto.MetricFamily, error) {
	out := make([]*dto.MetricFamily, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch c := strings.Compare(a[i].GetName(), b[j].GetName()); {
		case c < 0:
			out = append(out, a[i])
			i++
		case c > 0:
			out = append(out, b[j])
			j++
		default:
			return prometheus.Gatherers{fixed(a), fixed(b)}.Gather()
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...), nil
}

type fixed []*dto.MetricFamily

func (f fixed) Gather() ([]*dto.MetricFamily, error) { return f, nil }
