package loadtest

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/golive/golive_exporter/internal/jsonstream"
)

// k6 writes two JSON summaries: the data object of handleSummary()
// (metrics wrapped as {type, contains, values, thresholds: {expr: {ok}}})
// and the legacy --summary-export file (stats directly on the metric,
// thresholds as {expr: true} where true means the threshold FAILED, checks
// and groups keyed by name). Both are read by one parser that looks at each
// value's shape, so either file reads right whatever the format setting.

type k6Metric struct {
	Type       string                     `json:"type"`
	Contains   string                     `json:"contains"`
	Values     map[string]json.RawMessage `json:"values"`
	Thresholds map[string]json.RawMessage `json:"thresholds"`
}

// k6Reader accumulates a k6 summary while it is streamed: the stats of the
// few metrics the result needs, the threshold verdicts of every metric,
// and the checks of every group.
type k6Reader struct {
	latencyMetric string
	// sawMetrics is true once a "metrics" key was read; nullMetrics when
	// its value was null.
	sawMetrics, nullMetrics bool
	// handleSummary is true when the file has handleSummary's shape
	// (state, options, or metrics wrapped in values).
	handleSummary bool
	stats         map[string]map[string]float64
	contains      map[string]string
	// types holds the kind of each wanted metric: trend, counter, rate or
	// gauge (handleSummary says; the legacy export's shape tells).
	types map[string]string
	res   Result
}

func newK6Reader(latencyMetric string) *k6Reader {
	return &k6Reader{latencyMetric: latencyMetric, stats: map[string]map[string]float64{}, contains: map[string]string{}, types: map[string]string{}}
}

// legacyType tells a legacy export metric's kind from its stats.
func legacyType(stats map[string]json.RawMessage) string {
	has := func(keys ...string) bool {
		for _, k := range keys {
			if _, ok := stats[k]; ok {
				return true
			}
		}
		return false
	}
	switch {
	case has("passes", "fails"):
		return "rate"
	case has("count"):
		return "counter"
	case has("avg", "med", "p(90)", "p(95)", "p(99)"):
		return "trend"
	case has("value"):
		return "gauge"
	}
	return ""
}

// wanted says whether a metric's stats are used by the result.
func (k *k6Reader) wanted(name string) bool {
	switch name {
	case k.latencyMetric, "http_reqs", "http_req_failed", "vus", "vus_max":
		return true
	}
	return false
}

// metrics reads the "metrics" object one metric at a time.
func (k *k6Reader) metrics(dec *json.Decoder) error {
	k.sawMetrics = true
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	if tok == nil {
		k.nullMetrics = true
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("k6 summary: metrics is %v, not an object", tok)
	}
	for dec.More() {
		name, err := jsonstream.Key(dec)
		if err != nil {
			return err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("k6 summary: metric %q: %w", name, jsonError(err))
		}
		if err := k.metric(name, raw); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return jsonError(err)
}

// metric reduces one metric: its threshold verdicts, and its stats when
// the result uses them.
func (k *k6Reader) metric(name string, raw json.RawMessage) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return fmt.Errorf("k6 summary: metric %q: %w", name, err)
	}
	m := k6Metric{}
	if _, wrapped := all["values"]; wrapped {
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("k6 summary: metric %q: %w", name, err)
		}
		k.handleSummary = true
	} else {
		m.Values = all
		if t, ok := all["thresholds"]; ok {
			if err := json.Unmarshal(t, &m.Thresholds); err != nil {
				return fmt.Errorf("k6 summary: metric %q thresholds: %w", name, err)
			}
		}
	}
	if k.wanted(name) {
		s := map[string]float64{}
		for key, v := range m.Values {
			var f float64
			if json.Unmarshal(v, &f) == nil {
				s[key] = f
			}
		}
		k.stats[name] = s
		k.contains[name] = m.Contains
		k.types[name] = m.Type
		if m.Type == "" {
			k.types[name] = legacyType(m.Values)
		}
	}
	for expr, t := range m.Thresholds {
		passed, err := k6ThresholdPassed(t)
		if err != nil {
			return fmt.Errorf("k6 summary: metric %q threshold %q: %w", name, expr, err)
		}
		k.res.HasThresholds = true
		if passed {
			k.res.ThresholdsPassed++
		} else {
			k.res.ThresholdsFailed++
		}
	}
	return nil
}

// result builds the Result once the whole file was read; state is the raw
// "state" object (nil when absent).
func (k *k6Reader) result(state json.RawMessage) (*Result, error) {
	if k.nullMetrics {
		return nil, fmt.Errorf("k6 summary: no metrics object: %w", ErrNotLoadTest)
	}
	res := &k.res
	res.Format = "k6_legacy"
	if k.handleSummary {
		res.Format = "k6"
	}
	stats := k.stats
	latencyMetric := k.latencyMetric
	s, ok := stats[latencyMetric]
	// A latency metric that is missing or is no trend of times is the
	// configuration's mistake, not the file's: the latency limits say so
	// (reason unavailable), the other figures still count.
	switch typ, c := k.types[latencyMetric], k.contains[latencyMetric]; {
	case !ok:
		res.LatencyNote = fmt.Sprintf("the k6 metric %q is not in the summary; set k6_metric to a trend of times the summary has (such as http_req_duration)", latencyMetric)
		ok = false
	case typ != "" && typ != "trend":
		res.LatencyNote = fmt.Sprintf("the k6 metric %q is a %s, not a trend; set k6_metric to a trend of times (such as http_req_duration)", latencyMetric, typ)
		ok = false
	case c != "" && c != "time":
		res.LatencyNote = fmt.Sprintf("the k6 metric %q is a trend of %s values, not of times; set k6_metric to a trend of times (such as http_req_duration)", latencyMetric, c)
		ok = false
	}
	if ok {
		get := func(keys ...string) Value {
			for _, key := range keys {
				if v, ok := s[key]; ok {
					return ms(some(v))
				}
			}
			return Value{}
		}
		res.Latency[P50] = get("med", "p(50)")
		res.Latency[P90] = get("p(90)")
		res.Latency[P95] = get("p(95)")
		res.Latency[P99] = get("p(99)")
		res.Latency[Max] = get("max")
	}
	if s, ok := stats["http_reqs"]; ok {
		if v, ok := s["count"]; ok {
			res.Requests = some(v)
		}
		if v, ok := s["rate"]; ok {
			res.RPS = some(v)
		}
	}
	// http_req_failed is a rate whose non-zero samples ("passes") are the
	// FAILED requests.
	if s, ok := stats["http_req_failed"]; ok {
		failed, okF := s["passes"]
		good, okG := s["fails"]
		if okF && okG {
			res.Failed = some(failed)
			if failed+good > 0 {
				res.ErrorRatio = some(failed / (failed + good))
			}
			if !res.Requests.OK {
				res.Requests = some(failed + good)
			}
		} else if v, ok := s["rate"]; ok {
			res.ErrorRatio = some(v)
		} else if v, ok := s["value"]; ok {
			res.ErrorRatio = some(v)
		}
	}
	// vus is the number of active VUs sampled over the run: its maximum is
	// the peak concurrency. vus_max is the allocated pool, used only when
	// vus is absent (it can exceed what was ever active with arrival-rate
	// executors).
	for _, name := range []string{"vus", "vus_max"} {
		if s, ok := stats[name]; ok {
			if v, ok := s["max"]; ok {
				res.VUs = some(v)
				break
			}
			if v, ok := s["value"]; ok {
				res.VUs = some(v)
				break
			}
		}
	}
	if state != nil {
		var st struct {
			TestRunDurationMs *float64 `json:"testRunDurationMs"`
		}
		if json.Unmarshal(state, &st) == nil && st.TestRunDurationMs != nil {
			res.Duration = some(*st.TestRunDurationMs / 1000)
		}
	}
	res.finish()
	return res, nil
}

// k6ThresholdPassed reads one threshold verdict: {"ok": bool} in the
// handleSummary data, a bare bool meaning FAILED in the legacy export.
func k6ThresholdPassed(raw json.RawMessage) (bool, error) {
	s := strings.TrimSpace(string(raw))
	switch s {
	case "true":
		return false, nil
	case "false":
		return true, nil
	}
	var v struct {
		OK *bool `json:"ok"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || v.OK == nil {
		return false, fmt.Errorf("verdict %.40s is neither true/false nor {\"ok\": ...}", s)
	}
	return *v.OK, nil
}

// group reads a group object (root_group and its subgroups) as a stream,
// adding the passes and fails of its checks and of its subgroups' checks;
// checks and groups are arrays (handleSummary) or objects keyed by name
// (legacy). depth is the group's nesting level in the file.
func (k *k6Reader) group(dec *json.Decoder, depth int) error {
	if depth >= maxJSONDepth {
		return fmt.Errorf("groups nested deeper than %d levels", maxJSONDepth)
	}
	return jsonstream.Object(dec, "group", func(key string) error {
		switch key {
		case "checks":
			return jsonstream.Members(dec, "checks", func(string) error {
				var ck struct {
					Passes float64 `json:"passes"`
					Fails  float64 `json:"fails"`
				}
				if err := dec.Decode(&ck); err != nil {
					return fmt.Errorf("check: %w", jsonError(err))
				}
				k.res.HasChecks = true
				k.res.ChecksPassed += ck.Passes
				k.res.ChecksFailed += ck.Fails
				return nil
			})
		case "groups":
			return jsonstream.Members(dec, "groups", func(string) error { return k.group(dec, depth+1) })
		}
		return skipValue(dec, depth+1)
	})
}
