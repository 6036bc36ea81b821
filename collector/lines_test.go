package collector

import (
	"bytes"
	"math"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// encodedLines is a series' lines as expfmt's encoder of f writes them in
// a family of its own, less the family's HELP and TYPE lines: what
// seriesLines must write.
func encodedLines(t testing.TB, fam *Family, typ dto.MetricType, pb *dto.Metric, f lineFormat) string {
	t.Helper()
	var b bytes.Buffer
	format := expfmt.NewFormat(expfmt.TypeTextPlain)
	if f == lineOpenMetrics {
		format = expfmt.NewFormat(expfmt.TypeOpenMetrics)
	}
	require.NoError(t, expfmt.NewEncoder(&b, format).Encode(&dto.MetricFamily{Name: &fam.Name, Help: &fam.Help, Type: &typ, Metric: []*dto.Metric{pb}}))
	out := b.String()
	for range 2 {
		_, out, _ = strings.Cut(out, "\n")
	}
	return out
}

// lineSeries is a gauge or counter series with the labels check and kind.
func lineSeries(typ dto.MetricType, check, kind string, v float64) *dto.Metric {
	pb := &dto.Metric{Label: []*dto.LabelPair{{Name: new("check"), Value: &check}, {Name: new("kind"), Value: &kind}}}
	if typ == dto.MetricType_COUNTER {
		pb.Counter = &dto.Counter{Value: &v}
	} else {
		pb.Gauge = &dto.Gauge{Value: &v}
	}
	return pb
}

var (
	lineGauge   = &Family{Name: "golive_test_lines", Help: "A gauge, \\ and\nnewline.", Type: "gauge"}
	lineCounter = &Family{Name: "golive_test_lines_total", Help: "A counter.", Type: "counter"}
)

// TestSeriesLinesAsTheEncoder: the lines seriesLines writes for a gauge
// or a counter without expfmt are byte for byte expfmt's, in the text
// format and in OpenMetrics (a counter's series named with its _total,
// values with a ".0" where they have neither '.' nor an exponent): label values
// to escape (a backslash, a newline, a double quote, UTF-8), values it
// writes its own way (the integers 1, 0 and -1, -0, NaN, the
// infinities) and strconv's shortest form (subnormals, the largest
// float, exponents); a series without labels; and a histogram and a
// series with a timestamp, which still go through expfmt.
func TestSeriesLinesAsTheEncoder(t *testing.T) {
	values := []float64{0, math.Copysign(0, -1), 1, -1, 2, 0.1, 1.5e-7, 123456789, 1e21, 1e-5, math.NaN(), math.Inf(1), math.Inf(-1),
		math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 2.2250738585072014e-308 / 3, 1764900000.123456789}
	labels := []string{"", "api", `a\b`, "a\nb", `say "hi"`, `\"` + "\n\\n", "héllo ☃", "tab\there", "{x=\"y\"},"}
	var scratch bytes.Buffer
	for f := range numLineFormats {
		for _, typ := range []dto.MetricType{dto.MetricType_GAUGE, dto.MetricType_COUNTER} {
			fam := lineGauge
			if typ == dto.MetricType_COUNTER {
				fam = lineCounter
			}
			for _, v := range values {
				for _, l := range labels {
					pb := lineSeries(typ, l, "http", v)
					_, direct := plainValue(typ, pb)
					require.True(t, direct, "written without expfmt")
					assert.Equal(t, encodedLines(t, fam, typ, pb, f), string(seriesLines(&scratch, fam, typ, pb, f)), "format %d %s %q %v", f, typ, l, v)
				}
			}
		}
	}
	// The OpenMetrics forms, spelt out.
	assert.Equal(t, "golive_test_lines_total{check=\"a\\\"b\",kind=\"x\"} 1.0\n", string(seriesLines(&scratch, lineCounter, dto.MetricType_COUNTER, lineSeries(dto.MetricType_COUNTER, `a"b`, "x", 1), lineOpenMetrics)))
	assert.Equal(t, "golive_test_lines{check=\"a\",kind=\"x\"} 1e+21\n", string(seriesLines(&scratch, lineGauge, dto.MetricType_GAUGE, lineSeries(dto.MetricType_GAUGE, "a", "x", 1e21), lineOpenMetrics)))
	assert.Equal(t, "golive_test_lines{check=\"a\",kind=\"x\"} 42.0\n", string(seriesLines(&scratch, lineGauge, dto.MetricType_GAUGE, lineSeries(dto.MetricType_GAUGE, "a", "x", 42), lineOpenMetrics)))
	for name, c := range map[string]struct {
		typ dto.MetricType
		pb  *dto.Metric
	}{
		"no labels":                {dto.MetricType_GAUGE, &dto.Metric{Gauge: &dto.Gauge{Value: new(2.5)}}},
		"timestamp":                {dto.MetricType_GAUGE, &dto.Metric{Gauge: &dto.Gauge{Value: new(2.5)}, TimestampMs: new(int64(1764900000123))}},
		"counter with an exemplar": {dto.MetricType_COUNTER, &dto.Metric{Counter: &dto.Counter{Value: new(3.0), Exemplar: &dto.Exemplar{Label: lineSeries(dto.MetricType_GAUGE, "trace", "id", 0).Label, Value: new(0.5)}}}},
		"histogram": {dto.MetricType_HISTOGRAM, &dto.Metric{Label: lineSeries(dto.MetricType_GAUGE, "a\"b", "http", 0).Label, Histogram: &dto.Histogram{
			SampleCount: new(uint64(3)), SampleSum: new(0.42),
			Bucket: []*dto.Bucket{{UpperBound: new(0.1), CumulativeCount: new(uint64(1))}, {UpperBound: new(0.5), CumulativeCount: new(uint64(3))}},
		}}},
	} {
		fam := &Family{Name: "golive_test_lines_seconds", Help: "h", Type: typeName(c.typ)}
		for f := range numLineFormats {
			assert.Equal(t, encodedLines(t, fam, c.typ, c.pb, f), string(seriesLines(&scratch, fam, c.typ, c.pb, f)), "%s, format %d", name, f)
		}
	}
}

// FuzzSeriesLinesAsTheEncoder: for any label values and any value, the
// lines of a gauge and of a counter are expfmt's, in the text format and
// in OpenMetrics. Label values that are
// not UTF-8 never get here (client_golang refuses the series when it is
// made, and it is left to a registry), but the bytes compare all the
// same.
func FuzzSeriesLinesAsTheEncoder(f *testing.F) {
	for _, s := range []struct {
		check, kind string
		v           float64
	}{
		{"api", "http", 1}, {`a\"b`, "x\ny", math.NaN()}, {"", "", math.Copysign(0, -1)},
		{"☃", "\\n", math.Inf(-1)}, {"x", "y", 5e-324}, {"x", "y", 1e300}, {"bad\xff", "k", 0.25},
	} {
		for _, counter := range []bool{false, true} {
			f.Add(s.check, s.kind, s.v, counter, false)
			f.Add(s.check, s.kind, s.v, counter, true)
		}
	}
	f.Fuzz(func(t *testing.T, check, kind string, v float64, counter, openMetrics bool) {
		typ, fam := dto.MetricType_GAUGE, lineGauge
		if counter {
			typ, fam = dto.MetricType_COUNTER, lineCounter
		}
		lf := lineText
		if openMetrics {
			lf = lineOpenMetrics
		}
		pb := lineSeries(typ, check, kind, v)
		var scratch bytes.Buffer
		if got, want := string(seriesLines(&scratch, fam, typ, pb, lf)), encodedLines(t, fam, typ, pb, lf); got != want {
			t.Fatalf("format %d %s %q %q %v:\n got %q\nwant %q", lf, typ, check, kind, v, got, want)
		}
	})
}
