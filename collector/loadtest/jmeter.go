package loadtest

import (
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// JMeter's CSV JTL has one row per sample. The columns are configurable, so
// they are found by header name; rows are not in time order; labels may
// start with a space. The percentiles are computed from every sample.
//
// Memory stays bounded whatever the number of rows: JMeter writes elapsed
// as whole milliseconds, so the samples are counted in a histogram with one
// bucket per millisecond, grown up to the slowest sample seen and capped at
// histCap buckets (about 17.5 minutes, 4 MiB). That is exact, not an
// approximation, and costs O(slowest sample) rather than O(rows): a 50 MB
// and a 5 GB file need the same memory. The rare samples slower than the
// cap are kept one by one, up to maxOverflow of them.

const (
	histCap     = 1 << 20
	maxOverflow = 1 << 20
)

// jmeterDefaultColumns is JMeter's default CSV column order, used for
// files written without a header (jmeter.save.saveservice.print_field_names
// = false).
var jmeterDefaultColumns = []string{"timeStamp", "elapsed", "label", "responseCode", "responseMessage", "threadName",
	"dataType", "success", "failureMessage", "bytes", "sentBytes", "grpThreads", "allThreads", "URL", "Latency", "IdleTime", "Connect"}

// isJMeterHeader says whether a CSV header is a JTL's.
func isJMeterHeader(h headerIndex) bool {
	return h.col("timeStamp") >= 0 && h.col("elapsed") >= 0
}

// looksLikeHeaderlessJTL says whether a first CSV record is a JTL sample
// in the default column order (a 13-digit epoch-ms time stamp first).
func looksLikeHeaderlessJTL(rec []string) bool {
	if len(rec) != len(jmeterDefaultColumns) {
		return false
	}
	ts := strings.TrimSpace(rec[0])
	_, err := strconv.ParseInt(ts, 10, 64)
	return err == nil && len(ts) >= 12
}

// msHistogram counts whole-millisecond samples exactly.
type msHistogram struct {
	counts   []uint32
	overflow []int64
	n        int64
}

func (h *msHistogram) add(v int64) error {
	h.n++
	if v >= histCap {
		if len(h.overflow) >= maxOverflow {
			return fmt.Errorf("more than %d samples slower than %s", maxOverflow, time.Duration(histCap)*time.Millisecond)
		}
		h.overflow = append(h.overflow, v)
		return nil
	}
	if int(v) >= len(h.counts) {
		if int(v) < cap(h.counts) {
			h.counts = h.counts[:v+1]
		} else {
			grown := make([]uint32, v+1, min(max(2*cap(h.counts), int(v)+1, 1024), histCap))
			copy(grown, h.counts)
			h.counts = grown
		}
	}
	h.counts[v]++
	return nil
}

// kths returns the k-th smallest samples (1-based) for ascending ks, in
// one walk over the histogram.
func (h *msHistogram) kths(ks []int64) []float64 {
	out := make([]float64, len(ks))
	i := 0
	var seen int64
	for v, c := range h.counts {
		if c == 0 {
			continue
		}
		seen += int64(c)
		for i < len(ks) && ks[i] <= seen {
			out[i] = float64(v)
			i++
		}
		if i == len(ks) {
			return out
		}
	}
	sort.Slice(h.overflow, func(a, b int) bool { return h.overflow[a] < h.overflow[b] })
	for ; i < len(ks); i++ {
		j := min(max(ks[i]-seen-1, 0), int64(len(h.overflow))-1)
		out[i] = float64(h.overflow[j])
	}
	return out
}

// percentiles estimates the given percentiles (ascending, 0 < p <= 100)
// the way JMeter's HTML report does (Apache Commons Math Percentile,
// default estimation): position p(n+1)/100, linear interpolation between
// the neighbouring samples.
func (h *msHistogram) percentiles(ps ...float64) []float64 {
	n := float64(h.n)
	ks := make([]int64, 0, 2*len(ps))
	type pos struct {
		lower, upper int64
		frac         float64
	}
	at := make([]pos, len(ps))
	for i, p := range ps {
		x := p * (n + 1) / 100
		switch {
		case x < 1:
			at[i] = pos{1, 1, 0}
		case x >= n:
			at[i] = pos{h.n, h.n, 0}
		default:
			fl := math.Floor(x)
			at[i] = pos{int64(fl), int64(fl) + 1, x - fl}
		}
		ks = append(ks, at[i].lower, at[i].upper)
	}
	sorted := append([]int64(nil), ks...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a] < sorted[b] })
	vals := h.kths(sorted)
	value := map[int64]float64{}
	for i, k := range sorted {
		value[k] = vals[i]
	}
	out := make([]float64, len(ps))
	for i, a := range at {
		lo, up := value[a.lower], value[a.upper]
		out[i] = lo + a.frac*(up-lo)
	}
	return out
}

// maxEpochMs bounds time stamps (year 2255) so that sums cannot overflow.
const maxEpochMs = 9e12

// jmeterTime parses a timeStamp: epoch milliseconds (the default) or one of
// the common timestamp_format layouts.
func jmeterTime(s string) (int64, bool) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, true
	}
	for _, layout := range []string{"2006/01/02 15:04:05.000", "2006-01-02 15:04:05.000", "2006/01/02 15:04:05", "2006-01-02 15:04:05", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMilli(), true
		}
	}
	return 0, false
}

// parseJMeter reads a CSV JTL file as a stream.
func parseJMeter(r io.Reader, exclude *regexp.Regexp) (*Result, error) {
	cr := newCSVReader(r)
	rec, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("JMeter JTL: empty file: %w", ErrNotLoadTest)
		}
		return nil, fmt.Errorf("JMeter JTL header: %w", err)
	}
	h := newHeaderIndex(rec)
	var pending []string // a first record that is already a sample
	if !isJMeterHeader(h) {
		if !looksLikeHeaderlessJTL(rec) {
			return nil, fmt.Errorf("JMeter JTL: header %.80q has no timeStamp and elapsed columns (an XML JTL is not supported: set jmeter.save.saveservice.output_format=csv): %w",
				strings.Join(rec, ","), ErrNotLoadTest)
		}
		h = newHeaderIndex(jmeterDefaultColumns)
		pending = append([]string(nil), rec...)
	}
	tsCol, elCol, okCol := h.col("timeStamp"), h.col("elapsed"), h.col("success")
	allCol, grpCol, labelCol := h.col("allThreads"), h.col("grpThreads"), h.col("label")
	if exclude == nil {
		labelCol = -1 // not needed
	}
	need := max(tsCol, elCol, okCol, allCol, grpCol, labelCol)
	excluded, line := 0, 1 // line counts records, the header being 1
	if pending != nil {
		line = 0
	}

	var (
		hist       msHistogram
		failed     int64
		start, end int64 = math.MaxInt64, math.MinInt64
		threads    int64
		hasThreads bool
		badRow     error
		maxElapsed int64
	)
	for {
		if pending != nil {
			rec, pending = pending, nil
		} else {
			rec, err = cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("JMeter JTL: %w", err)
			}
		}
		line++
		if badRow != nil {
			// A malformed row followed by more rows is corruption; only the
			// very last row may be cut short (a file still being written).
			return nil, badRow
		}
		if len(rec) <= need {
			badRow = fmt.Errorf("JMeter JTL: record %d has %d fields, fewer than the columns it needs (%d)", line, len(rec), need+1)
			continue
		}
		if labelCol >= 0 && exclude.MatchString(strings.TrimSpace(rec[labelCol])) {
			excluded++
			continue
		}
		ts, ok := jmeterTime(strings.TrimSpace(rec[tsCol]))
		el, err := strconv.ParseInt(strings.TrimSpace(rec[elCol]), 10, 64)
		if !ok || err != nil || el < 0 {
			f, ferr := strconv.ParseFloat(strings.TrimSpace(rec[elCol]), 64)
			if !ok || ferr != nil || !(f >= 0) || f > math.MaxInt32 || ts < 0 || ts > maxEpochMs {
				badRow = fmt.Errorf("JMeter JTL: record %d: timeStamp %.30q or elapsed %.30q is not a number", line, rec[tsCol], rec[elCol])
				continue
			}
			el = int64(math.Round(f))
		}
		if ts < 0 || ts > maxEpochMs || el > math.MaxInt32 {
			badRow = fmt.Errorf("JMeter JTL: record %d: timeStamp %.30q or elapsed %.30q is out of range", line, rec[tsCol], rec[elCol])
			continue
		}
		if err := hist.add(el); err != nil {
			return nil, fmt.Errorf("JMeter JTL: %w", err)
		}
		maxElapsed = max(maxElapsed, el)
		start = min(start, ts)
		end = max(end, ts+el)
		if okCol >= 0 && !strings.EqualFold(strings.TrimSpace(rec[okCol]), "true") {
			failed++
		}
		for _, c := range []int{allCol, grpCol} {
			if c < 0 {
				continue
			}
			if n, err := strconv.ParseInt(strings.TrimSpace(rec[c]), 10, 64); err == nil {
				threads = max(threads, n)
				hasThreads = true
				break
			}
		}
	}
	if hist.n == 0 {
		if badRow != nil {
			return nil, badRow
		}
		if excluded > 0 {
			return nil, fmt.Errorf("JMeter JTL: all %d samples excluded by jmeter_exclude_labels", excluded)
		}
		return nil, errors.New("JMeter JTL: no samples (header only)")
	}
	res := &Result{Format: "jmeter", Requests: some(float64(hist.n))}
	if okCol >= 0 {
		res.Failed = some(float64(failed))
	}
	pcts := hist.percentiles(50, 90, 95, 99)
	for i, q := range []Quantile{P50, P90, P95, P99} {
		res.Latency[q] = some(pcts[i] / 1000)
	}
	res.Latency[Max] = some(float64(maxElapsed) / 1000)
	if hasThreads {
		res.VUs = some(float64(threads))
	}
	res.Duration = some(float64(end-start) / 1000)
	res.Time = time.UnixMilli(end).UTC()
	if res.Duration.V > 0 {
		res.RPS = some(float64(hist.n) / res.Duration.V)
	}
	res.finish()
	return res, nil
}
