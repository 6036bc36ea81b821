package monitoring

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// The parsers below read answers of outside servers: every one returns an
// error for malformed input and never panics (fuzzed in parse_test.go).

// apiEnvelope is the wrapper of Prometheus' and Loki's HTTP API answers.
type apiEnvelope struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
}

// parseEnvelope returns the data of a successful API answer.
func parseEnvelope(body []byte) (json.RawMessage, error) {
	var e apiEnvelope
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("the answer is not API JSON: %w", err)
	}
	if e.Status != "success" {
		if e.Error != "" {
			return nil, fmt.Errorf("the API answered %s: %s (%s)", orUnknown(e.Status), e.Error, e.ErrorType)
		}
		return nil, fmt.Errorf("the API answered status %q", e.Status)
	}
	return e.Data, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "no status"
	}
	return s
}

// target is one active scrape target.
type target struct {
	Job    string
	Health string
}

// parseTargets reads /api/v1/targets.
func parseTargets(body []byte) ([]target, error) {
	data, err := parseEnvelope(body)
	if err != nil {
		return nil, err
	}
	var d struct {
		ActiveTargets []struct {
			Labels     map[string]string `json:"labels"`
			ScrapePool string            `json:"scrapePool"`
			Health     string            `json:"health"`
		} `json:"activeTargets"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("reading the targets: %w", err)
	}
	out := make([]target, 0, len(d.ActiveTargets))
	for _, t := range d.ActiveTargets {
		job := t.Labels["job"]
		if job == "" {
			job = t.ScrapePool
		}
		out = append(out, target{Job: job, Health: t.Health})
	}
	return out, nil
}

// ruleGroup is one loaded rule group.
type ruleGroup struct {
	Name  string
	Rules []rule
}

// rule is one rule's evaluation state.
type rule struct {
	Name   string
	Health string
	Type   string
}

// parseRules reads /api/v1/rules.
func parseRules(body []byte) ([]ruleGroup, error) {
	data, err := parseEnvelope(body)
	if err != nil {
		return nil, err
	}
	var d struct {
		Groups []struct {
			Name  string `json:"name"`
			Rules []struct {
				Name   string `json:"name"`
				Health string `json:"health"`
				Type   string `json:"type"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("reading the rules: %w", err)
	}
	out := make([]ruleGroup, 0, len(d.Groups))
	for _, g := range d.Groups {
		rg := ruleGroup{Name: g.Name}
		for _, r := range g.Rules {
			rg.Rules = append(rg.Rules, rule{Name: r.Name, Health: r.Health, Type: r.Type})
		}
		out = append(out, rg)
	}
	return out, nil
}

// headStats is what /api/v1/status/tsdb says about the head block.
type headStats struct {
	NumSeries uint64 `json:"numSeries"`
	// MaxTime is the newest sample's time in milliseconds.
	MaxTime int64 `json:"maxTime"`
}

// parseTSDB reads /api/v1/status/tsdb.
func parseTSDB(body []byte) (headStats, error) {
	data, err := parseEnvelope(body)
	if err != nil {
		return headStats{}, err
	}
	var d struct {
		HeadStats *headStats `json:"headStats"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return headStats{}, fmt.Errorf("reading the TSDB status: %w", err)
	}
	if d.HeadStats == nil {
		return headStats{}, fmt.Errorf("the TSDB status has no headStats")
	}
	return *d.HeadStats, nil
}

// querySample is one value of an instant query's answer.
type querySample struct {
	Metric map[string]string
	Value  float64
}

// parseQuery reads an instant query's answer (Prometheus /api/v1/query or
// Loki /loki/api/v1/query): a vector or a scalar.
func parseQuery(body []byte) ([]querySample, error) {
	data, err := parseEnvelope(body)
	if err != nil {
		return nil, err
	}
	var d struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("reading the query result: %w", err)
	}
	switch d.ResultType {
	case "vector":
		var vec []struct {
			Metric map[string]string `json:"metric"`
			Value  []json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(d.Result, &vec); err != nil {
			return nil, fmt.Errorf("reading the vector: %w", err)
		}
		out := make([]querySample, 0, len(vec))
		for _, s := range vec {
			v, err := sampleValue(s.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, querySample{Metric: s.Metric, Value: v})
		}
		return out, nil
	case "scalar":
		var pair []json.RawMessage
		if err := json.Unmarshal(d.Result, &pair); err != nil {
			return nil, fmt.Errorf("reading the scalar: %w", err)
		}
		v, err := sampleValue(pair)
		if err != nil {
			return nil, err
		}
		return []querySample{{Value: v}}, nil
	default:
		return nil, fmt.Errorf("the query returned a %q; write an expression that returns an instant vector or a scalar", d.ResultType)
	}
}

// sampleValue reads [<unix time>, "<value>"].
func sampleValue(pair []json.RawMessage) (float64, error) {
	if len(pair) != 2 {
		return 0, fmt.Errorf("a sample has %d fields, want [time, value]", len(pair))
	}
	var s string
	if err := json.Unmarshal(pair[1], &s); err != nil {
		return 0, fmt.Errorf("a sample value is not a string: %w", err)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("a sample value %q is not a number", s)
	}
	return v, nil
}

// amAlert is one alert as Alertmanager's API v2 gives it.
type amAlert struct {
	Fingerprint string            `json:"fingerprint"`
	Labels      map[string]string `json:"labels"`
	Status      struct {
		State       string   `json:"state"`
		SilencedBy  []string `json:"silencedBy"`
		InhibitedBy []string `json:"inhibitedBy"`
		MutedBy     []string `json:"mutedBy"`
	} `json:"status"`
}

// suppressed says whether the alert is silenced, inhibited or muted.
func (a amAlert) suppressed() bool {
	return a.Status.State == "suppressed" || len(a.Status.SilencedBy) > 0 ||
		len(a.Status.InhibitedBy) > 0 || len(a.Status.MutedBy) > 0
}

// parseAlerts reads /api/v2/alerts (an array of alerts) or
// /api/v2/alerts/groups (an array of groups holding alerts). An alert routed
// to several receivers appears in several groups: it is counted once, by
// fingerprint.
func parseAlerts(body []byte) ([]amAlert, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, fmt.Errorf("the alerts answer is not a JSON array: %w", err)
	}
	var out []amAlert
	seen := map[string]bool{}
	add := func(a amAlert) {
		if a.Fingerprint != "" {
			if seen[a.Fingerprint] {
				return
			}
			seen[a.Fingerprint] = true
		}
		out = append(out, a)
	}
	for _, raw := range items {
		var probe struct {
			Alerts []amAlert `json:"alerts"`
		}
		if err := json.Unmarshal(raw, &probe); err != nil {
			return nil, fmt.Errorf("reading an alert: %w", err)
		}
		if probe.Alerts != nil {
			for _, a := range probe.Alerts {
				add(a)
			}
			continue
		}
		var a amAlert
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("reading an alert: %w", err)
		}
		if a.Labels == nil {
			return nil, fmt.Errorf("an alert has no labels")
		}
		add(a)
	}
	return out, nil
}

// amStatus is the part of /api/v2/status the check reads.
type amStatus struct {
	Cluster struct {
		Status string            `json:"status"`
		Peers  []json.RawMessage `json:"peers"`
	} `json:"cluster"`
}

// parseAMStatus reads /api/v2/status.
func parseAMStatus(body []byte) (amStatus, error) {
	var s amStatus
	if err := json.Unmarshal(body, &s); err != nil {
		return s, fmt.Errorf("the status answer is not JSON: %w", err)
	}
	if s.Cluster.Status == "" {
		return s, fmt.Errorf("the status answer has no cluster.status")
	}
	return s, nil
}

// parseReceivers reads /api/v2/receivers.
func parseReceivers(body []byte) ([]string, error) {
	var rs []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(body, &rs); err != nil {
		return nil, fmt.Errorf("the receivers answer is not a JSON array of receivers: %w", err)
	}
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out, nil
}

// parseGrafanaHealth reads /api/health and returns its database field.
func parseGrafanaHealth(body []byte) (string, error) {
	var h struct {
		Database *string `json:"database"`
	}
	if err := json.Unmarshal(body, &h); err != nil {
		return "", fmt.Errorf("the health answer is not JSON: %w", err)
	}
	if h.Database == nil {
		return "", fmt.Errorf("the health answer has no database field")
	}
	return *h.Database, nil
}

// parseGrafanaSearch reads /api/search and returns the dashboards' uids.
func parseGrafanaSearch(body []byte) ([]string, error) {
	var hits []struct {
		UID  string `json:"uid"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &hits); err != nil {
		return nil, fmt.Errorf("the search answer is not a JSON array: %w", err)
	}
	var out []string
	for _, h := range hits {
		if h.Type == "" || h.Type == "dash-db" {
			out = append(out, h.UID)
		}
	}
	return out, nil
}
