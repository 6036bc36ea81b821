package collector

import (
	"bytes"
	"math"
	"strconv"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// lineFormat is an exposition format in which runs write their series'
// lines ahead of the scrapes (issue 12).
type lineFormat uint8

const (
	// lineText is the text format, text/plain (expfmt writes its versions
	// 0.0.4 and 1.0.0 alike).
	lineText lineFormat = iota
	// lineOpenMetrics is OpenMetrics 1.0.0 and 0.0.1 (expfmt writes the
	// two alike), what Prometheus asks for first. OpenMetrics 2.0 is not
	// one: promhttp's negotiation (expfmt.DefaultOpenMetricsAcceptedFormats)
	// never answers with it.
	lineOpenMetrics
	numLineFormats
)

// lineFormats is a set of lineFormat.
type lineFormats uint32

func (s lineFormats) has(f lineFormat) bool { return s&(1<<f) != 0 }

// lineFormatOf is the lineFormat of an exposition format, if it is one.
func lineFormatOf(format expfmt.Format) (lineFormat, bool) {
	switch format.FormatType() {
	case expfmt.TypeTextPlain:
		return lineText, true
	case expfmt.TypeOpenMetrics:
		switch format.Version() {
		case expfmt.OpenMetricsVersion_1_0_0, expfmt.OpenMetricsVersion_0_0_1:
			return lineOpenMetrics, true
		}
	}
	return 0, false
}

// WritesLines reports whether a scrape in format can be written from the
// lines the runs wrote (RequestCollector.WriteLines): the text format and
// OpenMetrics 1.0.0 and 0.0.1, not protobuf nor OpenMetrics 2.0.
func WritesLines(format expfmt.Format) bool {
	_, ok := lineFormatOf(format)
	return ok
}

// seriesLines is the series pb of fam in the format f, as expfmt writes it
// in its family (MetricFamilyToText, MetricFamilyToOpenMetrics without
// created lines, as promhttp by default), without the family's HELP and
// TYPE lines: a scrape then joins the lines of every check (issue 12). It
// is written in scratch, and valid until scratch is used again. Nil when
// the family or a label name is not a legacy name (the encoder may escape
// those, depending on what the scraper asked for), or the encoder refuses
// the series.
//
// A gauge or a counter, nearly every series, is written here directly
// (see appendSample): through expfmt each series was a family of its
// own, its HELP escaped and written and then cut off, and that CPU fell in
// the burst of runs ending together, the scrape's tail. Anything else
// (a histogram, a timestamp, an exemplar) goes through expfmt.
func seriesLines(scratch *bytes.Buffer, fam *Family, typ dto.MetricType, pb *dto.Metric, f lineFormat) []byte {
	if !model.LegacyValidation.IsValidMetricName(fam.Name) {
		return nil
	}
	for _, l := range pb.GetLabel() {
		if !model.LegacyValidation.IsValidLabelName(l.GetName()) {
			return nil
		}
	}
	scratch.Reset()
	if v, ok := plainValue(typ, pb); ok {
		// A counter's series is named as its family in both formats:
		// OpenMetrics cuts _total from the family's name, not from its
		// series'.
		scratch.Write(appendSample(scratch.AvailableBuffer(), fam.Name, pb.Label, v, f))
		return scratch.Bytes()
	}
	mf := &dto.MetricFamily{Name: &fam.Name, Help: &fam.Help, Type: &typ, Metric: []*dto.Metric{pb}}
	var err error
	if f == lineOpenMetrics {
		_, err = expfmt.MetricFamilyToOpenMetrics(scratch, mf)
	} else {
		_, err = expfmt.MetricFamilyToText(scratch, mf)
	}
	if err != nil {
		return nil
	}
	out := scratch.Bytes()
	for _, prefix := range []string{"# HELP ", "# TYPE "} {
		i := bytes.IndexByte(out, '\n')
		if i < 0 || !bytes.HasPrefix(out, []byte(prefix)) {
			return nil
		}
		out = out[i+1:]
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// plainValue is the value of a gauge or counter series that is one line
// of name, labels and value: without a timestamp, and (a counter) without
// an exemplar, which OpenMetrics would write.
func plainValue(typ dto.MetricType, pb *dto.Metric) (float64, bool) {
	if pb.TimestampMs != nil {
		return 0, false
	}
	switch {
	case typ == dto.MetricType_GAUGE && pb.Gauge != nil:
		return pb.Gauge.GetValue(), true
	case typ == dto.MetricType_COUNTER && pb.Counter != nil && pb.Counter.Exemplar == nil:
		return pb.Counter.GetValue(), true
	}
	return 0, false
}

// appendSample appends the line of one sample as expfmt's encoder of f
// writes it: name{label="value",...} value, for a name and label names
// that are legacy names (written as they are).
func appendSample(dst []byte, name string, labels []*dto.LabelPair, v float64, f lineFormat) []byte {
	dst = appendNameLabels(dst, name, labels)
	dst = append(dst, ' ')
	if f == lineOpenMetrics {
		dst = appendOpenMetricsFloat(dst, v)
	} else {
		dst = appendTextFloat(dst, v)
	}
	return append(dst, '\n')
}

// appendNameLabels appends name and its labels, the values escaped as
// expfmt escapes them (a backslash, a newline, a double quote), for a
// name and label names that are legacy names.
func appendNameLabels(dst []byte, name string, labels []*dto.LabelPair) []byte {
	dst = append(dst, name...)
	if len(labels) == 0 {
		return dst
	}
	sep := byte('{')
	for _, l := range labels {
		dst = append(dst, sep)
		dst = append(dst, l.GetName()...)
		dst = append(dst, '=', '"')
		dst = appendEscapedLabelValue(dst, l.GetValue())
		dst = append(dst, '"')
		sep = ','
	}
	return append(dst, '}')
}

// appendEscapedLabelValue is expfmt's escaping of a label value: \ as \\,
// a newline as \n, " as \"; every other byte as it is (label values are
// valid UTF-8 by then: client_golang refuses a series with one that is
// not, and it never gets here).
func appendEscapedLabelValue(dst []byte, v string) []byte {
	start := 0
	for i := 0; i < len(v); i++ {
		var esc string
		switch v[i] {
		case '\\':
			esc = `\\`
		case '\n':
			esc = `\n`
		case '"':
			esc = `\"`
		default:
			continue
		}
		dst = append(dst, v[start:i]...)
		dst = append(dst, esc...)
		start = i + 1
	}
	return append(dst, v[start:]...)
}

// appendTextFloat appends f as expfmt's text encoder writes a value
// (its writeFloat): -0 as 0, the infinities as +Inf and -Inf, the rest as
// strconv's shortest 'g' form.
func appendTextFloat(dst []byte, f float64) []byte {
	switch {
	case f == 1:
		return append(dst, '1')
	case f == 0:
		return append(dst, '0')
	case f == -1:
		return append(dst, "-1"...)
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, +1):
		return append(dst, "+Inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-Inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

// appendOpenMetricsFloat appends f as expfmt's OpenMetrics encoder writes
// a value (its writeOpenMetricsFloat): as appendTextFloat, but a number
// with neither a '.' nor an exponent ends in ".0" (1.0, 0.0 for -0 too).
func appendOpenMetricsFloat(dst []byte, f float64) []byte {
	start := len(dst)
	dst = appendTextFloat(dst, f)
	if math.IsNaN(f) || math.IsInf(f, 0) || bytes.ContainsAny(dst[start:], "e.") {
		return dst
	}
	return append(dst, '.', '0')
}
