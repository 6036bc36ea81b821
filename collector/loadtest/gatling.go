package loadtest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Gatling's js/global_stats.json holds {total, ok, ko} triples in ms:
// numberOfRequests, min/max/meanResponseTime, percentiles1..4 (which
// percentiles they are is Gatling's configuration), and
// meanNumberOfRequestsPerSecond. The older js/stats.json wraps the same
// object in {"stats": ...}, and old stats.js wrote numbers as strings with
// "-" for n/a; both are accepted.

type gatlingTriple struct {
	Total json.RawMessage `json:"total"`
	OK    json.RawMessage `json:"ok"`
	KO    json.RawMessage `json:"ko"`
}

// gatlingNumber reads a number written as a number or a string ("-" is
// absent).
func gatlingNumber(raw json.RawMessage) Value {
	s := strings.TrimSpace(string(raw))
	if len(s) >= 2 && s[0] == '"' {
		var str string
		if json.Unmarshal(raw, &str) != nil {
			return Value{}
		}
		s = str
	}
	return number(s)
}

// parseGatling reads the figures of a Gatling global stats object (those
// of gatlingKeys, from the top level or from stats.json's "stats").
// percentiles says which percentile each of
// percentiles1..4 is.
func parseGatling(top map[string]json.RawMessage, percentiles []float64) (*Result, error) {
	triple := func(key string) (gatlingTriple, error) {
		var t gatlingTriple
		raw, ok := top[key]
		if !ok {
			return t, nil
		}
		if err := json.Unmarshal(raw, &t); err != nil {
			return t, fmt.Errorf("gatling stats: %s: %w", key, err)
		}
		return t, nil
	}
	n, err := triple("numberOfRequests")
	if err != nil {
		return nil, err
	}
	res := &Result{Format: "gatling", Requests: gatlingNumber(n.Total), Failed: gatlingNumber(n.KO)}
	if !res.Requests.OK {
		return nil, fmt.Errorf("gatling stats: no numberOfRequests.total: %w", ErrNotLoadTest)
	}
	if mx, err := triple("maxResponseTime"); err != nil {
		return nil, err
	} else {
		res.Latency[Max] = ms(gatlingNumber(mx.Total))
	}
	for i, q := range percentiles {
		t, err := triple(fmt.Sprintf("percentiles%d", i+1))
		if err != nil {
			return nil, err
		}
		var slot Quantile
		switch q {
		case 50:
			slot = P50
		case 90:
			slot = P90
		case 95:
			slot = P95
		case 99:
			slot = P99
		default:
			continue // a percentile the exporter does not export (75, 99.9...)
		}
		res.Latency[slot] = ms(gatlingNumber(t.Total))
	}
	rps, err := triple("meanNumberOfRequestsPerSecond")
	if err != nil {
		return nil, err
	}
	res.RPS = gatlingNumber(rps.Total)
	res.finish()
	return res, nil
}
