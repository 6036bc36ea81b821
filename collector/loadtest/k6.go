package loadtest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// k6 writes two JSON summaries: the data object of handleSummary()
// (metrics wrapped as {type, contains, values, thresholds: {expr: {ok}}})
// and the legacy --summary-export file (stats directly on the metric,
// thresholds as {expr: true} where true means the threshold FAILED, checks
// and groups keyed by name). Both are read by one parser that looks at each
// value's shape, so either file reads right whatever the format setting.

// maxGroupDepth bounds the recursion through k6 groups.
const maxGroupDepth = 64

type k6Metric struct {
	Type       string                     `json:"type"`
	Contains   string                     `json:"contains"`
	Values     map[string]json.RawMessage `json:"values"`
	Thresholds map[string]json.RawMessage `json:"thresholds"`
}

// parseK6 reads a k6 summary already decoded into its top-level keys.
// latencyMetric names the trend whose percentiles are the latency.
func parseK6(top map[string]json.RawMessage, latencyMetric string) (*Result, error) {
	var metrics map[string]json.RawMessage
	if err := json.Unmarshal(top["metrics"], &metrics); err != nil {
		return nil, fmt.Errorf("k6 summary: metrics: %w", err)
	}
	if metrics == nil {
		return nil, fmt.Errorf("k6 summary: no metrics object: %w", ErrNotLoadTest)
	}
	res := &Result{Format: "k6_legacy"}
	if _, ok := top["state"]; ok {
		res.Format = "k6"
	}
	if _, ok := top["options"]; ok {
		res.Format = "k6"
	}
	stats := map[string]map[string]float64{}
	contains := map[string]string{}
	for name, raw := range metrics {
		var all map[string]json.RawMessage
		if err := json.Unmarshal(raw, &all); err != nil {
			return nil, fmt.Errorf("k6 summary: metric %q: %w", name, err)
		}
		m := k6Metric{}
		if _, wrapped := all["values"]; wrapped {
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, fmt.Errorf("k6 summary: metric %q: %w", name, err)
			}
			res.Format = "k6"
		} else {
			m.Values = all
			if t, ok := all["thresholds"]; ok {
				if err := json.Unmarshal(t, &m.Thresholds); err != nil {
					return nil, fmt.Errorf("k6 summary: metric %q thresholds: %w", name, err)
				}
			}
		}
		s := map[string]float64{}
		for k, v := range m.Values {
			var f float64
			if json.Unmarshal(v, &f) == nil {
				s[k] = f
			}
		}
		stats[name] = s
		contains[name] = m.Contains
		for expr, t := range m.Thresholds {
			passed, err := k6ThresholdPassed(t)
			if err != nil {
				return nil, fmt.Errorf("k6 summary: metric %q threshold %q: %w", name, expr, err)
			}
			res.HasThresholds = true
			if passed {
				res.ThresholdsPassed++
			} else {
				res.ThresholdsFailed++
			}
		}
	}

	if s, ok := stats[latencyMetric]; ok {
		if c := contains[latencyMetric]; c != "" && c != "time" {
			return nil, fmt.Errorf("k6 summary: metric %q holds %s values, not times; set k6_metric to a time trend such as http_req_duration", latencyMetric, c)
		}
		get := func(keys ...string) Value {
			for _, k := range keys {
				if v, ok := s[k]; ok {
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
	if raw, ok := top["state"]; ok {
		var st struct {
			TestRunDurationMs *float64 `json:"testRunDurationMs"`
		}
		if json.Unmarshal(raw, &st) == nil && st.TestRunDurationMs != nil {
			res.Duration = some(*st.TestRunDurationMs / 1000)
		}
	}
	if raw, ok := top["root_group"]; ok {
		if err := k6Checks(raw, res, 0); err != nil {
			return nil, fmt.Errorf("k6 summary: root_group: %w", err)
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

// k6Checks adds the passes and fails of a group's checks and of its
// subgroups; checks and groups are arrays (handleSummary) or objects keyed
// by name (legacy).
func k6Checks(raw json.RawMessage, res *Result, depth int) error {
	if depth > maxGroupDepth {
		return fmt.Errorf("groups nested deeper than %d", maxGroupDepth)
	}
	var g struct {
		Checks json.RawMessage `json:"checks"`
		Groups json.RawMessage `json:"groups"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return err
	}
	checks, err := arrayOrObject(g.Checks)
	if err != nil {
		return fmt.Errorf("checks: %w", err)
	}
	for _, c := range checks {
		var ck struct {
			Passes float64 `json:"passes"`
			Fails  float64 `json:"fails"`
		}
		if err := json.Unmarshal(c, &ck); err != nil {
			return fmt.Errorf("check: %w", err)
		}
		res.HasChecks = true
		res.ChecksPassed += ck.Passes
		res.ChecksFailed += ck.Fails
	}
	groups, err := arrayOrObject(g.Groups)
	if err != nil {
		return fmt.Errorf("groups: %w", err)
	}
	for _, sub := range groups {
		if err := k6Checks(sub, res, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func arrayOrObject(raw json.RawMessage) ([]json.RawMessage, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return nil, nil
	}
	if s[0] == '[' {
		var a []json.RawMessage
		err := json.Unmarshal(raw, &a)
		return a, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out, nil
}
