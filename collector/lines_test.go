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

// encodedLines is a series' lines as expfmt writes them in a family of
// its own, less the family's HELP and TYPE lines: what seriesLines must
// write.
func encodedLines(t testing.TB, fam *Family, typ dto.MetricType, pb *dto.Metric) string {
	t.Helper()
	var b bytes.Buffer
	_, err := expfmt.MetricFamilyToText(&b, &dto.MetricFamily{Name: &fam.Name, Help: &fam.Help, Type: &typ, Metric: []*dto.Metric{pb}})
	require.NoError(t, err)
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
// or a counter without expfmt are byte for byte expfmt's: label values
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
				assert.Equal(t, encodedLines(t, fam, typ, pb), string(seriesLines(&scratch, fam, typ, pb)), "%s %q %v", typ, l, v)
			}
		}
	}
	for name, c := range map[string]struct {
		typ dto.MetricType
		pb  *dto.Metric
	}{
		"no labels": {dto.MetricType_GAUGE, &dto.Metric{Gauge: &dto.Gauge{Value: new(2.5)}}},
		"timestamp": {dto.MetricType_GAUGE, &dto.Metric{Gauge: &dto.Gauge{Value: new(2.5)}, TimestampMs: new(int64(1764900000123))}},
		"histogram": {dto.MetricType_HISTOGRAM, &dto.Metric{Label: lineSeries(dto.MetricType_GAUGE, "a\"b", "http", 0).Label, Histogram: &dto.Histogram{
			SampleCount: new(uint64(3)), SampleSum: new(0.42),
			Bucket: []*dto.Bucket{{UpperBound: new(0.1), CumulativeCount: new(uint64(1))}, {UpperBound: new(0.5), CumulativeCount: new(uint64(3))}},
		}}},
	} {
		fam := &Family{Name: "golive_test_lines_seconds", Help: "h", Type: typeName(c.typ)}
		assert.Equal(t, encodedLines(t, fam, c.typ, c.pb), string(seriesLines(&scratch, fam, c.typ, c.pb)), name)
	}
}

// FuzzSeriesLinesAsTheEncoder: for any label values and any value, the
// lines of a gauge and of a counter are expfmt's. Label values that are
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
		f.Add(s.check, s.kind, s.v, false)
		f.Add(s.check, s.kind, s.v, true)
	}
	f.Fuzz(func(t *testing.T, check, kind string, v float64, counter bool) {
		typ, fam := dto.MetricType_GAUGE, lineGauge
		if counter {
			typ, fam = dto.MetricType_COUNTER, lineCounter
		}
		pb := lineSeries(typ, check, kind, v)
		var scratch bytes.Buffer
		if got, want := string(seriesLines(&scratch, fam, typ, pb)), encodedLines(t, fam, typ, pb); got != want {
			t.Fatalf("%s %q %q %v:\n got %q\nwant %q", typ, check, kind, v, got, want)
		}
	})
}
