package monitoring

import (
	"context"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

var (
	promqlValueDesc = collector.NewDesc("golive_promql_value",
		"The worst value the check's query returned (the highest with max set, else the lowest).")
	promqlSeriesDesc = collector.NewDesc("golive_promql_series",
		"How many series the check's query returned.")
)

type promqlCheck struct {
	cfg  *PromQLCheck
	name string
	cl   *client
	now  func() time.Time
}

func newPromQL(c *config.Check, env collector.Env) (collector.Check, error) {
	cl, err := newClient(env, &c.Spec().(*PromQLCheck).MonitoringClient, c.Name)
	if err != nil {
		return nil, err
	}
	return &promqlCheck{cfg: c.Spec().(*PromQLCheck), name: c.Name, cl: cl, now: time.Now}, nil
}

// Run evaluates the query at the current time and compares every value.
func (p *promqlCheck) Run(ctx context.Context, r *collector.Report) error {
	cl := p.cl
	at, fixed, reached := p.cfg.EvalTime(p.now())
	q := url.Values{"query": {p.cfg.Query}, "time": {strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64)}}
	samples, err := fetch(ctx, cl, "/api/v1/query", q, "query", parseQuery)
	if err != nil {
		return err
	}
	note := ""
	switch {
	case fixed && reached:
		note = " (at " + at.UTC().Format(time.RFC3339) + ")"
	case fixed:
		note = " (now: " + p.cfg.AtTime().UTC().Format(time.RFC3339) + " is not reached yet)"
	}
	p.judge(samples, r, note)
	return nil
}

// judge compares the values with the bounds; note, added to what was
// observed, says when the query was evaluated if not now.
func (p *promqlCheck) judge(samples []querySample, r *collector.Report, note string) {
	r.Gauge(promqlSeriesDesc, float64(len(samples)))
	expected := p.expected()
	if len(samples) == 0 {
		r.Assert("query result within bounds", p.cfg.OnEmpty == "pass", "no series"+note, expected)
		return
	}
	worst := samples[0]
	bad := 0
	for _, s := range samples {
		if !p.within(s.Value) {
			bad++
		}
		if p.cfg.Max != nil {
			if s.Value > worst.Value || math.IsNaN(s.Value) {
				worst = s
			}
		} else if s.Value < worst.Value || math.IsNaN(s.Value) {
			worst = s
		}
	}
	r.Gauge(promqlValueDesc, worst.Value)
	obs := p.format(worst.Value)
	if len(samples) > 1 {
		obs = fmt.Sprintf("%s (worst of %d series, %d outside)", obs, len(samples), bad)
		if ls := labelString(worst.Metric); ls != "" {
			obs += " at " + ls
		}
	}
	r.Assert("query result within bounds", bad == 0, obs+note, expected)
}

// within says whether v satisfies the bounds; NaN never does.
func (p *promqlCheck) within(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	if p.cfg.Max != nil && v > *p.cfg.Max {
		return false
	}
	if p.cfg.Min != nil && v < *p.cfg.Min {
		return false
	}
	return true
}

func (p *promqlCheck) expected() string {
	var parts []string
	if p.cfg.Min != nil {
		parts = append(parts, ">= "+p.format(*p.cfg.Min))
	}
	if p.cfg.Max != nil {
		parts = append(parts, "<= "+p.format(*p.cfg.Max))
	}
	return strings.Join(parts, " and ")
}

// format renders a value in the check's unit.
func (p *promqlCheck) format(v float64) string {
	switch p.cfg.Unit {
	case "percent":
		return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
	case "seconds":
		if math.Abs(v) < 1 {
			return strconv.FormatFloat(v*1000, 'f', 0, 64) + "ms"
		}
		return strconv.FormatFloat(v, 'f', 2, 64) + "s"
	case "bytes":
		return strconv.FormatFloat(v/(1<<20), 'f', 1, 64) + "MiB"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// labelString shows a series' labels in the check's message (never in a
// metric label).
func labelString(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+strconv.Quote(m[k]))
	}
	return "{" + strings.Join(parts, ",") + "}"
}
