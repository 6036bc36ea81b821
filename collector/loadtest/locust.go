package loadtest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// Locust --csv=PREFIX writes PREFIX_stats.csv (one row per endpoint and a
// final ",Aggregated" row of the whole run), PREFIX_stats_history.csv (a
// row per second: Timestamp, User Count, current figures and Total
// columns), PREFIX_failures.csv and PREFIX_exceptions.csv. Each file is one
// part of a run; the check merges the parts of the newest PREFIX.
// Percentiles are in ms, rounded by Locust to two significant digits, and
// N/A when there were no samples yet.

// locustPart says which Locust file a result came from.
type locustPart int

const (
	locustNone locustPart = iota
	locustStats
	locustHistory
	locustFailures
	locustExceptions
)

// locustSuffixes are the file name endings of a Locust run's parts.
var locustSuffixes = []string{"_stats_history.csv", "_stats.csv", "_failures.csv", "_exceptions.csv"}

// locustPrefix returns the run prefix of a Locust file name, or "" when the
// name is not one of Locust's.
func locustPrefix(path string) string {
	for _, s := range locustSuffixes {
		if strings.HasSuffix(path, s) {
			return strings.TrimSuffix(path, s)
		}
	}
	return ""
}

func newCSVReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(&lineLimitReader{r: r, max: maxLine})
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = true
	return cr
}

// isLocustHeader says whether a CSV header is one of Locust's files.
func isLocustHeader(h headerIndex) bool {
	return locustKind(h) != locustNone
}

func locustKind(h headerIndex) locustPart {
	switch {
	case h.col("Timestamp") >= 0 && h.col("User Count") >= 0:
		return locustHistory
	case h.col("Name") >= 0 && h.col("Request Count", "# requests") >= 0:
		return locustStats
	case h.col("Error") >= 0 && h.col("Occurrences") >= 0:
		return locustFailures
	case h.col("Traceback") >= 0 && h.col("Count") >= 0:
		return locustExceptions
	}
	return locustNone
}

// parseLocust reads any of Locust's CSV files.
func parseLocust(r io.Reader) (*Result, error) {
	cr := newCSVReader(r)
	rec, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("locust CSV: empty file: %w", ErrNotLoadTest)
		}
		return nil, fmt.Errorf("locust CSV header: %w", err)
	}
	h := newHeaderIndex(rec)
	switch locustKind(h) {
	case locustStats:
		return parseLocustStats(cr, h)
	case locustHistory:
		return parseLocustHistory(cr, h)
	case locustFailures:
		return parseLocustFailures(cr, h)
	case locustExceptions:
		// Tracebacks carry no figures; read through to report a corrupt file.
		for {
			if _, err := cr.Read(); err != nil {
				if errors.Is(err, io.EOF) {
					return &Result{Format: "locust", Part: locustExceptions}, nil
				}
				return nil, fmt.Errorf("locust exceptions CSV: %w", err)
			}
		}
	}
	return nil, fmt.Errorf("CSV header %.80q is not a Locust stats, stats_history, failures or exceptions file: %w", strings.Join(rec, ","), ErrNotLoadTest)
}

// locustPercentiles reads the 50/90/95/99% columns and the maximum.
func locustPercentiles(res *Result, h headerIndex, rec []string, maxCols ...string) {
	for q, col := range map[Quantile]string{P50: "50%", P90: "90%", P95: "95%", P99: "99%"} {
		res.Latency[q] = ms(number(field(rec, h.col(col))))
	}
	if !res.Latency[P50].OK {
		res.Latency[P50] = ms(number(field(rec, h.col("Median Response Time", "Median response time"))))
	}
	res.Latency[Max] = ms(number(field(rec, h.col(maxCols...))))
	if !res.Latency[Max].OK {
		res.Latency[Max] = ms(number(field(rec, h.col("100%"))))
	}
}

func isAggregated(h headerIndex, rec []string) bool {
	name := field(rec, h.col("Name"))
	typ := field(rec, h.col("Type", "Method"))
	// Locust < 1.0 called the row "Total"; its Type is empty (or "None").
	return (name == "Aggregated" || name == "Total") && (typ == "" || typ == "None")
}

func parseLocustStats(cr *csv.Reader, h headerIndex) (*Result, error) {
	var agg []string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("locust stats CSV: %w", err)
		}
		if isAggregated(h, rec) {
			agg = append(agg[:0], rec...)
		}
	}
	if agg == nil {
		return nil, errors.New("locust stats CSV: no Aggregated row; the file is truncated or Locust was stopped before writing it")
	}
	res := &Result{Format: "locust", Part: locustStats}
	res.Requests = number(field(agg, h.col("Request Count", "# requests")))
	res.Failed = number(field(agg, h.col("Failure Count", "# failures")))
	res.RPS = number(field(agg, h.col("Requests/s")))
	locustPercentiles(res, h, agg, "Max Response Time", "Max response time")
	if !res.Requests.OK {
		return nil, errors.New("locust stats CSV: the Aggregated row has no request count")
	}
	res.finish()
	return res, nil
}

func parseLocustHistory(cr *csv.Reader, h headerIndex) (*Result, error) {
	tsCol, usersCol := h.col("Timestamp"), h.col("User Count")
	var last []string
	var first, lastTS, users float64
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("locust stats history CSV: %w", err)
		}
		if !isAggregated(h, rec) {
			continue // per-endpoint rows (--csv-full-history)
		}
		ts := number(field(rec, tsCol))
		if !ts.OK {
			return nil, fmt.Errorf("locust stats history CSV: Timestamp %.40q is not a Unix time", field(rec, tsCol))
		}
		if rows == 0 || ts.V < first {
			first = ts.V
		}
		if rows == 0 || ts.V >= lastTS {
			lastTS = ts.V
			last = append(last[:0], rec...)
		}
		if u := number(field(rec, usersCol)); u.OK && u.V > users {
			users = u.V
		}
		rows++
	}
	if rows == 0 {
		return nil, errors.New("locust stats history CSV: no Aggregated rows; the file is empty or truncated")
	}
	res := &Result{Format: "locust", Part: locustHistory}
	res.VUs = some(users)
	if rows > 1 {
		// One row (Locust wrote only its first sample) spans no time: the
		// duration is then not known from the history.
		res.Duration = some(lastTS - first)
	}
	sec, frac := math.Modf(lastTS)
	res.Time = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	res.Requests = number(field(last, h.col("Total Request Count")))
	res.Failed = number(field(last, h.col("Total Failure Count")))
	locustPercentiles(res, h, last, "Total Max Response Time")
	res.finish()
	return res, nil
}

func parseLocustFailures(cr *csv.Reader, h headerIndex) (*Result, error) {
	col := h.col("Occurrences")
	total := 0.0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("locust failures CSV: %w", err)
		}
		n := number(field(rec, col))
		if !n.OK || n.V < 0 {
			return nil, fmt.Errorf("locust failures CSV: Occurrences %.40q is not a count", field(rec, col))
		}
		total += n.V
	}
	return &Result{Format: "locust", Part: locustFailures, Failed: some(total)}, nil
}

// mergeLocust combines the parts of one Locust run: the stats file's
// Aggregated row gives latency, requests and throughput (for the whole
// run), the history gives the peak user count, the end time and the
// duration, and stands in for the stats file when it is missing; the
// failures file gives the failure count when nothing else does.
func mergeLocust(parts []*Result) *Result {
	byPart := map[locustPart]*Result{}
	for _, p := range parts {
		byPart[p.Part] = p
	}
	out := &Result{Format: "locust"}
	stats, hist, fail := byPart[locustStats], byPart[locustHistory], byPart[locustFailures]
	switch {
	case stats != nil:
		*out = *stats
		out.Duration, out.DurationDerived = Value{}, false
	case hist != nil:
		*out = *hist
		out.RPS = Value{}
	}
	if hist != nil {
		out.VUs, out.Time, out.Duration = hist.VUs, hist.Time, hist.Duration
		out.DurationDerived = false
	}
	if !out.Failed.OK && fail != nil {
		out.Failed = fail.Failed
	}
	out.Part = locustNone
	out.finish()
	return out
}
